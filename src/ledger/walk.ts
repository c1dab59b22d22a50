// Walks matching ledger rows newest first through a LedgerSource and hands each row to a
// visitor exactly once, in order. Once the first page tells the total, the remaining pages
// are fetched concurrently (offset paging allows it) within a sliding window, and delivered
// in order as they complete; nothing but that window is held in memory.
import { setMaxListeners } from 'node:events';
import { CancelledError, UpstreamError } from '../core/errors.js';
import type { LedgerEntry, LedgerPage, PinnedFilters } from '../core/model.js';
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

/** A page asked for: where, how many rows, and the answer to come. */
interface Asked {
  offset: number;
  limit: number;
  page: Promise<LedgerPage>;
}

export async function walkLedger(source: LedgerSource, options: WalkOptions, visit: Visitor): Promise<WalkOutcome> {
  const { filters, startOffset, maxRows, signal } = options;
  const stopAt = startOffset + maxRows;
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
  // After a short page one page is asked alone: pages planned at a size the upstream does not
  // serve would land at the wrong offsets and be asked again.
  let shortPage = false;
  let stopped: WalkStop | undefined;
  // A row back-dated into the snapshot shifts later offsets by one: the shifted row shows up
  // again at the top of the next page. Remembering two pages of ids catches it.
  let recentIds = new Set<string>();
  let olderIds = new Set<string>();

  const target = () => Math.min(maxRows, Math.max(0, totalMatching - startOffset));
  // The page size is read for every page: the source may learn mid-walk that its upstream serves fewer.
  const ask = (offset: number): Asked => {
    if (signal?.aborted) throw new CancelledError();
    const limit = Math.min(source.pageSize, stopAt - offset);
    return { offset, limit, page: source.fetchPage(filters, offset, limit, { signal: inner.signal, deadline }) };
  };
  /** Folds one page in; returns the offset the next page starts at, or undefined when the rows end here. */
  const deliver = ({ offset, limit }: Asked, page: LedgerPage): number | undefined => {
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
    const got = page.entries.length;
    let next: number | undefined = offset + got;
    // Short of the size the source serves now: a first page asked at a size the upstream
    // refused, and served at the smaller one it learned meanwhile, is a full page.
    shortPage = got < Math.min(limit, source.pageSize);
    if (offset + got >= page.total) next = undefined; // the window's last page
    else if (walked < maxRows && (got === 0 || ids.size === 0)) {
      // No row, or only rows already seen, while the count says more: the upstream counts rows
      // it no longer returns (deleted, expired), and its rows end here.
      totalMatching = ids.size === 0 ? offset : offset + got;
      shortOfCount = true;
      next = undefined;
    }
    // A short page is either the upstream serving fewer rows per page than asked, or its last
    // rows while it counts more: the next page, read from its end, tells which.
    options.onProgress?.(walked, Math.max(walked, target()));
    return next;
  };

  try {
    // The first page tells the total; the rest of the plan follows from it.
    const first = ask(startOffset);
    let next = deliver(first, await first.page);
    while (next !== undefined && walked < target()) {
      const planEnd = Math.min(stopAt, totalMatching);
      const window: Asked[] = [];
      let scheduled = next;
      // Past the deadline nothing new starts, but pages already under way are still folded in.
      const fill = () => {
        while (window.length < (shortPage ? 1 : concurrency) && scheduled < planEnd && Date.now() <= deadline && !inner.signal.aborted) {
          const asked = ask(scheduled);
          asked.page.catch(() => undefined); // awaited in order below; this only marks it handled
          window.push(asked);
          scheduled += asked.limit;
        }
      };
      fill();
      if (window.length === 0) {
        if (Date.now() > deadline) stopped = { reason: 'time_budget' };
        break;
      }
      while (window.length > 0) {
        const asked = window.shift()!;
        next = deliver(asked, await asked.page);
        if (next === undefined || walked >= maxRows) break;
        // A short page moved every later offset: the pages planned after it are dropped and planned again.
        if (next !== asked.offset + asked.limit) break;
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
