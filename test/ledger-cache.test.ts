// The ledger cache against the simulator over real HTTP: what a follow-up question costs
// upstream (counted by the simulator's recorder), answers equal to the uncached ones while
// entries are written and back-dated upstream, and memory bounded by the setting.
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { ProviderRegistry } from '../src/providers/registry.js';
import { TenantPool } from '../src/remote/tenants.js';
import type { SynapProvider } from '../src/providers/synap.js';
import { checkBalance } from '../src/tools/check-balance.js';
import { getCreditLedger } from '../src/tools/get-credit-ledger.js';
import { getCreditSummary } from '../src/tools/get-credit-summary.js';
import type { CreditTool } from '../src/tools/define-tool.js';
import { callTool, envFor, startSimulator, until, type Simulator } from './helpers.js';

const DAY = 86_400_000;
const LEDGER = '/v1/credits/ledger';

interface Setup {
  sim: Simulator;
  /** Both read the same upstream at the same instant; only the cache differs. */
  cached: ProviderRegistry;
  uncached: ProviderRegistry;
  clock: { now: number };
}

const open: Setup[] = [];
afterEach(async () => {
  for (const { sim, cached, uncached } of open.splice(0)) {
    await cached.closeAll();
    await uncached.closeAll();
    await sim.close();
  }
});

async function setup(options: Parameters<typeof startSimulator>[0] = {}, env: Record<string, string> = {}): Promise<Setup> {
  // The walk's budget is measured on the real clock, so the simulated one starts at the real now.
  const clock = { now: Date.now() };
  const sim = await startSimulator({ now: () => clock.now, ...options });
  const registry = (extra: Record<string, string>) => new ProviderRegistry(loadConfig(envFor(sim, { ...env, ...extra })), () => clock.now);
  const s = { sim, cached: registry({}), uncached: registry({ CREDIT_MCP_CACHE_ENTRIES: '0' }), clock };
  open.push(s);
  return s;
}

const cacheOf = (registry: ProviderRegistry) => (registry.resolve('synap').provider as SynapProvider).cache;
const budgetOf = (registry: ProviderRegistry) => cacheOf(registry).budget;

/** A call as the server makes it, at the setup's clock; returns the answer and the upstream ledger requests it cost. */
async function ask(s: Setup, registry: ProviderRegistry, tool: CreditTool, args: Record<string, unknown>) {
  const before = s.sim.stats.requests;
  const ledgerBefore = s.sim.stats.byPath[LEDGER] ?? 0;
  const answer = await callTool(tool, registry, { provider: 'synap', ...args }, { now: () => s.clock.now });
  return { ...answer, requests: s.sim.stats.requests - before, ledgerRequests: (s.sim.stats.byPath[LEDGER] ?? 0) - ledgerBefore };
}

const iso = (ms: number) => new Date(ms).toISOString();

describe('a follow-up question over data already read', () => {
  it('costs one upstream request, answered exactly as without the cache', async () => {
    const s = await setup({ synapLedgerSize: 3000 });
    const first = await ask(s, s.cached, getCreditSummary, { days: 30 });
    const inWindow = s.sim.synap.query({ from: first.data!.period.start, to: first.data!.period.end }).length;
    // One refused first page (asked 1000, the simulator serves 100), then 100 a page.
    expect(first.ledgerRequests).toBe(1 + Math.ceil(inWindow / 100));

    const followUps: Array<[CreditTool, Record<string, unknown>]> = [
      [getCreditLedger, { entry_type: 'debit', from: iso(s.clock.now - 30 * DAY), scan_limit: 100_000 }],
      [getCreditLedger, { entry_type: 'debit', from: iso(s.clock.now - 7 * DAY), scan_limit: 100_000 }],
      [getCreditSummary, { days: 7 }],
      [getCreditLedger, { from: iso(s.clock.now - 30 * DAY), scan_limit: 100_000, limit: 50 }],
      [getCreditSummary, { days: 30 }],
    ];
    for (const [tool, args] of followUps) {
      s.clock.now += 60_000;
      const cached = await ask(s, s.cached, tool, args);
      const uncached = await ask(s, s.uncached, tool, args);
      expect(cached.requests, `${tool.name} ${JSON.stringify(args)}`).toBe(1);
      expect(uncached.requests).toBeGreaterThan(1);
      expect(cached.data).toEqual(uncached.data);
      expect(cached.text).toEqual(uncached.text);
    }
    // The balance is never cached: one request every time.
    for (let i = 0; i < 2; i++) expect((await ask(s, s.cached, checkBalance, {})).requests).toBe(1);
  });

  it('confirms a window the cache covers with one count (limit=1), and brings newer entries in the same request', async () => {
    const s = await setup({ synapLedgerSize: 2000 });
    const to = iso(s.clock.now);
    await ask(s, s.cached, getCreditLedger, { scan_limit: 100_000, to });
    // A window ending inside what was read: its count is all the upstream is asked.
    const inside = { from: iso(s.clock.now - 20 * DAY), to: iso(s.clock.now - 2 * DAY), scan_limit: 100_000 };
    const covered = await ask(s, s.cached, getCreditLedger, inside);
    expect(covered.requests).toBe(1);
    expect(s.sim.requestLog.at(-1)!.query).toMatchObject({ limit: '1', offset: '0', from: inside.from, to: inside.to });
    expect(covered.data).toEqual((await ask(s, s.uncached, getCreditLedger, inside)).data);

    // New usage upstream: the same single request counts the held range and carries the new rows.
    s.clock.now += 3_600_000;
    const fresh = [s.sim.synap.insert({ delta: -4.5 }), s.sim.synap.insert({ entry_type: 'credit', delta: 100 })];
    s.clock.now += 1000;
    const newer = await ask(s, s.cached, getCreditLedger, { scan_limit: 100_000 });
    expect(newer.requests).toBe(1);
    expect(newer.data!.entries.slice(0, 2).map((e: { ledger_id: string }) => e.ledger_id)).toEqual(fresh.reverse().map((e) => e.ledger_id));
    const truth = s.sim.synap.query({ to: newer.data!.filters.to });
    expect(newer.data!.total_matching).toBe(truth.length);
    expect(newer.data!.complete).toBe(true);
    expect(newer.data).toEqual((await ask(s, s.uncached, getCreditLedger, { scan_limit: 100_000 })).data);
  });

  it('rereads a range an entry was back-dated into, and only then', async () => {
    const s = await setup({ synapLedgerSize: 2000 });
    await ask(s, s.cached, getCreditSummary, { days: 30 });
    s.clock.now += 60_000;
    const backdated = s.sim.synap.insert({ delta: -77, created_at: iso(s.clock.now - 10 * DAY) });
    const again = await ask(s, s.cached, getCreditSummary, { days: 30 });
    const rows = s.sim.synap.query({ from: again.data!.period.start, to: again.data!.period.end });
    // The count no longer matches: the held range is dropped and the window read again, its
    // first page being the very request that found out.
    expect(again.ledgerRequests).toBe(Math.ceil(rows.length / 100));
    expect(rows.map((r) => r.ledger_id)).toContain(backdated.ledger_id);
    expect(again.data).toEqual((await ask(s, s.uncached, getCreditSummary, { days: 30 })).data);
    s.clock.now += 60_000;
    expect((await ask(s, s.cached, getCreditSummary, { days: 30 })).ledgerRequests).toBe(1);
  });

  it('reads more new entries than a page holds with one more request to confirm, then only the new pages', async () => {
    const s = await setup({ synapLedgerSize: 2000 });
    await ask(s, s.cached, getCreditSummary, { days: 30 });
    for (let i = 0; i < 250; i++) {
      s.clock.now += 1000;
      s.sim.synap.insert({ delta: -1 });
    }
    s.clock.now += 1000;
    const grown = await ask(s, s.cached, getCreditSummary, { days: 30 });
    // The first page (the 100 newest) finds no held entry; a count confirms the held range; the
    // walk then reads positions 100..249 (two pages, the second overlapping the held part).
    expect(grown.ledgerRequests).toBe(2 + 2);
    expect(grown.data).toEqual((await ask(s, s.uncached, getCreditSummary, { days: 30 })).data);
    s.clock.now += 1000;
    expect((await ask(s, s.cached, getCreditSummary, { days: 30 })).ledgerRequests).toBe(1);
  });

  it('reads a window again in full when it starts before everything held, and types from a range of every type only up to a page of new entries', async () => {
    const s = await setup({ synapLedgerSize: 3000 });
    const debits = (days: number) => ({ entry_type: 'debit', from: iso(s.clock.now - days * DAY), scan_limit: 100_000 });
    await ask(s, s.cached, getCreditLedger, debits(7));
    // Held ranges are not stitched together: the 30 days are all read again, as without the cache.
    s.clock.now += 1000;
    const month = await ask(s, s.cached, getCreditLedger, debits(30));
    expect(month.ledgerRequests).toBe(Math.ceil(month.data!.total_matching / 100));
    s.clock.now += 1000;
    expect((await ask(s, s.cached, getCreditLedger, debits(7))).ledgerRequests).toBe(1);

    // Every type for 30 days, then more new entries than a page holds: a typed window reads as without the cache.
    const all = { from: iso(s.clock.now - 30 * DAY), scan_limit: 100_000 };
    await ask(s, s.cached, getCreditLedger, all);
    for (let i = 0; i < 150; i++) {
      s.clock.now += 1000;
      s.sim.synap.insert({ entry_type: i % 2 ? 'debit' : 'credit', delta: i % 2 ? -1 : 1 });
    }
    s.clock.now += 1000;
    const credits = { entry_type: 'credit', from: all.from, scan_limit: 100_000 };
    const typed = await ask(s, s.cached, getCreditLedger, credits);
    expect(typed.ledgerRequests).toBe(1 + Math.ceil(typed.data!.total_matching / 100));
    expect(typed.data).toEqual((await ask(s, s.uncached, getCreditLedger, credits)).data);
  });

  it('continues a cursor made with the cache off on a server with it on, and the other way round', async () => {
    const s = await setup({ synapLedgerSize: 1500 });
    const args = { entry_type: 'debit', limit: 40, scan_limit: 300 };
    await ask(s, s.cached, getCreditLedger, { scan_limit: 100_000 }); // the cache now holds everything
    const offFirst = await ask(s, s.uncached, getCreditLedger, args);
    const onFirst = await ask(s, s.cached, getCreditLedger, args);
    expect(onFirst.data).toEqual(offFirst.data);
    let [a, b] = [offFirst.data!, onFirst.data!];
    for (let page = 0; page < 4; page++) {
      // Each continues the other's cursor.
      const onNext = await ask(s, s.cached, getCreditLedger, { cursor: a.next_cursor, limit: 40 });
      const offNext = await ask(s, s.uncached, getCreditLedger, { cursor: b.next_cursor, limit: 40 });
      expect(onNext.data).toEqual(offNext.data);
      [a, b] = [onNext.data!, offNext.data!];
    }
    const truth = s.sim.synap.query({ entry_type: 'debit', to: a.filters.to });
    expect(a.entries.map((e: { ledger_id: string }) => e.ledger_id)).toEqual(truth.slice(160, 200).map((e) => e.ledger_id));
  });
});

describe('progress, cancellation and the rate limit, with the cache in the path', () => {
  it('reports progress from memory as it does from the upstream', async () => {
    const s = await setup({ synapLedgerSize: 2000 });
    const first = await ask(s, s.cached, getCreditSummary, { days: 30 });
    s.clock.now += 1000;
    const second = await ask(s, s.cached, getCreditSummary, { days: 30 });
    expect(second.requests).toBe(1);
    const rows = s.sim.synap.query({ from: second.data!.period.start, to: second.data!.period.end }).length;
    for (const { progress } of [first, second]) {
      expect(progress.length).toBeGreaterThan(1);
      expect(progress.at(-1)).toEqual({ progress: rows, total: rows });
      expect(progress.map((p) => p.progress)).toEqual([...progress.map((p) => p.progress)].sort((a, b) => a - b));
    }
  });

  it('keeps nothing wrong from a cancelled walk', async () => {
    const s = await setup({ synapLedgerSize: 6000, latencyMs: 15 });
    // The walk's deadline is counted from the simulated clock: it starts at the real now.
    s.clock.now = Math.max(s.clock.now, Date.now());
    const controller = new AbortController();
    const cancelled = await callTool(getCreditLedger, s.cached, { provider: 'synap', scan_limit: 100_000 }, {
      now: () => s.clock.now,
      signal: controller.signal,
      progress: (walked) => {
        if (walked >= 1500) controller.abort();
      },
    });
    expect(cancelled.text).toMatch(/^Cancelled/);
    expect(budgetOf(s.cached).reserved).toBe(0);
    // Requests sent just before the cancel may still be arriving: wait until the count is still
    // and none is open, then a walk that went on would show within the pause.
    let seen: number;
    do {
      seen = s.sim.stats.requests;
      await new Promise((r) => setTimeout(r, 50));
      await until(() => s.sim.stats.inFlight === 0);
    } while (s.sim.stats.requests !== seen);
    await new Promise((r) => setTimeout(r, 200));
    expect(s.sim.stats.requests).toBe(seen);
    for (const args of [{ scan_limit: 100_000 }, { from: iso(s.clock.now - 30 * DAY), scan_limit: 100_000 }]) {
      const cached = await ask(s, s.cached, getCreditLedger, args);
      expect(cached.data).toEqual((await ask(s, s.uncached, getCreditLedger, args)).data);
    }
  });

  it('stops at the rate limit with exact partial totals, and the cursor resumes with the cache on or off', async () => {
    const s = await setup({ synapLedgerSize: 1500 }, { CREDIT_MCP_SYNAP_PAGE_SIZE: '100' });
    // A burst of three, then a request every three seconds: after a walk's first page the rate
    // gate lets two more go and declines the fourth, whose turn would come after the budget.
    const rateLimit = { limit: 20, windowMs: 60_000, burst: 3 };
    const short = { concurrency: 8, budgetMs: 2000 };
    const long = { concurrency: 8, budgetMs: 30_000 };
    // Each first call is a server's first (its rate gate knows nothing yet); each resuming one
    // has never met the rate limit, and the cached one holds the whole ledger, read before.
    const fresh = (cacheEntries: string) =>
      new ProviderRegistry(loadConfig(envFor(s.sim, { CREDIT_MCP_SYNAP_PAGE_SIZE: '100', CREDIT_MCP_CACHE_ENTRIES: cacheEntries })), () => s.clock.now);
    const [freshCached, freshUncached] = [fresh('200000'), fresh('0')];
    await ask(s, s.cached, getCreditLedger, { scan_limit: 100_000 });
    try {
      for (const [start, resume] of [
        [freshCached, s.uncached],
        [freshUncached, s.cached],
      ] as const) {
        // Each first call meets a full burst, and a deadline counted from the real now.
        s.sim.setRateLimit(rateLimit);
        s.clock.now = Math.max(s.clock.now, Date.now());
        const first = await callTool(getCreditLedger, start, { provider: 'synap', scan_limit: 100_000, limit: 10 }, { now: () => s.clock.now, walk: short });
        expect(first.result.isError, first.text).toBeFalsy();
        expect(first.data!.complete).toBe(false);
        expect(first.data!.partial_reason).toMatch(/^The upstream rate limit paused the scan/);
        expect(first.data!.scanned).toBe(300);
        expect(s.sim.stats.rateLimited).toBe(0);
        const all = s.sim.synap.query({ to: first.data!.filters.to });
        expect(first.data!.totals.count).toBe(300);
        expect(first.data!.totals.net).toBeCloseTo(all.slice(0, 300).reduce((t, e) => t + e.delta, 0), 4);
        // The rest is read without the rate limit: the resumed scan is what is checked here.
        s.sim.setRateLimit(undefined);
        let page = first.data!;
        const rows = [...page.entries];
        while (page.next_cursor && rows.length < 40) {
          const next = await callTool(getCreditLedger, resume, { provider: 'synap', cursor: page.next_cursor, limit: 10 }, { now: () => s.clock.now, walk: long });
          expect(next.result.isError, next.text).toBeFalsy();
          page = next.data!;
          rows.push(...page.entries);
        }
        expect(page.complete).toBe(true);
        expect(page.totals.count).toBe(all.length);
        expect(page.totals.net).toBeCloseTo(all.reduce((t, e) => t + e.delta, 0), 4);
        expect(rows.map((r: { ledger_id: string }) => r.ledger_id)).toEqual(all.slice(0, rows.length).map((e) => e.ledger_id));
      }
    } finally {
      await freshCached.closeAll();
      await freshUncached.closeAll();
    }
  });
});

describe('memory', () => {
  it('holds at most CREDIT_MCP_CACHE_ENTRIES entries over many windows, answers unchanged', async () => {
    const s = await setup({ synapLedgerSize: 3000 }, { CREDIT_MCP_CACHE_ENTRIES: '700' });
    const cache = cacheOf(s.cached);
    const windows = [
      { from: iso(s.clock.now - 10 * DAY), scan_limit: 100_000 },
      { entry_type: 'credit', scan_limit: 100_000 },
      { from: iso(s.clock.now - 5 * DAY), to: iso(s.clock.now - 2 * DAY), scan_limit: 100_000 },
      { scan_limit: 100_000 },
      { from: iso(s.clock.now - 90 * DAY), to: iso(s.clock.now - 80 * DAY), entry_type: 'debit', scan_limit: 100_000 },
    ];
    for (const args of [...windows, ...windows]) {
      const cached = await ask(s, s.cached, getCreditLedger, args);
      expect(cache.held).toBeLessThanOrEqual(700);
      expect(cached.data).toEqual((await ask(s, s.uncached, getCreditLedger, args)).data);
    }
    expect(cache.held).toBeGreaterThan(0);
    expect(cacheOf(s.uncached).held).toBe(0);
  });

  it('counts what running calls hold: concurrent walks of several keys stay within the shared bound', async () => {
    const bound = 1000;
    const tenants = [1, 2, 3].map((i) => ({ keys: { signalFoundry: `sf_bound_key_${i}0000000`, synap: `synap_bound_key_${i}0000000` }, synapLedgerSize: 3000 }));
    const sim = await startSimulator({ synapLedgerSize: 3000, latencyMs: 2, tenants });
    const pool = new TenantPool({ baseUrls: { 'signal-foundry': new URL(sim.url), synap: new URL(sim.url) }, timeoutMs: 10_000, ledger: { cacheEntries: bound, synapPageSize: 100 } });
    const budget = pool.cacheBudget;
    let most = 0;
    let mostReserved = 0;
    const sample = () => {
      most = Math.max(most, budget.counted);
      mostReserved = Math.max(mostReserved, budget.reserved);
    };
    try {
      // One call alone: what it holds as it walks is the rows it read, counted one by one.
      const solo = pool.lease({ 'x-synap-api-key': sim.keys.synap });
      const seen: Array<[number, number]> = [];
      const alone = await callTool(getCreditLedger, solo.registry, { provider: 'synap', scan_limit: 100_000, from: new Date(Date.now() - 10 * DAY).toISOString() }, {
        progress: (walked) => seen.push([walked, budget.reserved]),
      });
      solo.release();
      expect(alone.data!.scanned).toBeLessThan(bound);
      expect(seen.at(-1)).toEqual([alone.data!.scanned, alone.data!.scanned]);
      expect(budget.reserved).toBe(0);
      expect(budget.held).toBe(alone.data!.scanned);
      for (const args of [{ scan_limit: 100_000 }, { scan_limit: 100_000, from: new Date(Date.now() - 60 * DAY).toISOString() }]) {
        // Four keys walk 3000 entries each at once, twice: each call would hold up to the bound by itself.
        const answers = await Promise.all(
          sim.tenants.map(async (tenant) => {
            const lease = pool.lease({ 'x-synap-api-key': tenant.keys.synap });
            try {
              const { data } = await callTool(getCreditLedger, lease.registry, { provider: 'synap', ...args }, { progress: sample });
              return { tenant, data: data! };
            } finally {
              lease.release();
            }
          }),
        );
        for (const { tenant, data } of answers) {
          const truth = tenant.synap.query({ ...(data.filters.from ? { from: data.filters.from } : {}), to: data.filters.to });
          expect(data.complete).toBe(true);
          expect(data.totals.count).toBe(truth.length);
          expect(data.totals.net).toBeCloseTo(truth.reduce((t, e) => t + e.delta, 0), 4);
        }
        expect(budget.reserved).toBe(0);
        expect(budget.held).toBeGreaterThan(0);
      }
      // Calls held rows while they ran, and never more than the bound with what was held.
      expect(mostReserved).toBeGreaterThan(0);
      expect(most).toBeLessThanOrEqual(bound);
    } finally {
      await pool.closeAll();
      await sim.close();
    }
  });

  it('with CREDIT_MCP_CACHE_ENTRIES=0 holds nothing and asks exactly what it asked before the cache', async () => {
    const s = await setup({ synapLedgerSize: 1500 }, { CREDIT_MCP_SYNAP_PAGE_SIZE: '100' });
    for (let i = 0; i < 2; i++) {
      const off = await ask(s, s.uncached, getCreditSummary, { days: 30 });
      const rows = s.sim.synap.query({ from: off.data!.period.start, to: off.data!.period.end }).length;
      expect(off.ledgerRequests).toBe(Math.ceil(rows / 100));
    }
    expect(cacheOf(s.uncached).held).toBe(0);
  });
});
