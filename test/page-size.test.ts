// Synap's page size learned from the upstream, against simulators that serve at most 100 rows
// a page and say so in each of the ways an upstream can: a 422 naming the maximum, a smaller
// `limit` echo, or only a short page while `total` says more rows exist.
import { afterEach, describe, expect, it } from 'vitest';
import type { ProviderRegistry } from '../src/providers/registry.js';
import type { SynapPageLimit } from '../src/sim/index.js';
import { getCreditLedger } from '../src/tools/get-credit-ledger.js';
import { getCreditSummary } from '../src/tools/get-credit-summary.js';
import { callTool, registryFor, startSimulator, type Simulator } from './helpers.js';

const LEDGER = '/v1/credits/ledger';
const open: Array<{ sim: Simulator; registry: ProviderRegistry }> = [];
afterEach(async () => {
  for (const { sim, registry } of open.splice(0)) {
    await registry.closeAll();
    await sim.close();
  }
});

/** Without the cache, so every request counted is one the walk itself made. */
async function setup(pageLimit: Partial<SynapPageLimit>, size = 2345, unservedRows = 0) {
  const sim = await startSimulator({ synapLedgerSize: size, synapPageLimit: pageLimit, synapUnservedRows: unservedRows });
  const registry = registryFor(sim, { CREDIT_MCP_CACHE_ENTRIES: '0' });
  open.push({ sim, registry });
  return { sim, registry };
}

const limitsAsked = (sim: Simulator) => sim.requestLog.filter((r) => r.path === LEDGER).map((r) => Number(r.query.limit));

async function walkAll(sim: Simulator, registry: ProviderRegistry, walk = { concurrency: 8, budgetMs: 60_000 }, progress?: (walked: number) => void) {
  const { data, result, text } = await callTool(getCreditLedger, registry, { provider: 'synap', scan_limit: 100_000 }, { walk, ...(progress ? { progress } : {}) });
  expect(result.isError, text).toBeFalsy();
  const truth = sim.synap.query({ to: data!.filters.to });
  expect(data!.complete).toBe(true);
  expect(data!.scanned).toBe(truth.length);
  expect(data!.total_matching).toBe(truth.length);
  expect(data!.totals.count).toBe(truth.length);
  expect(data!.totals.net).toBeCloseTo(truth.reduce((s, e) => s + e.delta, 0), 4);
  expect(data!.entries.map((e: { ledger_id: string }) => e.ledger_id)).toEqual(truth.slice(0, 20).map((e) => e.ledger_id));
  return truth.length;
}

describe('Synap page size, learned from the upstream', () => {
  const cases: Array<[SynapPageLimit['over'], string, number]> = [
    ['refuse', 'a 422 naming the maximum: that page is asked again at 100', 1],
    ['cap', 'a smaller limit echo: the 100 rows served are kept', 0],
    ['cap-unechoed', 'only a short page while total says more exist: the 100 rows served are kept', 0],
  ];
  for (const [over, how, extra] of cases) {
    it(`${over}: ${how}; exact totals, and 1000 is never asked again`, async () => {
      const { sim, registry } = await setup({ max: 100, over });
      const rows = await walkAll(sim, registry);
      expect(sim.stats.byPath[LEDGER]).toBe(extra + Math.ceil(rows / 100));
      // The second question asks 100 from its first page on.
      const summary = await callTool(getCreditSummary, registry, { provider: 'synap', days: 90 });
      const window = sim.synap.query({ from: summary.data!.period.start, to: summary.data!.period.end });
      expect(summary.data!.partial).toBe(false);
      expect(summary.data!.used_credits).toBeCloseTo(window.filter((e) => e.entry_type === 'debit').reduce((s, e) => s - e.delta, 0), 4);
      const limits = limitsAsked(sim);
      expect(limits[0]).toBe(1000);
      expect(limits.slice(1).every((l) => l <= 100)).toBe(true);
      expect(sim.stats.byPath[LEDGER]).toBe(extra + Math.ceil(rows / 100) + Math.ceil(window.length / 100));
    });
  }

  it('keeps offsets consistent when the upstream serves fewer rows a page in the middle of a walk', async () => {
    const { sim, registry } = await setup({ max: 1000, over: 'refuse' }, 5000);
    let lowered = false;
    const rows = await walkAll(sim, registry, { concurrency: 1, budgetMs: 60_000 }, (walked) => {
      if (walked >= 1000 && !lowered) {
        sim.setSynapPageLimit({ max: 300, over: 'cap-unechoed' });
        lowered = true;
      }
    });
    // 1000, then 300 where 1000 was asked (the walk reads on from there), then pages of 300.
    expect(sim.stats.byPath[LEDGER]).toBe(2 + Math.ceil((rows - 1300) / 300));
    expect(limitsAsked(sim).slice(0, 3)).toEqual([1000, 1000, 300]);
  });

  it('stays exact with pages in flight when the size drops twice mid-walk, once by refusal', async () => {
    const { sim, registry } = await setup({ max: 1000, over: 'refuse' }, 6000);
    let step = 0;
    await walkAll(sim, registry, { concurrency: 8, budgetMs: 60_000 }, (walked) => {
      if (walked >= 1000 && step === 0) sim.setSynapPageLimit({ max: 300, over: 'cap-unechoed' }), step++;
      else if (walked >= 2500 && step === 1) sim.setSynapPageLimit({ max: 70, over: 'refuse' }), step++;
    });
    expect(step).toBe(2);
    // Pages already asked for when a size changed come back short or refused; from then on, and
    // in the next question, nothing above 70 is asked.
    const before = sim.requestLog.length;
    await walkAll(sim, registry);
    expect(limitsAsked({ ...sim, requestLog: sim.requestLog.slice(before) }).every((l) => l <= 70)).toBe(true);
  });

  it('falls back on the documented 100 when a refusal names no maximum', async () => {
    const { sim, registry } = await setup({ max: 100, over: 'refuse' });
    sim.injectFault({ match: LEDGER, kind: 'status', status: 400, body: { error: 'limit is too large', code: 'INVALID_INPUT', details: {} } });
    const rows = await walkAll(sim, registry);
    expect(sim.stats.byPath[LEDGER]).toBe(1 + Math.ceil(rows / 100));
    expect(limitsAsked(sim).slice(0, 2)).toEqual([1000, 100]);
  });

  it('takes a 422 about another argument for what it is, not for a page size', async () => {
    const { sim, registry } = await setup({ max: 100, over: 'refuse' });
    const detail = [{ type: 'datetime_from_date_parsing', loc: ['query', 'from'], msg: 'Input should be a valid datetime', input: 'x' }];
    sim.injectFault({ match: LEDGER, kind: 'status', status: 422, body: { detail } });
    const refused = await callTool(getCreditLedger, registry, { provider: 'synap' });
    expect(refused.result.isError).toBe(true);
    expect(refused.text).toMatch(/HTTP 422.*from: Input should be a valid datetime/);
    await walkAll(sim, registry);
    expect(limitsAsked(sim).slice(0, 3)).toEqual([1000, 1000, 100]);
  });

  it('takes a 400 that mentions limit for another reason for what it is: one retry, the upstream\'s own error, the size kept', async () => {
    const { sim, registry } = await setup({ max: 100, over: 'refuse' });
    const body = { error: 'date range exceeds the limit of 365 days', code: 'INVALID_INPUT', details: {} };
    sim.injectFault({ match: LEDGER, kind: 'status', status: 400, body, times: 1000 });
    for (let call = 0; call < 2; call++) {
      const refused = await callTool(getCreditLedger, registry, { provider: 'synap' });
      expect(refused.result.isError).toBe(true);
      expect(refused.text).toMatch(/INVALID_INPUT \(HTTP 400\)\. date range exceeds the limit of 365 days/);
    }
    // Each call asks its size, then the one number the text names, once; never 100, 50, ... 1.
    expect(limitsAsked(sim)).toEqual([1000, 365, 1000, 365]);
    sim.clearFaults();
    const before = limitsAsked(sim).length;
    const rows = await walkAll(sim, registry);
    // The size was never lowered: 1000 is asked, refused by the simulator's 422 naming 100, and 100 learned.
    expect(limitsAsked(sim).slice(before, before + 3)).toEqual([1000, 100, 100]);
    expect(sim.stats.byPath[LEDGER]).toBe(4 + 1 + Math.ceil(rows / 100));
  });

  it('restores the size when a refusal naming limit is repeated word for word at the smaller size', async () => {
    const { sim, registry } = await setup({ max: 100, over: 'refuse' });
    const detail = [{ type: 'int_parsing', loc: ['query', 'limit'], msg: 'Input should be a valid integer', input: 'x' }];
    sim.injectFault({ match: LEDGER, kind: 'status', status: 422, body: { detail }, times: 2 });
    const refused = await callTool(getCreditLedger, registry, { provider: 'synap' });
    expect(refused.text).toMatch(/HTTP 422\)\. limit: Input should be a valid integer/);
    expect(limitsAsked(sim)).toEqual([1000, 100]);
    await walkAll(sim, registry);
    expect(limitsAsked(sim).slice(2, 5)).toEqual([1000, 100, 100]);
  });

  it('reads the maximum from a refusal whose envelope details name limit', async () => {
    const { sim, registry } = await setup({ max: 250, over: 'refuse' });
    sim.injectFault({ match: LEDGER, kind: 'status', status: 400, body: { error: 'Page too large', code: 'INVALID_INPUT', details: { field: 'limit', max: 250 } } });
    const rows = await walkAll(sim, registry);
    expect(limitsAsked(sim).slice(0, 3)).toEqual([1000, 250, 250]);
    expect(sim.stats.byPath[LEDGER]).toBe(1 + Math.ceil(rows / 250));
  });
});

describe('a short page', () => {
  it('from an upstream that counts rows it no longer returns leaves the size alone', async () => {
    // 1003 rows served, 1005 counted: the last page has 3 rows where 5 are said to remain.
    const { sim, registry } = await setup({ max: 1000, over: 'refuse' }, 1003, 2);
    for (let walk = 0; walk < 2; walk++) {
      const before = limitsAsked(sim).length;
      const rows = await walkAll(sim, registry);
      expect(rows).toBe(1003);
      // The page after the short one is asked at its length and comes back empty: the rows end there.
      expect(limitsAsked(sim).slice(before)).toEqual([1000, 1000, 3]);
    }
  });

  it('followed by a page of the same rows again leaves the size alone', async () => {
    const { sim, registry } = await setup({ max: 1000, over: 'refuse' }, 1003, 10);
    let repeated = false;
    const rows = await walkAll(sim, registry, { concurrency: 8, budgetMs: 60_000 }, (walked) => {
      if (walked === 1003 && !repeated) {
        // Past its rows this upstream serves its last ones again.
        const last = sim.synap.entries().slice(1000);
        sim.injectFault({ match: LEDGER, kind: 'status', status: 200, body: { entries: last, total: 1013, limit: 3, offset: 1003 } });
        repeated = true;
      }
    });
    expect(repeated).toBe(true);
    expect(rows).toBe(1003);
    expect(limitsAsked(sim)).toEqual([1000, 1000, 3]);
    await walkAll(sim, registry);
    expect(limitsAsked(sim).slice(3)).toEqual([1000, 1000, 3]);
  });

  it('from an upstream that caps pages silently is learned from the page after it, mid-walk too', async () => {
    const { sim, registry } = await setup({ max: 1000, over: 'refuse' }, 4000, 0);
    let lowered = false;
    const rows = await walkAll(sim, registry, { concurrency: 8, budgetMs: 60_000 }, (walked) => {
      if (walked >= 1000 && !lowered) {
        sim.setSynapPageLimit({ max: 300, over: 'cap-unechoed' });
        lowered = true;
      }
    });
    const limits = limitsAsked(sim);
    // Pages asked at 1000 in flight when the cap came each serve 300; from the page after the
    // first short one (asked at 300, and full) every page is asked at 300.
    // The first page, then three planned with it at 1000 while the cap came: each serves 300.
    // The page after the first short one is asked at 300 and comes back full: from then on
    // every page is asked at 300, and the walk reads on from each short page's end.
    expect(limits.filter((l) => l === 1000)).toHaveLength(4);
    expect(limits.filter((l) => l !== 1000).every((l) => l === 300)).toBe(true);
    expect(limits).toHaveLength(4 + Math.ceil((rows - 1300) / 300));
    const before = limits.length;
    await walkAll(sim, registry);
    expect(sim.requestLog.length - before).toBe(Math.ceil(rows / 300));
  });
});
