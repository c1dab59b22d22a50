// The two adapters against the simulator over real HTTP.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProviderRegistry } from '../src/providers/registry.js';
import { registryFor, startSimulator, type Simulator } from './helpers.js';

let sim: Simulator;
let registry: ProviderRegistry;

beforeAll(async () => {
  sim = await startSimulator();
  registry = registryFor(sim);
});
afterAll(async () => {
  await registry.closeAll();
  await sim.close();
});

describe('Signal Foundry adapter', () => {
  const sf = () => registry.resolve('signal-foundry').provider;

  it('reads the balance with its grants', async () => {
    const truth = sim.signalFoundry.balance();
    const balance = await sf().getBalance();
    expect(balance.available_credits).toBe(truth.available_credits);
    expect(balance.remaining_credits).toBe(truth.remaining_credits);
    expect(balance.reserved_credits).toBe(truth.reserved_credits);
    expect(balance.low_balance).toBeNull();
    expect(balance.grants.map((g) => g.id)).toEqual(truth.grants.map((g) => g.grant_id));
    expect(balance.grants.map((g) => g.remaining_credits)).toEqual(truth.grants.map((g) => g.remaining_credits));
  });

  it('reads the summary: usage totals, breakdowns largest first, signed recent events', async () => {
    const summary = await sf().getSummary({ days: 30, recentLimit: 7 });
    const windowStart = Date.now() - 30 * 86_400_000 - 5_000;
    const inWindow = sim.signalFoundry.events().filter((e) => Date.parse(e.recorded_at) >= windowStart);
    const used = inWindow.filter((e) => e.meter_type.startsWith('usage.')).reduce((s, e) => s + e.quantity, 0);
    expect(summary.used_credits).toBeCloseTo(used, 6);
    expect(summary.recent_events).toHaveLength(7);
    expect(summary.recent_events.map((e) => e.id)).toEqual(inWindow.slice(0, 7).map((e) => e.credit_event_id));
    for (const e of summary.recent_events) {
      expect(e.credits < 0).toBe(e.meter !== 'reservation.release');
    }
    const meters = summary.by_meter.map((m) => m.credits);
    expect(meters).toEqual([...meters].sort((a, b) => b - a));
    expect(summary.balance_snapshot?.available_credits).toBe(sim.signalFoundry.balance().available_credits);
    expect(summary.derived_from_ledger).toBe(false);
  });

  it('tells usage from reservations: the usage meters sum to used_credits, holds and releases apart', async () => {
    const summary = await sf().getSummary({ days: 30, recentLimit: 1 });
    const inWindow = sim.signalFoundry.events().filter((e) => Date.parse(e.recorded_at) >= Date.parse(summary.period.start));
    const sum = (meter: string) => inWindow.filter((e) => e.meter_type === meter).reduce((s, e) => s + e.quantity, 0);
    const kinds = Object.fromEntries(summary.by_meter.map((m) => [m.name, m.kind]));
    expect(kinds).toEqual({
      'usage.basic_company': 'usage',
      'usage.enrichment_source': 'usage',
      'reservation.reserve': 'reservation_hold',
      'reservation.release': 'reservation_release',
    });
    const usage = summary.by_meter.filter((m) => m.kind === 'usage').reduce((s, m) => s + m.credits, 0);
    expect(usage).toBeCloseTo(summary.used_credits, 6);
    // The seeded history has reservations, and they exceed what was used: the bug this guards.
    expect(sum('reservation.reserve')).toBeGreaterThan(summary.used_credits);
    expect(summary.reservations!.held).toBeCloseTo(sum('reservation.reserve'), 6);
    expect(summary.reservations!.released).toBeCloseTo(sum('reservation.release'), 6);
    expect(summary.reservations!.net).toBeCloseTo(sum('reservation.reserve') - sum('reservation.release'), 6);
    expect(summary.other_movements).toEqual([]);
  });

  it('sends exactly one auth header, as a bearer token', async () => {
    await sf().getBalance();
    const last = sim.requestLog.at(-1)!;
    expect(last.headers.authorization).toBe(`Bearer ${sim.keys.signalFoundry}`);
    expect(last.headers['x-api-key']).toBeUndefined();
  });
});

describe('Synap adapter', () => {
  const synap = () => registry.resolve('synap').provider;

  it('reads the balance: buckets become grants, warning_low becomes low_balance', async () => {
    const truth = sim.synap.balance();
    const balance = await synap().getBalance();
    expect(balance.available_credits).toBe(truth.balance_credits);
    expect(balance.remaining_credits).toBe(truth.balance_credits);
    expect(balance.reserved_credits).toBeNull();
    expect(balance.low_balance).toBe(truth.warning_low);
    expect(balance.grants.map((g) => g.source)).toEqual(truth.buckets.map((b) => b.source_type));
  });

  it('prices a write through the estimate endpoint', async () => {
    const one = await synap().estimate!({ metric_type: 'llm_input_tokens', units: 1000 });
    const two = await synap().estimate!({ metric_type: 'llm_input_tokens', units: 2000 });
    expect(one).toBeGreaterThan(0);
    expect(two).toBeCloseTo(one * 2, 3);
    const body = JSON.parse(sim.requestLog.at(-1)!.body!);
    expect(body).toEqual({ metric_type: 'llm_input_tokens', units: 2000 });
  });

  it('derives the summary from the whole window of the ledger', async () => {
    const summary = await synap().getSummary({ days: 30, recentLimit: 5 });
    const rows = sim.synap.query({ from: summary.period.start, to: summary.period.end });
    const debits = rows.filter((e) => e.entry_type === 'debit');
    expect(summary.used_credits).toBeCloseTo(debits.reduce((s, e) => s - e.delta, 0), 6);
    expect(summary.recent_events.map((e) => e.id)).toEqual(rows.slice(0, 5).map((e) => e.ledger_id));
    expect(summary.partial).toBe(false);
    expect(summary.derived_from_ledger).toBe(true);
    expect(summary.balance_snapshot).toBeNull();
    const byMeter = new Map<string, number>();
    for (const e of debits) byMeter.set(e.metric_type ?? '(none)', (byMeter.get(e.metric_type ?? '(none)') ?? 0) - e.delta);
    for (const m of summary.by_meter) expect(m.credits).toBeCloseTo(byMeter.get(m.name)!, 6);
    expect(summary.by_meter).toHaveLength(byMeter.size);
    // Every meter here is a debit's: all make up used_credits. Synap has no reservations; what
    // else moved the balance is apart, by entry type, signed as it moved it.
    expect(summary.by_meter.every((m) => m.kind === 'usage')).toBe(true);
    expect(summary.reservations).toBeNull();
    // 90 days, so a monthly top-up is always inside the window.
    const quarter = await synap().getSummary({ days: 90, recentLimit: 1 });
    const others = new Map<string, number>();
    for (const e of sim.synap.query({ from: quarter.period.start, to: quarter.period.end }).filter((r) => r.entry_type !== 'debit')) {
      others.set(e.entry_type, (others.get(e.entry_type) ?? 0) + e.delta);
    }
    expect(others.size).toBeGreaterThan(0);
    expect(quarter.other_movements.map((o) => o.name).sort()).toEqual([...others.keys()].sort());
    for (const o of quarter.other_movements) expect(o.credits).toBeCloseTo(others.get(o.name)!, 6);
  });

  it('sends a fresh correlation id per request and percent-encodes query values', async () => {
    const filters = { entry_type: 'a+b c', from: '2026-01-01T00:00:00.000Z', to: '2026-02-01T00:00:00.000Z' };
    // Two calls, each with one request: a page, then the count that confirms what the first one read.
    for (let call = 0; call < 2; call++) {
      const window = await synap().openLedger(filters);
      await window.fetchPage(filters, 0, 10);
      window.close();
    }
    const [a, b] = sim.requestLog.slice(-2);
    expect(a!.rawUrl).toContain('entry_type=a%2Bb%20c');
    expect(a!.rawUrl).toContain('from=2026-01-01T00%3A00%3A00.000Z');
    expect(a!.query.entry_type).toBe('a+b c');
    expect(a!.headers['x-correlation-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(a!.headers['x-correlation-id']).not.toBe(b!.headers['x-correlation-id']);
  });
});
