// get_credit_ledger's guarantees, against the simulator's own ground truth over real HTTP:
// exact totals, a pinned snapshot, and cursor chains with every row once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProviderRegistry } from '../src/providers/registry.js';
import { getCreditLedger } from '../src/tools/get-credit-ledger.js';
import { callTool, registryFor, startSimulator, type Simulator } from './helpers.js';

let sim: Simulator;
let registry: ProviderRegistry;

beforeAll(async () => {
  sim = await startSimulator({ synapLedgerSize: 3000 });
  registry = registryFor(sim);
});
afterAll(async () => {
  await registry.closeAll();
  await sim.close();
});

const ledger = (args: Record<string, unknown>, extra = {}) => callTool(getCreditLedger, registry, args, extra);

function sums(rows: Array<{ delta: number }>) {
  return {
    count: rows.length,
    credits_added: rows.filter((r) => r.delta > 0).reduce((s, r) => s + r.delta, 0),
    credits_used: rows.filter((r) => r.delta < 0).reduce((s, r) => s - r.delta, 0),
    net: rows.reduce((s, r) => s + r.delta, 0),
  };
}

function expectTotals(actual: Record<string, number>, rows: Array<{ delta: number }>) {
  const want = sums(rows);
  expect(actual.count).toBe(want.count);
  expect(actual.credits_added).toBeCloseTo(want.credits_added, 4);
  expect(actual.credits_used).toBeCloseTo(want.credits_used, 4);
  expect(actual.net).toBeCloseTo(want.net, 4);
}

async function followChain(first: Record<string, any>, args: Record<string, unknown>) {
  const rows = [...first.entries];
  let cursor = first.next_cursor as string | null;
  let pages = 1;
  while (cursor) {
    const { data, result } = await ledger({ provider: 'synap', cursor, ...args });
    expect(result.isError).toBeFalsy();
    rows.push(...data!.entries);
    cursor = data!.next_cursor;
    if (++pages > 500) throw new Error('cursor chain does not end');
  }
  return rows;
}

describe('get_credit_ledger on synap', () => {
  it('totals every matching entry exactly and breaks them down', async () => {
    const { data, text } = await ledger({ provider: 'synap', entry_type: 'debit', scan_limit: 100000 });
    const truth = sim.synap.query({ entry_type: 'debit', to: data!.filters.to });
    expect(data!.total_matching).toBe(truth.length);
    expect(data!.scanned).toBe(truth.length);
    expect(data!.complete).toBe(true);
    expect(data!.partial_reason).toBeNull();
    expectTotals(data!.totals, truth);
    const ingestion = truth.filter((e) => e.category === 'ingestion');
    const row = data!.by_category.find((c: any) => c.category === 'ingestion');
    expect(row.count).toBe(ingestion.length);
    expect(row.net).toBeCloseTo(sums(ingestion).net, 4);
    expect(data!.entries.map((e: any) => e.ledger_id)).toEqual(truth.slice(0, 20).map((e) => e.ledger_id));
    expect(text).toContain('check_balance');
  });

  it('covers exactly the newest scan_limit entries when the scan stops early', async () => {
    const { data } = await ledger({ provider: 'synap', scan_limit: 250, limit: 5 });
    const truth = sim.synap.query({ to: data!.filters.to });
    expect(data!.scanned).toBe(250);
    expect(data!.complete).toBe(false);
    expect(data!.total_matching).toBe(truth.length);
    expect(data!.partial_reason).toMatch(/scan_limit 250/);
    expectTotals(data!.totals, truth.slice(0, 250));
  });

  it('applies inclusive from/to bounds', async () => {
    const all = sim.synap.entries();
    const to = all[100]!.created_at;
    const from = all[300]!.created_at;
    const { data } = await ledger({ provider: 'synap', from, to, limit: 100 });
    const truth = sim.synap.query({ from, to });
    expect(data!.total_matching).toBe(truth.length);
    expect(truth.map((e) => e.ledger_id)).toContain(all[100]!.ledger_id);
    expect(truth.map((e) => e.ledger_id)).toContain(all[300]!.ledger_id);
    expectTotals(data!.totals, truth);
  });

  it('yields every matching row exactly once along the cursor chain', async () => {
    const first = await ledger({ provider: 'synap', entry_type: 'debit', limit: 97 });
    const rows = await followChain(first.data!, { limit: 97 });
    const truth = sim.synap.query({ entry_type: 'debit', to: first.data!.filters.to });
    expect(rows.map((r) => r.ledger_id)).toEqual(truth.map((e) => e.ledger_id));
  });

  it('keeps the snapshot pinned while entries are written upstream mid-walk', async () => {
    const before = sim.synap.query({});
    let inserted = 0;
    const first = await ledger(
      { provider: 'synap', limit: 50, scan_limit: 100000 },
      {
        progress: () => {
          // New usage lands upstream while the walk is under way.
          if (inserted < 3) {
            sim.synap.insert({ delta: -1000 });
            inserted++;
          }
        },
      },
    );
    expect(inserted).toBe(3);
    const pinned = first.data!.filters.to;
    const snapshot = before.filter((e) => Date.parse(e.created_at) <= Date.parse(pinned));
    expectTotals(first.data!.totals, snapshot);
    expect(first.data!.total_matching).toBe(snapshot.length);
    sim.synap.insert({ delta: -5 });
    const rows = await followChain(first.data!, { limit: 50 });
    expect(rows.map((r) => r.ledger_id)).toEqual(snapshot.map((e) => e.ledger_id));
  });

  it('counts no row twice when a back-dated entry shifts the offsets mid-walk', async () => {
    const start = Date.now();
    const before = sim.synap.query({ to: new Date(start).toISOString() });
    let shifted = false;
    const { data } = await ledger(
      { provider: 'synap', limit: 10, scan_limit: 100000 },
      {
        now: () => start,
        progress: (walked: number) => {
          if (!shifted && walked >= 100) {
            // Lands in the part already read, so every later row moves down one offset.
            sim.synap.insert({ delta: -3, created_at: new Date(start - 1000).toISOString() });
            shifted = true;
          }
        },
      },
    );
    expect(shifted).toBe(true);
    expectTotals(data!.totals, before);
  });

  it('refuses a tampered cursor and a cursor reused with other filters, before any upstream call', async () => {
    const first = await ledger({ provider: 'synap', entry_type: 'debit', limit: 5 });
    const cursor = first.data!.next_cursor as string;
    const requests = sim.stats.requests;
    const tampered = await ledger({ provider: 'synap', cursor: cursor.slice(0, -2) + (cursor.endsWith('A') ? 'BB' : 'AA') });
    expect(tampered.result.isError).toBe(true);
    expect(tampered.text).toMatch(/cursor/);
    const other = await ledger({ provider: 'synap', cursor, entry_type: 'credit' });
    expect(other.result.isError).toBe(true);
    expect(other.text).toMatch(/cursor was made for entry_type=debit/);
    const wrongProvider = await ledger({ provider: 'signal-foundry', cursor });
    expect(wrongProvider.result.isError).toBe(true);
    expect(sim.stats.requests).toBe(requests);
    const same = await ledger({ provider: 'synap', cursor, entry_type: 'debit' });
    expect(same.result.isError).toBeFalsy();
    expect(same.data!.entries[0].ledger_id).not.toBe(first.data!.entries[0].ledger_id);
  });

  it('reports progress in order while it scans', async () => {
    const { progress } = await ledger({ provider: 'synap', scan_limit: 1000 });
    expect(progress.length).toBe(10);
    expect(progress.map((p) => p.progress)).toEqual([100, 200, 300, 400, 500, 600, 700, 800, 900, 1000]);
    expect(progress.every((p) => p.total === 1000)).toBe(true);
  });
});

describe('get_credit_ledger on signal-foundry', () => {
  it('uses the recent events as rows, signed, and says when the upstream may hold more', async () => {
    const { data, text } = await ledger({ provider: 'signal-foundry', limit: 100 });
    const events = sim.signalFoundry.events().filter((e) => Date.parse(e.recorded_at) >= Date.now() - 30 * 86_400_000 - 5000);
    expect(events.length).toBeGreaterThan(100);
    expect(data!.entries).toHaveLength(100);
    expect(data!.complete).toBe(false);
    expect(data!.total_matching).toBeNull();
    expect(data!.partial_reason).toMatch(/latest 100 events/);
    expect(data!.entries.map((e: any) => e.ledger_id)).toEqual(events.slice(0, 100).map((e) => e.credit_event_id));
    const sample = data!.entries.find((e: any) => e.metric_type === 'reservation.release');
    if (sample) expect(sample.delta).toBeGreaterThan(0);
    expect(text).toMatch(/latest 100 events/);
  });

  it('filters by entry type in the server', async () => {
    const { data } = await ledger({ provider: 'signal-foundry', entry_type: 'debit', limit: 100 });
    expect(data!.entries.length).toBeGreaterThan(0);
    expect(data!.entries.every((e: any) => e.entry_type === 'debit' && e.metric_type.startsWith('usage.') && e.delta < 0)).toBe(true);
  });

  it('asks the upstream for whole days back from `from`, and limit 100', async () => {
    const from = new Date(Date.now() - 2.5 * 86_400_000).toISOString();
    await ledger({ provider: 'signal-foundry', from });
    const last = sim.requestLog.at(-1)!;
    expect(last.query).toMatchObject({ days: '3', limit: '100' });
  });
});
