// A list kept newest first, with ties broken by id descending so the order is
// total and every page of every query is deterministic. Both upstreams store
// their history in one of these; range lookups are binary searches, which keeps
// a 100k-entry ledger cheap to page through.

export interface LogRow<T> {
  /** Sort key: a timestamp in whatever unit the owner uses. */
  at: number;
  id: string;
  value: T;
}

/** Negative when `a` comes before `b` (newer, or same time and larger id). */
function newestFirst<T>(a: LogRow<T>, b: LogRow<T>): number {
  if (a.at !== b.at) return b.at - a.at;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

function isOrdered<T>(rows: LogRow<T>[]): boolean {
  for (let i = 1; i < rows.length; i++) if (newestFirst(rows[i - 1]!, rows[i]!) > 0) return false;
  return true;
}

export class NewestFirstLog<T> {
  private readonly rows: LogRow<T>[];
  private valuesCache: readonly T[] | undefined;

  constructor(rows: LogRow<T>[] = []) {
    this.rows = rows.slice();
    // Seeds usually arrive already ordered; sorting 100k rows by comparator is the slow path.
    if (!isOrdered(this.rows)) this.rows.sort(newestFirst);
  }

  get size(): number {
    return this.rows.length;
  }

  insert(row: LogRow<T>): void {
    let lo = 0;
    let hi = this.rows.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (newestFirst(this.rows[mid]!, row) <= 0) lo = mid + 1;
      else hi = mid;
    }
    this.rows.splice(lo, 0, row);
    this.valuesCache = undefined;
  }

  /** Every value, newest first. The array is shared until the next insert. */
  values(): readonly T[] {
    this.valuesCache ??= Object.freeze(this.rows.map((r) => r.value));
    return this.valuesCache;
  }

  /** Rows with min <= at <= max (either bound optional), newest first. */
  range(min?: number, max?: number): LogRow<T>[] {
    const [start, end] = this.bounds(min, max);
    return this.rows.slice(start, end);
  }

  /** Number of rows with min <= at <= max, without copying them. */
  count(min?: number, max?: number): number {
    const [start, end] = this.bounds(min, max);
    return end - start;
  }

  /** Rows [offset, offset+limit) of the range min..max, without copying the whole range. */
  page(min: number | undefined, max: number | undefined, offset: number, limit: number): LogRow<T>[] {
    const [start, end] = this.bounds(min, max);
    const from = start + offset;
    return from < end ? this.rows.slice(from, Math.min(end, from + limit)) : [];
  }

  private bounds(min: number | undefined, max: number | undefined): [number, number] {
    const start = max === undefined ? 0 : this.firstIndexWhere((at) => at <= max);
    const end = min === undefined ? this.rows.length : this.firstIndexWhere((at) => at < min);
    return [start, Math.max(start, end)];
  }

  /** Rows are descending in `at`, so any "at <= x" or "at < x" predicate is monotone. */
  private firstIndexWhere(predicate: (at: number) => boolean): number {
    let lo = 0;
    let hi = this.rows.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (predicate(this.rows[mid]!.at)) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }
}
