// The cache's bookkeeping of held ranges, on its own: merging, least-recently-used eviction,
// and trimming a range to its newest entries without splitting an instant.
import { describe, expect, it } from 'vitest';
import { LedgerCache, newestPart, type HeldRange } from '../src/ledger/cache.js';
import type { LedgerEntry } from '../src/core/model.js';

/** Entries at the given minutes past midnight (newest first), ids naming the minute and a suffix. */
function entries(...minutes: number[]): LedgerEntry[] {
  return minutes.map((m, i) => ({
    ledger_id: `led_${m}_${i}`,
    entry_type: m % 2 ? 'debit' : 'credit',
    delta: m % 2 ? -1 : 5,
    metric_type: null,
    category: null,
    created_at: at(m),
  }));
}
const at = (minute: number) => new Date(Date.UTC(2026, 10, 1, 0, minute)).toISOString().replace('Z', '000Z');
const range = (from: number | undefined, to: number, rows: LedgerEntry[], entryType?: string): HeldRange => ({
  entryType,
  from: from === undefined ? undefined : at(from),
  to: at(to),
  entries: rows,
});
const ids = (r: HeldRange | undefined) => r?.entries.map((e) => e.ledger_id);

describe('held ranges', () => {
  it('merges an overlapping reading in time order, the newer reading winning the overlap', () => {
    const cache = new LedgerCache(1000);
    const old = entries(50, 40, 30, 20, 10);
    cache.store(range(5, 55, old));
    // A later reading of 25..45 (an entry at 35 appeared, 30 was not seen again).
    const fresh = entries(45, 40, 35);
    cache.store(range(25, 45, fresh));
    const [held] = cache.list();
    expect(cache.list()).toHaveLength(1);
    expect(held!.from).toBe(at(5));
    expect(held!.to).toBe(at(55));
    expect(ids(held)).toEqual([old[0]!.ledger_id, ...ids(range(25, 45, fresh))!, old[3]!.ledger_id, old[4]!.ledger_id]);
  });

  it('keeps ranges apart that do not touch, and lets a range of every type absorb the typed ones it contains', () => {
    const cache = new LedgerCache(1000);
    cache.store(range(10, 20, entries(15), 'debit'));
    cache.store(range(30, 40, entries(35)));
    expect(cache.list()).toHaveLength(2);
    cache.store(range(0, 25, entries(21, 15, 12)));
    expect(cache.list().map((r) => r.entryType)).toEqual([undefined, undefined]);
    expect(cache.held).toBe(4);
  });

  it('finds the range holding the window start that reaches furthest, a typed one only for its type', () => {
    const cache = new LedgerCache(1000);
    cache.store(range(0, 30, entries(25, 5)));
    cache.store(range(0, 50, entries(45, 25, 3), 'debit'));
    expect(cache.find('debit', at(10), at(60))?.to).toBe(at(50));
    expect(cache.find('credit', at(10), at(60))?.to).toBe(at(30));
    expect(cache.find(undefined, at(10), at(60))?.entryType).toBeUndefined();
    expect(cache.find(undefined, at(31), at(60))).toBeUndefined();
    expect(cache.find(undefined, undefined, at(60))).toBeUndefined();
  });

  it('evicts the least recently used range first, and holds no more than the bound', () => {
    const cache = new LedgerCache(6);
    const a = range(0, 10, entries(9, 8, 7));
    cache.store(a);
    cache.store(range(20, 30, entries(29, 28)));
    cache.touch(cache.find(undefined, at(0), at(10))!);
    cache.store(range(40, 50, entries(49, 48)));
    expect(cache.held).toBeLessThanOrEqual(6);
    expect(cache.list().map((r) => r.to)).toEqual([at(10), at(50)]);
  });

  it('keeps the newest entries of a range larger than the bound, cut where the instant changes', () => {
    const rows = entries(9, 8, 7, 7, 7, 6);
    expect(ids(newestPart(range(0, 10, rows), 4))).toEqual(ids(range(0, 10, rows.slice(0, 2))));
    expect(newestPart(range(0, 10, rows), 4)!.from).toBe(at(8));
    expect(ids(newestPart(range(0, 10, rows), 5))).toEqual(ids(range(0, 10, rows.slice(0, 5))));
    expect(newestPart(range(0, 10, entries(7, 7, 7)), 2)).toBeUndefined();
    const cache = new LedgerCache(4);
    cache.store(range(0, 10, rows));
    expect(cache.held).toBe(2);
    expect(cache.list()[0]!.from).toBe(at(8));
  });

  it('keeps a range an open window answers from, counted until the window is done, and makes room for its rows', () => {
    const cache = new LedgerCache(5);
    cache.store(range(0, 10, entries(9, 8, 7)));
    const used = cache.find(undefined, at(0), at(10))!;
    const hold = cache.hold();
    hold.use(used);
    // Over the bound, the range in use stays: the new one keeps its newest entries.
    cache.store(range(20, 30, entries(29, 28, 27)));
    expect(cache.list().map((r) => r.entries.length)).toEqual([3, 2]);
    // Rows the window reads make room by evicting what no window uses.
    expect(hold.reserve(2)).toBe(true);
    expect([cache.held, cache.budget.reserved]).toEqual([3, 2]);
    expect(hold.reserve(1)).toBe(false);
    // Dropped while in use, its entries are still in memory: counted until the window lets go.
    cache.drop(used);
    expect(cache.find(undefined, at(0), at(10))).toBeUndefined();
    expect(cache.budget.counted).toBe(5);
    hold.free();
    expect(cache.budget.counted).toBe(0);
  });
});
