// Walks matching ledger rows newest first through a LedgerSource and hands each row to a
// visitor exactly once, in order. Once the first page tells the total, the remaining pages
// are fetched concurrently (offset paging allows it) within a sliding window, and delivered
// in order as they complete; nothing but that window is held in memory.
import { setMaxListeners } from 'node:events';
import { CancelledError, UpstreamError } from '../errors.js';
import type { LedgerEntry, LedgerPage, PinnedFilters } from '../model.js';
import type { LedgerSource } from '../providers/provider.js';

export interface WalkOptions {
  /** `to` is pinned, so rows written upstream during the walk fall outside it. */
  filters: PinnedFilters;
  /** Position among matching rows (0 = newest) where the walk starts. */
  startOffset: number;
  /** Stop after this many rows. */
  maxRows: number;
  /** Upstream requests in flight at once. */
  concurrency?: number;
  /** Epoch ms: no page starts after this (nor waits past it); the walk stops with what it has. */
  deadline?: number;
  signal?: AbortSignal;
  /** Rows walked so far, and how many this walk expects to walk. */
  onProgress?: (walked: number, toWalk: number) => void;
}

export type WalkStop = { reason: 'rate_limit'; resumeAt: number } | { reason: 'time_budget' };

export interface WalkOutcome {
  walked: number;
  /** Matching rows in the snapshot, as the upstream last reported; undefined if no page arrived. */
  totalMatching: number | undefined;
  /** The upstream holds matching rows it does not expose. */
  truncated: boolean;
  /** Set when the walk ended before maxRows for a budget reason; it can be resumed. */
  stopped?: WalkStop;
  /** The upstream's count moved during the walk (rows back-dated into the snapshot, or counted but gone). */
  moved: boolean;
}

export type Visitor = (entry: LedgerEntry, position: number) => void;

export async function walkLedger(source: LedgerSource, options: WalkOptions, visit: Visitor): Promise<WalkOutcome> {
  const { filters, startOffset, maxRows, signal } = options;
  const size = source.pageSize;
  const concurrency = Math.max(1, options.concurrency ?? 1);
  const deadline = options.deadline ?? Number.POSITIVE_INFINITY;
  // Stops in-flight requests when the walk ends early, without cancelling the caller.
  const inner = new AbortController();
  // Every in-flight request listens on it: more than Node's default warning threshold of 10.
  setMaxListeners(concurrency + 8, inner.signal);
  const onAbort = () => inner.abort();
  signal?.addEventListener('abort', onAbort, { once: true });

  let walked = 0;
  let totalMatching = 0;
  let firstTotal: number | undefined;
  let truncated = false;
  let shortOfCount = false;
  let stopped: WalkStop | undefined;
  // A row back-dated into the snapshot shifts later offsets by one: the shifted row shows up
  // again at the top of the next page. Remembering two pages of ids catches it.
  let recentIds = new Set<string>();
  let olderIds = new Set<string>();

  const target = () => Math.min(maxRows, Math.max(0, totalMatching - startOffset));
  const limitAt = (offset: number) => Math.min(size, startOffset + maxRows - offset);
  const fetchAt = (offset: number): Promise<LedgerPage> => {
    if (signal?.aborted) throw new CancelledError();
    return source.fetchPage(filters, offset, limitAt(offset), { signal: inner.signal, deadline });
  };
  /** Folds one page in; returns whether it was full (more may follow). */
  const deliver = (page: LedgerPage, offset: number): boolean => {
    totalMatching = page.total;
    firstTotal ??= page.total;
    truncated = page.truncated;
    const ids = new Set<string>();
    for (const entry of page.entries) {
      if (walked >= maxRows) break;
      if (recentIds.has(entry.ledger_id) || olderIds.has(entry.ledger_id) || ids.has(entry.ledger_id)) continue;
      ids.add(entry.ledger_id);
      visit(entry, startOffset + walked);
      walked++;
    }
    olderIds = recentIds;
    recentIds = ids;
    const full = page.entries.length >= limitAt(offset);
    if (!full && offset + page.entries.length < page.total) {
      // The upstream counts rows it no longer returns (deleted, expired, capped): its rows end here.
      totalMatching = offset + page.entries.length;
      shortOfCount = true;
    }
    options.onProgress?.(walked, Math.max(walked, target()));
    return full;
  };

  try {
    // The first page tells the total; the rest of the plan follows from it.
    let offset = startOffset;
    let full = deliver(await fetchAt(offset), offset);
    offset += size;
    while (full && walked < target()) {
      const planEnd = Math.min(startOffset + maxRows, totalMatching);
      const window = new Map<number, Promise<LedgerPage>>();
      let scheduled = offset;
      // Past the deadline nothing new starts, but pages already under way are still folded in.
      const fill = () => {
        while (window.size < concurrency && scheduled < planEnd && Date.now() <= deadline && !inner.signal.aborted) {
          const p = fetchAt(scheduled);
          p.catch(() => undefined); // awaited in order below; this only marks it handled
          window.set(scheduled, p);
          scheduled += size;
        }
      };
      fill();
      if (window.size === 0) {
        if (Date.now() > deadline) stopped = { reason: 'time_budget' };
        break;
      }
      while (window.size > 0) {
        const page = await window.get(offset)!;
        window.delete(offset);
        full = deliver(page, offset);
        offset += size;
        if (!full || walked >= maxRows) break;
        fill();
      }
      // Rows back-dated mid-walk push the tail further out: the loop goes on until it is read.
    }
  } catch (error) {
    const stop = asStop(error);
    // Refused before a single page arrived, there is nothing to answer with: an empty partial
    // answer would read as "no usage". The upstream's refusal (code, Retry-After) is the answer.
    if (!stop || firstTotal === undefined) throw error;
    stopped = stop;
  } finally {
    inner.abort();
    signal?.removeEventListener('abort', onAbort);
  }
  return {
    walked,
    totalMatching: firstTotal === undefined ? undefined : totalMatching,
    truncated,
    moved: shortOfCount || (firstTotal !== undefined && firstTotal !== totalMatching),
    ...(stopped ? { stopped } : {}),
  };
}

/**
 * A rate limit ends a walk early with what it has: a 429, or the rate gate declining to wait
 * past the deadline (rate_limited, no status). Anything else is an error.
 */
function asStop(error: unknown): WalkStop | undefined {
  if (!(error instanceof UpstreamError)) return undefined;
  const { status, code, retryAfterSeconds } = error.details;
  if (status === 429 || (status === undefined && code === 'rate_limited')) {
    return { reason: 'rate_limit', resumeAt: Date.now() + (retryAfterSeconds ?? 60) * 1000 };
  }
  return undefined;
}
