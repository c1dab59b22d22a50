// One upstream key's ledger ranges, page size and walks, shared by the fleet. Each instance
// keeps its own cache (src/ledger/cache.ts) as before; the store holds copies of the ranges the
// instances read, sealed, in an index of sealed descriptions. A window about to look in its
// cache first brings in the store's best range for it (one index read, and one range read when
// it is new here); the window then confirms it by count with the upstream exactly as it would
// a range of its own, so answers are the same with the store as without it.
//
// Single flight: a window whose start no range holds takes the walk lock for its entry type
// (SET NX PX, renewed while the walk runs) or, when another call in the fleet has it, waits
// until it is released (bounded by the call's deadline and signal), then looks again.
import { randomBytes } from 'node:crypto';
import { abortableSleep } from '../http/abort.js';
import { metrics } from '../metrics/record.js';
import { newestPart, type HeldRange, type LedgerCache } from '../ledger/cache.js';
import type { LedgerEntry, PinnedFilters } from '../core/model.js';
import { compareInstants } from '../core/time.js';
import type { PageOptions } from '../providers/provider.js';
import type { StoreConnection } from './connection.js';
import type { TenantKeys } from './crypto.js';
import { NO_CLAIM, type SharedLedger, type WalkClaim } from './fleet.js';

/** Ledger entries the store holds per upstream key, every range together: past it the oldest ranges go. */
export const MAX_STORED_ENTRIES = 50_000;
/** Ranges the store holds per upstream key, empty ones included: past it the oldest go. */
export const MAX_STORED_RANGES = 64;
/** Everything a key has in the store expires this long after it was last written. */
export const STORE_TTL_MS = 3_600_000;
/** A walk lock not renewed for this long is free again: the most a killed instance's walk holds others up. */
const WALK_LOCK_MS = 3000;
const WALK_RENEW_MS = 1000;
/** How often a call waiting for another's walk looks whether it is done. */
const WALK_POLL_MS = 20;

/** A stored range's description, sealed in the index. */
interface RangeMeta {
  /** entry type, or null: every type */
  t: string | null;
  /** from, or null: from the ledger's first entry */
  f: string | null;
  to: string;
  /** entries */
  n: number;
  /** when it was stored (ms): the newest reading wins, the oldest goes first */
  at: number;
}

type Row = [id: string, type: string, delta: number, metric: string | null, category: string | null, at: string];

const RELEASE_LOCK = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;
const RENEW_LOCK = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0`;

export class RedisSharedLedger implements SharedLedger {
  private readonly index: string;
  private readonly pageSizeName: string;
  /** Store ranges this instance already holds in its cache (read or written here). */
  private readonly known = new Set<string>();
  private adopt: ((size: number) => void) | undefined;
  /** Writes under way, in order (tests and shutdown wait for them). */
  private writing: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly store: StoreConnection,
    private readonly keys: TenantKeys,
  ) {
    this.index = keys.name('ranges');
    this.pageSizeName = keys.name('page-size');
  }

  onPageSize(adopt: (size: number) => void): void {
    this.adopt = adopt;
  }

  /** Resolves once the writes begun so far are done. */
  settled(): Promise<void> {
    return this.writing.then(() => undefined);
  }

  async before(cache: LedgerCache, filters: PinnedFilters, options: PageOptions): Promise<WalkClaim> {
    const { entry_type: type, from, to } = filters;
    const deadline = options.deadline ?? Date.now() + 30_000;
    for (let joined = false; ; ) {
      const pulled = await this.pull(cache, filters);
      if (!pulled || !cache.enabled || cache.find(type, from, to)) return NO_CLAIM;
      const lock = this.keys.name('walk', type ?? '*');
      const token = randomBytes(12).toString('hex');
      const taken = await this.store.run('walk_lock', (r) => r.set(lock, token, 'PX', WALK_LOCK_MS, 'NX'), { grows: true });
      if (taken === undefined) return NO_CLAIM;
      if (taken === 'OK') return this.claim(lock, token);
      // Another call in the fleet walks it: wait for its result instead of walking it too.
      if (!joined) {
        joined = true;
        metrics.singleFlightJoin();
      }
      if (!(await this.waitForWalk(lock, options.signal, deadline))) return NO_CLAIM;
    }
  }

  after(claim: WalkClaim, stored: readonly HeldRange[]): void {
    const write = stored.length ? this.share(stored) : Promise.resolve();
    // The walk's lock is released only once its result is in the store, for the calls waiting on it.
    this.writing = this.writing
      .then(() => write)
      .catch(() => undefined) // the store's failures are counted where they happen; a write that fails is simply not there
      .finally(() => claim.end());
  }

  forget(range: HeldRange): void {
    this.writing = this.writing.then(async () => {
      const index = await this.readIndex('forget');
      if (!index) return;
      const gone = [...index].filter(([, m]) => (m.t ?? undefined) === range.entryType && overlaps(m, range)).map(([id]) => id);
      if (gone.length) await this.store.run('forget', (r) => r.multi().hdel(this.index, ...gone).del(...gone.map((id) => this.rangeName(id))).exec());
    }).catch(() => undefined);
  }

  pageSizeLearned(size: number): void {
    void this.store.run('page_size', async (r) => {
      const known = await this.readPageSize(r);
      if (known === undefined || size < known) await r.set(this.pageSizeName, this.keys.seal(this.pageSizeName, String(size)), 'PX', STORE_TTL_MS);
    }, { grows: true });
  }

  /** Brings the store's best range for the window into the cache; false when the store could not be read. */
  private async pull(cache: LedgerCache, filters: PinnedFilters): Promise<boolean> {
    // A range can be replaced between reading the index and reading it (another instance stored
    // one that contains it): then the index is read again.
    for (let attempt = 0; attempt < 3; attempt++) {
      const read = await this.store.run('read', (r) => r.multi().hgetallBuffer(this.index).getBuffer(this.pageSizeName).exec());
      if (!read) return false;
      const [[, rawIndex], [, rawSize]] = read as [[unknown, Record<string, Buffer>], [unknown, Buffer | null]];
      if (rawSize) {
        const size = Number(this.keys.open(this.pageSizeName, rawSize));
        if (Number.isInteger(size) && size >= 1) this.adopt?.(size);
      }
      if (!cache.enabled) return true;
      const { entry_type: type, from, to } = filters;
      const index = this.openIndex(rawIndex);
      for (const id of this.known) if (!index.has(id)) this.known.delete(id);
      const best = bestFor(index, type, from, to);
      if (!best || (this.known.has(best[0]) && cache.find(type, from, to))) return true;
      const [id, meta] = best;
      const name = this.rangeName(id);
      const raw = await this.store.run('read', (r) => r.getBuffer(name));
      if (raw === undefined) return false;
      if (raw === null) {
        // Replaced meanwhile, or expired under an index that lived on: its description goes too.
        await this.store.run('forget', (r) => r.hdel(this.index, id));
        continue;
      }
      const text = this.keys.open(name, raw);
      const rows = text ? (JSON.parse(text) as Row[]) : undefined;
      if (!rows || rows.length !== meta.n) return true; // not sealed here under this name: as if not stored
      const entries = rows.map(([ledger_id, entry_type, delta, metric_type, category, created_at]) =>
        cache.compact({ ledger_id, entry_type, delta, metric_type, category, created_at } satisfies LedgerEntry),
      );
      cache.store({ entryType: meta.t ?? undefined, from: meta.f ?? undefined, to: meta.to, entries });
      this.known.add(id);
      return true;
    }
    return true;
  }

  /** Stores each range, replacing the ones it contains, within the key's bound. */
  private async share(ranges: readonly HeldRange[]): Promise<void> {
    const index = await this.readIndex('write');
    if (!index) return;
    for (const full of ranges) {
      const range = newestPart(full, MAX_STORED_ENTRIES);
      if (!range) continue;
      const id = randomBytes(12).toString('hex');
      const meta: RangeMeta = { t: range.entryType ?? null, f: range.from ?? null, to: range.to, n: range.entries.length, at: Date.now() };
      // What it contains goes; then the oldest, until the key's bound holds.
      const gone = new Set([...index].filter(([, m]) => contains(meta, m)).map(([oldId]) => oldId));
      let held = [...index].filter(([oldId]) => !gone.has(oldId)).reduce((sum, [, m]) => sum + m.n, 0);
      let count = index.size - gone.size;
      for (const [oldId, m] of [...index].sort((a, b) => a[1].at - b[1].at)) {
        if (held + meta.n <= MAX_STORED_ENTRIES && count < MAX_STORED_RANGES) break;
        if (gone.has(oldId)) continue;
        gone.add(oldId);
        held -= m.n;
        count--;
      }
      const rows: Row[] = range.entries.map((e) => [e.ledger_id, e.entry_type, e.delta, e.metric_type, e.category, e.created_at]);
      const name = this.rangeName(id);
      const ok = await this.store.run('write', (r) => {
        const tx = r.multi().set(name, this.keys.seal(name, JSON.stringify(rows)), 'PX', STORE_TTL_MS).hset(this.index, id, this.keys.seal(this.index, JSON.stringify(meta), id));
        if (gone.size) tx.hdel(this.index, ...gone).del(...[...gone].map((g) => this.rangeName(g)));
        return tx.pexpire(this.index, STORE_TTL_MS).exec();
      }, { grows: true });
      // A transaction refused as a whole (the store full) reports each command's error in its answer.
      if (!ok || ok.some(([error]) => error)) {
        if (ok) metrics.storeError('write');
        return;
      }
      this.known.add(id);
      for (const g of gone) index.delete(g);
      index.set(id, meta);
    }
  }

  private async readIndex(operation: string): Promise<Map<string, RangeMeta> | undefined> {
    const raw = await this.store.run(operation, (r) => r.hgetallBuffer(this.index));
    return raw ? this.openIndex(raw) : undefined;
  }

  /** The index's descriptions that open under this key; anything else (forged, copied) is not there. */
  private openIndex(raw: Record<string, Buffer>): Map<string, RangeMeta> {
    const index = new Map<string, RangeMeta>();
    for (const [id, sealed] of Object.entries(raw)) {
      const text = this.keys.open(this.index, sealed, id);
      if (text) index.set(id, JSON.parse(text) as RangeMeta);
    }
    return index;
  }

  private async readPageSize(r: StoreConnection['redis']): Promise<number | undefined> {
    const raw = await r.getBuffer(this.pageSizeName);
    const size = raw ? Number(this.keys.open(this.pageSizeName, raw)) : NaN;
    return Number.isInteger(size) ? size : undefined;
  }

  private rangeName(id: string): string {
    return `${this.index}:${id}`;
  }

  /** The walk lock, renewed while the walk runs, released (if still ours) when it ends. */
  private claim(lock: string, token: string): WalkClaim {
    const renew = setInterval(() => void this.store.run('walk_lock', (r) => r.eval(RENEW_LOCK, 1, lock, token, WALK_LOCK_MS)), WALK_RENEW_MS).unref();
    let ended = false;
    return {
      end: () => {
        if (ended) return;
        ended = true;
        clearInterval(renew);
        void this.store.run('walk_lock', (r) => r.eval(RELEASE_LOCK, 1, lock, token));
      },
    };
  }

  /** True once the walk's lock is released (or lapsed); false at the deadline, or when the store fails. */
  private async waitForWalk(lock: string, signal: AbortSignal | undefined, deadline: number): Promise<boolean> {
    for (;;) {
      if (Date.now() + WALK_POLL_MS > deadline) return false;
      await abortableSleep(WALK_POLL_MS, signal);
      const held = await this.store.run('walk_wait', (r) => r.exists(lock));
      if (held === undefined) return false;
      if (held === 0) return true;
    }
  }
}

/** The stored range that holds the window's start and reaches furthest (as LedgerCache.find picks), newest first among equals. */
function bestFor(index: Map<string, RangeMeta>, type: string | undefined, from: string | undefined, to: string): [string, RangeMeta] | undefined {
  let best: [string, RangeMeta] | undefined;
  let bestReach = '';
  for (const [id, m] of index) {
    if (m.t !== null && m.t !== type) continue;
    const holdsStart = from === undefined ? m.f === null : (m.f === null || compareInstants(m.f, from) <= 0) && compareInstants(from, m.to) <= 0;
    if (!holdsStart) continue;
    const reach = compareInstants(m.to, to) < 0 ? m.to : to;
    const order = best === undefined ? 1 : compareInstants(reach, bestReach) || ((m.t ?? undefined) === type && (best[1].t ?? undefined) !== type ? 1 : 0) || (m.at > best[1].at ? 1 : 0);
    if (order > 0) [best, bestReach] = [[id, m], reach];
  }
  return best;
}

function overlaps(m: RangeMeta, r: HeldRange): boolean {
  return (m.f === null || compareInstants(m.f, r.to) <= 0) && (r.from === undefined || compareInstants(r.from, m.to) <= 0);
}

/** `outer` makes `inner` redundant: same type (or every type over a typed one), and its time span within. */
function contains(outer: RangeMeta, inner: RangeMeta): boolean {
  if (outer.t !== null && outer.t !== inner.t) return false;
  const fromOk = outer.f === null || (inner.f !== null && compareInstants(outer.f, inner.f) <= 0);
  return fromOk && compareInstants(inner.to, outer.to) <= 0;
}
