// The ledger walk at scale, against the simulator over real HTTP: exact totals on a large
// ledger, bounded concurrency, no 429s under a rate budget, resumable stops, cancellation.
import { afterEach, describe, expect, it } from 'vitest';
import type { ProviderRegistry } from '../src/providers/registry.js';
import { getCreditLedger } from '../src/tools/get-credit-ledger.js';
import { getCreditSummary } from '../src/tools/get-credit-summary.js';
import { callTool, registryFor, startSimulator, type Simulator } from './helpers.js';

const open: Array<{ sim: Simulator; registry: ProviderRegistry }> = [];
afterEach(async () => {
  for (const { sim, registry } of open.splice(0)) {
    await registry.closeAll();
    await sim.close();
  }
});

async function setup(options: Parameters<typeof startSimulator>[0], env: Record<string, string> = {}) {
  const sim = await startSimulator(options);
  const registry = registryFor(sim, env);
  open.push({ sim, registry });
  return { sim, registry };
}

function sums(rows: Array<{ delta: number; category: string | null }>) {
  let added = 0;
  let used = 0;
  for (const r of rows) {
    if (r.delta > 0) added += r.delta;
    else used -= r.delta;
  }
  return { count: rows.length, added, used, net: added - used };
}

describe('ledger walk at scale', () => {
  it('totals 30,000 entries exactly, with concurrency bounded as configured', async () => {
    const { sim, registry } = await setup({ synapLedgerSize: 30_000, latencyMs: 5 });
    sim.resetStats();
    const { data } = await callTool(getCreditLedger, registry, { provider: 'synap', scan_limit: 100_000 }, { walk: { concurrency: 4, budgetMs: 60_000 } });
    const truth = sums(sim.synap.query({ to: data!.filters.to }));
    expect(data!.complete).toBe(true);
    expect(data!.scanned).toBe(truth.count);
    expect(data!.totals.count).toBe(truth.count);
    expect(data!.totals.credits_added).toBeCloseTo(truth.added, 4);
    expect(data!.totals.credits_used).toBeCloseTo(truth.used, 4);
    expect(data!.totals.net).toBeCloseTo(truth.net, 4);
    expect(sim.stats.maxInFlight).toBeLessThanOrEqual(4);
    expect(sim.stats.maxInFlight).toBeGreaterThan(1);
    // The first page asks for 1000 and is refused (the simulator serves 100): that size is never asked again.
    expect(sim.stats.byPath['/v1/credits/ledger']).toBe(1 + Math.ceil(truth.count / 100));
  });

  it('draws no 429 under a rate budget and still totals exactly', async () => {
    const { sim, registry } = await setup({ synapLedgerSize: 4000, rateLimit: { limit: 900, windowMs: 60_000, burst: 10 } });
    const { data } = await callTool(getCreditLedger, registry, { provider: 'synap', scan_limit: 100_000 }, { walk: { concurrency: 8, budgetMs: 60_000 } });
    expect(sim.stats.rateLimited).toBe(0);
    expect(data!.complete).toBe(true);
    expect(data!.totals.count).toBe(sim.synap.query({ to: data!.filters.to }).length);
  });

  it('on a free-tier key, stops at its budget with exact partial totals and resumes from the cursor', async () => {
    const { sim, registry } = await setup({ synapLedgerSize: 1500, rateLimit: { limit: 60, windowMs: 60_000, burst: 10 } });
    const walk = { concurrency: 8, budgetMs: 1500 };
    const first = await callTool(getCreditLedger, registry, { provider: 'synap', scan_limit: 100_000, limit: 10 }, { walk });
    const all = sim.synap.query({ to: first.data!.filters.to });
    expect(first.data!.complete).toBe(false);
    // The burst is spent well within the budget; on a starved machine the budget may run out first.
    expect(first.data!.partial_reason).toMatch(/rate limit paused the scan|scan used its time budget/);
    expect(first.data!.scanned).toBeLessThan(all.length);
    const head = sums(all.slice(0, first.data!.scanned));
    expect(first.data!.totals.count).toBe(head.count);
    expect(first.data!.totals.net).toBeCloseTo(head.net, 4);
    expect(first.data!.next_cursor).toBeTruthy();

    // The burst is spent: the next call waits (within its budget) for the bucket to refill.
    let page = first.data!;
    const rows = [...page.entries];
    for (let i = 0; i < 5 && page.next_cursor; i++) {
      const next = await callTool(getCreditLedger, registry, { provider: 'synap', cursor: page.next_cursor, limit: 10 }, { walk: { ...walk, budgetMs: 15_000 } });
      expect(next.result.isError).toBeFalsy();
      page = next.data!;
      rows.push(...page.entries);
      if (page.complete) break;
    }
    expect(page.complete).toBe(true);
    const whole = sums(all);
    expect(page.totals.count).toBe(whole.count);
    expect(page.totals.net).toBeCloseTo(whole.net, 4);
    expect(rows.map((r: { ledger_id: string }) => r.ledger_id)).toEqual(all.slice(0, rows.length).map((e) => e.ledger_id));
    expect(sim.stats.rateLimited).toBe(0);
  });

  it('reports a used-up rate budget on a single call without sending a request', async () => {
    const { sim, registry } = await setup({ rateLimit: { limit: 1, windowMs: 60_000, burst: 1 } });
    const first = await callTool(getCreditSummary, registry, { provider: 'signal-foundry' });
    expect(first.result.isError).toBeFalsy();
    const before = sim.stats.requests;
    const second = await callTool(getCreditSummary, registry, { provider: 'signal-foundry' });
    expect(second.result.isError).toBe(true);
    expect(second.text).toMatch(/rate_limited.*no request was sent/);
    expect(second.text).toMatch(/retry_after_seconds: \d+/);
    expect(sim.stats.requests).toBe(before);
  });

  it('derives the synap summary with the same walker, concurrently', async () => {
    const { sim, registry } = await setup({ synapLedgerSize: 20_000, latencyMs: 2 });
    sim.resetStats();
    const { data, progress } = await callTool(getCreditSummary, registry, { provider: 'synap', days: 90 }, { walk: { concurrency: 6, budgetMs: 60_000 } });
    const rows = sim.synap.query({ from: data!.period.start, to: data!.period.end });
    const used = rows.filter((r) => r.entry_type === 'debit').reduce((s, r) => s - r.delta, 0);
    expect(data!.used_credits).toBeCloseTo(used, 4);
    expect(data!.partial).toBe(false);
    expect(sim.stats.maxInFlight).toBeGreaterThan(1);
    expect(sim.stats.maxInFlight).toBeLessThanOrEqual(6);
    expect(progress.at(-1)).toEqual({ progress: rows.length, total: rows.length });
  });

  it('stops every upstream request when the call is cancelled', async () => {
    const { sim, registry } = await setup({ synapLedgerSize: 20_000, latencyMs: 40 });
    const controller = new AbortController();
    sim.resetStats();
    const call = callTool(getCreditLedger, registry, { provider: 'synap', scan_limit: 100_000 }, {
      signal: controller.signal,
      walk: { concurrency: 4, budgetMs: 60_000 },
      progress: (walked) => {
        if (walked >= 300) controller.abort();
      },
    });
    const { text, result } = await call;
    expect(result.isError).toBe(true);
    expect(text).toMatch(/Cancelled/);
    const started = sim.stats.requests;
    await new Promise((r) => setTimeout(r, 300));
    expect(sim.stats.requests).toBe(started);
    expect(sim.stats.inFlight).toBe(0);
    expect(started).toBeLessThan(20);
  });
});

describe('cursor pages around an unfinished scan', () => {
  it('returns the next rows in order when a resumed scan starts inside the page', async () => {
    // One token is one page: the page size is set to what the simulator serves, so none is spent on learning it.
    const { sim, registry } = await setup({ synapLedgerSize: 1000, rateLimit: { limit: 60, windowMs: 60_000, burst: 1 } }, { CREDIT_MCP_SYNAP_PAGE_SIZE: '100' });
    const first = await callTool(getCreditLedger, registry, { provider: 'synap', limit: 90, scan_limit: 100_000 }, { walk: { concurrency: 4, budgetMs: 300 } });
    expect(first.data!.scanned).toBe(100);
    const all = sim.synap.query({ to: first.data!.filters.to });
    const next = await callTool(getCreditLedger, registry, { provider: 'synap', cursor: first.data!.next_cursor, limit: 30 }, { walk: { concurrency: 4, budgetMs: 5000 } });
    expect(next.result.isError, next.text).toBeFalsy();
    expect(next.data!.entries.map((e: { ledger_id: string }) => e.ledger_id)).toEqual(all.slice(90, 120).map((e) => e.ledger_id));
  });

  it('ends the chain when the upstream counts rows it does not return', async () => {
    const { sim, registry } = await setup({});
    const rows = sim.synap.entries().slice(0, 50);
    sim.injectFault({ match: '/v1/credits/ledger', kind: 'status', status: 200, times: 100, body: { entries: rows, total: 300, limit: 100, offset: 0 } });
    const { data } = await callTool(getCreditLedger, registry, { provider: 'synap', limit: 100 });
    expect(data!.entries).toHaveLength(50);
    expect(data!.total_matching).toBe(50);
    expect(data!.complete).toBe(true);
    expect(data!.next_cursor).toBeNull();
    expect(data!.partial_reason).toBeNull();
    expect(data!.guidance).toMatch(/count changed during the walk/);
  });
});
