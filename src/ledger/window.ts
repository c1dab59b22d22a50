// One call's reading of one pinned ledger window, through the cache. Its pages are exactly the
// upstream's pages now: a position the window knows is answered from memory, any other page is
// read from the upstream and remembered. It knows positions from the cache only after the
// upstream confirmed the held part by count, in one request that also brings the rows newer
// than the held part when they fit in a page. While the call runs, the rows it keeps count
// against the cache's bound; on close, what it learned goes to the cache.
import { UpstreamError } from '../core/errors.js';
import { metrics } from '../metrics/record.js';
import type { LedgerEntry, LedgerPage, PinnedFilters } from '../core/model.js';
import type { LedgerSource, LedgerWindow, PageOptions } from '../providers/provider.js';
import { compareInstants, fractionDigits } from '../core/time.js';
import { NO_CLAIM, type SharedLedger, type WalkClaim } from '../store/fleet.js';
import { entriesWithin, firstAtOrBefore, type HeldRange, type LedgerCache, type WindowHold } from './cache.js';
import { matchesFilters } from './filters.js';

/**
 * `shared`: the fleet's store (credit-mcp http with CREDIT_MCP_REDIS_URL), which brings in what
 * other instances read before the cache is looked at, and takes what this window read after.
 */
export async function openWindow(source: LedgerSource, cache: LedgerCache, filters: PinnedFilters, options: PageOptions = {}, shared?: SharedLedger): Promise<LedgerWindow> {
  if (!cacheable(filters)) return uncachedWindow(source);
  const claim = shared ? await shared.before(cache, filters, options) : NO_CLAIM;
  if (!cache.enabled) {
    claim.end();
    return uncachedWindow(source);
  }
  const window = new CachedWindow(source, cache, filters, shared, claim);
  try {
    await window.prepare(options);
  } catch (error) {
    window.abandon();
    throw error;
  }
  return window;
}

/** The upstream's pages as they are, for a provider without a cache. */
export function uncachedWindow(source: LedgerSource): LedgerWindow {
  return {
    get pageSize() {
      return source.pageSize;
    },
    fetchPage: (filters, offset, limit, options) => source.fetchPage(filters, offset, limit, options),
    close: () => undefined,
  };
}

/**
 * Upstreams keep instants to the microsecond; how one would round a finer bound is unknown, so
 * for such a window (or entry) the cache steps aside rather than risk a different answer.
 */
function cacheable(filters: PinnedFilters): boolean {
  return [filters.from, filters.to].every((t) => t === undefined || fractionDigits(t) <= 6);
}

class CachedWindow implements LedgerWindow {
  /** Matching entries in the window, as the upstream last counted them. */
  private total: number | undefined;
  /** Entries by position in the window (0 = newest), where known. */
  private rows: Array<LedgerEntry | undefined> = [];
  /** What this window holds, counted against the cache's bound while the call runs. */
  private readonly hold: WindowHold;
  /** The bound had no room left: the rest of the call is read, and answered, without keeping it. */
  private full = false;
  /** A typed window answered from a range of every type stores that range, grown, instead of a typed copy. */
  private everyType: HeldRange | undefined;

  constructor(
    private readonly source: LedgerSource,
    private readonly cache: LedgerCache,
    private readonly filters: PinnedFilters,
    private readonly shared: SharedLedger | undefined,
    /** This call's turn to walk the window for the fleet, if it took one: it ends when the window closes. */
    private readonly claim: WalkClaim,
  ) {
    this.hold = cache.hold();
  }

  get pageSize(): number {
    return this.source.pageSize;
  }

  /** Confirms the held part of the window, if any, and places it (and the rows newer than it) by position. */
  async prepare(options: PageOptions): Promise<void> {
    const { entry_type: type, from, to } = this.filters;
    const range = this.cache.find(type, from, to);
    if (!range) return;
    const reach = compareInstants(range.to, to) < 0 ? range.to : to;
    const held = entriesWithin(range.entries, from, reach);
    const sameType = range.entryType === type;
    const space: PinnedFilters = sameType ? this.filters : { to, ...(from !== undefined ? { from } : {}) };
    // Newest first, so the rows newer than the held part lead the page; the count covers the rest.
    const first = await this.source.fetchPage(space, 0, reach === to ? 1 : this.source.pageSize, options);
    if (sameType) this.learn(0, first);
    const newer = firstAtOrBefore(first.entries, reach);
    if (newer < first.entries.length || first.entries.length >= first.total) {
      const confirmed = first.total - newer === held.length && first.entries.slice(newer).every((e, i) => e.ledger_id === held[i]?.ledger_id);
      if (!confirmed) return this.dropHeld(range);
      this.cache.touch(range);
      metrics.cacheLookup('confirmation');
      // The rows newer than the held part are in place already (learned from this very page).
      if (sameType) return this.answerFrom(range, newer, held);
      // Of a range of every type, this window uses the rows of its type; the range, grown by
      // the newer rows of every type, is what it keeps.
      if (!this.hold.reserve(newer)) return;
      this.hold.use(range);
      const all = newer > 0 ? [...first.entries.slice(0, newer).map((e) => this.cache.compact(e)), ...held] : held;
      this.everyType = { entryType: undefined, from, to, entries: all };
      const mine = all.filter((e) => matchesFilters(e, { entry_type: type }));
      this.total = mine.length;
      mine.forEach((e, i) => (this.rows[i] = e));
      return;
    }
    // More rows are newer than a page holds. A typed window cannot find its positions in a range
    // of every type without reading them all: it reads as if nothing were held.
    if (!sameType) return;
    // The held part alone is confirmed by its own count; the rows between are read as pages.
    let check: LedgerPage;
    try {
      check = await this.source.fetchPage({ ...space, to: reach }, 0, 1, options);
    } catch (error) {
      if (error instanceof UpstreamError) return; // the walk meets it again, and answers as it always does
      throw error;
    }
    if (check.total !== held.length || check.entries[0]?.ledger_id !== held[0]?.ledger_id) return this.dropHeld(range);
    this.cache.touch(range);
    metrics.cacheLookup('confirmation');
    const start = first.total - held.length;
    // Rows written between the two requests would move every position: then nothing is placed.
    if (start >= first.entries.length) this.answerFrom(range, start, held);
  }

  async fetchPage(filters: PinnedFilters, offset: number, limit: number, options?: PageOptions): Promise<LedgerPage> {
    if (!sameWindow(filters, this.filters)) return this.source.fetchPage(filters, offset, limit, options);
    const held = this.heldPage(offset, limit);
    metrics.cacheLookup(held ? 'hit' : 'miss');
    if (held) return held;
    const page = await this.source.fetchPage(filters, offset, limit, options);
    this.learn(offset, page);
    return page;
  }

  close(): void {
    const ranges = this.everyType ? [this.everyType] : [...this.completeRanges()];
    // What it held is counted by the ranges stored now, no longer by the window.
    this.hold.free();
    const stored = ranges.map((range) => this.cache.store(range)).filter((r): r is HeldRange => r !== undefined);
    if (this.shared) this.shared.after(this.claim, stored);
    else this.claim.end();
  }

  /** The window was never opened (its preparation failed): it gives back what it held. */
  abandon(): void {
    this.hold.free();
    this.claim.end();
  }

  /** A held range whose count is not the upstream's any more goes, here and in the fleet's store. */
  private dropHeld(range: HeldRange): void {
    this.cache.drop(range);
    this.shared?.forget(range);
  }

  private heldPage(offset: number, limit: number): LedgerPage | undefined {
    if (this.total === undefined) return undefined;
    const end = Math.min(offset + limit, this.total);
    for (let at = offset; at < end; at++) if (this.rows[at] === undefined) return undefined;
    return { entries: this.rows.slice(offset, Math.max(offset, end)) as LedgerEntry[], total: this.total, truncated: false };
  }

  /** A held range's entries, confirmed by count, from position `start` on: the window answers from them. */
  private answerFrom(range: HeldRange, start: number, held: readonly LedgerEntry[]): void {
    this.hold.use(range);
    held.forEach((e, i) => (this.rows[start + i] ??= e));
  }

  /**
   * A page from the upstream: remembered by position, unless the count moved (then what was
   * known is of another state, and goes), or the bound has no room left for it.
   */
  private learn(offset: number, page: LedgerPage): void {
    const moved = this.total !== undefined && (page.total !== this.total || page.entries.some((e, i) => this.rows[offset + i] !== undefined && this.rows[offset + i]!.ledger_id !== e.ledger_id));
    if (moved) {
      this.rows = [];
      this.hold.free();
    }
    this.total = page.total;
    if (page.truncated || this.full) return;
    const fresh = page.entries.reduce((n, _, i) => (this.rows[offset + i] === undefined ? n + 1 : n), 0);
    if (!this.hold.reserve(fresh)) {
      this.full = true;
      return;
    }
    page.entries.forEach((e, i) => (this.rows[offset + i] ??= this.cache.compact(e)));
  }

  /** Each run of known positions, as the range of time it holds completely. */
  private *completeRanges(): Iterable<HeldRange> {
    const total = this.total;
    if (total === undefined) return;
    const { entry_type: entryType, from, to } = this.filters;
    if (total === 0) yield { entryType, from, to, entries: [] };
    for (let start = 0; start < total; ) {
      while (start < total && this.rows[start] === undefined) start++;
      let end = start;
      while (end < total && this.rows[end] !== undefined) end++;
      if (end > start) {
        const range = heldRange(this.rows.slice(start, end) as LedgerEntry[], { entryType, from, to }, start > 0, end < total);
        if (range) yield range;
      }
      start = end;
    }
  }
}

/**
 * The range of time a run of consecutive rows holds completely. At the window's own ends its
 * bounds are the window's; where unknown rows lie beyond it, it ends at the last instant
 * before the time changes, since rows sharing that instant may lie beyond the run.
 */
function heldRange(
  run: LedgerEntry[],
  window: { entryType: string | undefined; from: string | undefined; to: string },
  unknownAbove: boolean,
  unknownBelow: boolean,
): HeldRange | undefined {
  // An upstream that repeats rows or breaks its own order makes no claim worth holding.
  const ids = new Set<string>();
  for (let i = 0; i < run.length; i++) {
    if (fractionDigits(run[i]!.created_at) > 6 || ids.has(run[i]!.ledger_id)) return undefined;
    if (i > 0 && compareInstants(run[i - 1]!.created_at, run[i]!.created_at) < 0) return undefined;
    ids.add(run[i]!.ledger_id);
  }
  let first = 0;
  let last = run.length;
  let to = window.to;
  let from = window.from;
  if (unknownAbove) {
    while (first + 1 < run.length && compareInstants(run[first + 1]!.created_at, run[first]!.created_at) === 0) first++;
    first++;
    if (first >= run.length) return undefined;
    to = run[first]!.created_at;
  }
  if (unknownBelow) {
    while (last - 1 > first && compareInstants(run[last - 2]!.created_at, run[last - 1]!.created_at) === 0) last--;
    last--;
    if (last <= first) return undefined;
    from = run[last - 1]!.created_at;
  }
  return { entryType: window.entryType, from, to, entries: run.slice(first, last) };
}

function sameWindow(a: PinnedFilters, b: PinnedFilters): boolean {
  return a === b || (a.entry_type === b.entry_type && a.from === b.from && a.to === b.to);
}
