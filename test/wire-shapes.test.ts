// Upstream bodies in the variants the contract allows (camelCase twins, numeric strings, aliases,
// extra fields) read the same as the documented shape; anything else is refused naming the field.
// Every body is served by the simulator on a real socket.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ProviderRegistry } from '../src/providers/registry.js';
import { checkBalance } from '../src/tools/check-balance.js';
import { getCreditLedger } from '../src/tools/get-credit-ledger.js';
import { getCreditSummary } from '../src/tools/get-credit-summary.js';
import { callTool, registryFor, startSimulator, type Simulator } from './helpers.js';

let sim: Simulator;
let registry: ProviderRegistry;
beforeAll(async () => {
  sim = await startSimulator();
  registry = registryFor(sim);
});
afterEach(() => sim.clearFaults());
afterAll(async () => {
  await registry.closeAll();
  await sim.close();
});

const serve = (match: string, body: object) => sim.injectFault({ match, kind: 'status', status: 200, body, times: 1 });
const FUTURE = '2099-01-31T00:00:00+09:00';

describe('Signal Foundry balance', () => {
  it('reads camelCase twins, numeric strings and aliases like the documented names', async () => {
    serve('/api/signal-foundry/credits/balance', {
      balance: {
        availableCredits: '1500.5',
        remainingCredits: 1600,
        reservedCredits: '99.5',
        grants: [{ id: 'g1', type: 'pro', remainingCredits: '700', expiresAt: FUTURE, grantedCredits: 20000, note: 'extra' }],
        plan: 'pro',
      },
    });
    const { data } = await callTool(checkBalance, registry, { provider: 'signal-foundry' });
    expect(data).toMatchObject({
      available_credits: 1500.5,
      remaining_credits: 1600,
      reserved_credits: 99.5,
      grants: [{ id: 'g1', source: 'pro', remaining_credits: 700, expires_at: '2099-01-30T15:00:00.000Z' }],
      next_expiry: { expires_at: '2099-01-30T15:00:00.000Z', remaining_credits: 700 },
    });
  });

  it.each([
    [{ balance: { available_credits: 'lots' } }, 'body.balance.available_credits is not a number'],
    [{ balance: {} }, 'body.balance.available_credits is missing'],
    [{ balance: { available_credits: 5, grants: {} } }, 'body.balance.grants is not a list'],
    [{ balance: { available_credits: 5, grants: [{ remainingCredits: 1, expiresAt: 'soon' }] } }, 'body.balance.grants[0].expires_at is not a date-time'],
    [{ credits: 5 }, 'body.balance is missing'],
  ])('refuses %j naming the field', async (body, says) => {
    serve('/api/signal-foundry/credits/balance', body);
    const { result, text } = await callTool(checkBalance, registry, { provider: 'signal-foundry' });
    expect(result.isError).toBe(true);
    expect(text).toContain('unexpected_shape (HTTP 200)');
    expect(text).toContain(says);
  });
});

describe('Signal Foundry summary', () => {
  it('reads totalQuantity for used_credits, camelCase breakdowns and events, and an id alias', async () => {
    serve('/api/signal-foundry/credits', {
      summary: {
        totalQuantity: '42',
        availableCredits: 1000,
        periodStart: '2026-11-01T00:00:00Z',
        periodEnd: '2026-12-01T00:00:00Z',
        meterBreakdown: [{ meterType: 'usage.basic_company', quantity: 40 }, { meterType: 'reservation.reserve', quantity: '2' }],
        usageBreakdown: [{ usageKey: 'list.enrich', quantity: 42 }],
        recentEvents: [{ id: 7, meterType: 'usage.basic_company', quantity: 40, usageKey: 'list.enrich', recordedAt: '2026-11-30T10:00:00Z' }],
      },
      meta: { days: 30, recent_limit: 10 },
    });
    const { data, text } = await callTool(getCreditSummary, registry, { provider: 'signal-foundry' });
    expect(data).toMatchObject({
      used_credits: 42,
      period: { start: '2026-11-01T00:00:00Z', end: '2026-12-01T00:00:00Z' },
      by_meter: [{ meter: 'usage.basic_company', credits: 40, kind: 'usage' }, { meter: 'reservation.reserve', credits: 2, kind: 'reservation_hold' }],
      reservations: { held: 2, released: 0, net: 2 },
      by_usage: [{ usage: 'list.enrich', credits: 42 }],
      recent_events: [{ id: '7', meter: 'usage.basic_company', usage: 'list.enrich', credits: -40, at: '2026-11-30T10:00:00Z' }],
      balance_snapshot: { available_credits: 1000, remaining_credits: null, reserved_credits: null },
    });
    // The upstream's total is reported as it is; that its usage meters sum to less is said, not hidden.
    expect(text.split('\n').slice(1, 4)).toEqual([
      'Used, by meter: usage.basic_company 40.',
      'The usage meters sum to 40; signal-foundry reports 42 used.',
      'Reservations, apart from usage: held 2, released 0 (net 2).',
    ]);
  });

  it('keeps a meter it does not know out of the usage, named apart', async () => {
    serve('/api/signal-foundry/credits', {
      summary: {
        totalQuantity: 30,
        availableCredits: 1000,
        meterBreakdown: [{ meterType: 'usage.basic_company', quantity: 30 }, { meterType: 'bonus.grant', quantity: 500 }],
      },
    });
    const { data, text } = await callTool(getCreditSummary, registry, { provider: 'signal-foundry' });
    expect(data!.by_meter).toEqual([
      { meter: 'bonus.grant', credits: 500, kind: 'other' },
      { meter: 'usage.basic_company', credits: 30, kind: 'usage' },
    ]);
    expect(text.split('\n').slice(1, 4)).toEqual([
      'Used, by meter: usage.basic_company 30.',
      'Other meters, not counted as used: bonus.grant 500.',
      'Reservations, apart from usage: held 0, released 0 (net 0).',
    ]);
  });

  it('names a bad event field by its path', async () => {
    serve('/api/signal-foundry/credits', { summary: { used_credits: 1, available_credits: 1, recentEvents: [{ id: 'e', quantity: [], recorded_at: '2026-11-30T10:00:00Z' }] } });
    const { text } = await callTool(getCreditSummary, registry, { provider: 'signal-foundry' });
    expect(text).toContain('body.summary.recent_events[0].quantity is not a number');
  });
});

describe('Synap', () => {
  it('reads a balance with camelCase twins and numeric strings', async () => {
    serve('/v1/credits/balance', { clientId: 'c1', balanceCredits: '812.25', warningLow: true, buckets: [{ sourceType: 'promo', balance: '12.25', expiresAt: FUTURE }] });
    const { data } = await callTool(checkBalance, registry, { provider: 'synap' });
    expect(data).toMatchObject({ available_credits: 812.25, low_balance: true, grants: [{ id: null, source: 'promo', remaining_credits: 12.25 }] });
  });

  it('reads ledger entries with camelCase twins and an `id` alias, and names a bad one', async () => {
    serve('/v1/credits/ledger', {
      entries: [{ id: 'L1', entryType: 'debit', delta: '-2.5', metricType: 'llm_input_tokens', category: 'agents', createdAt: '2026-11-30T10:00:00Z', usd: 1 }],
      total: 1,
      limit: 100,
      offset: 0,
    });
    const { data } = await callTool(getCreditLedger, registry, { provider: 'synap' });
    expect(data?.entries).toEqual([{ ledger_id: 'L1', entry_type: 'debit', delta: -2.5, metric_type: 'llm_input_tokens', category: 'agents', created_at: '2026-11-30T10:00:00Z' }]);
    expect(data?.totals).toEqual({ count: 1, credits_added: 0, credits_used: 2.5, net: -2.5 });

    serve('/v1/credits/ledger', { entries: [{ ledger_id: 'L1', entry_type: 'debit', delta: -1, created_at: '2026-11-30T10:00:00Z' }, { entry_type: 'debit', delta: -1, created_at: '2026-11-30T09:00:00Z' }], total: 2 });
    const { text } = await callTool(getCreditLedger, registry, { provider: 'synap' });
    expect(text).toContain('body.entries[1].ledger_id is missing');
  });

  it('names the first bad field of a ledger entry, or the entry itself when it is not an object', async () => {
    const good = { ledger_id: 'L1', entry_type: 'debit', delta: -1, created_at: '2026-11-30T10:00:00Z' };
    const cases: [unknown, string][] = [
      ['L2', 'body.entries[1] is not an object'],
      [[good], 'body.entries[1] is not an object'],
      [null, 'body.entries[1] is missing'],
      [{ ...good, delta: 'lots' }, 'body.entries[1].delta is not a number'],
      [{ ...good, entry_type: { a: 1 }, created_at: 'yesterday' }, 'body.entries[1].entry_type is not text'],
      [{ ...good, createdAt: 'yesterday', created_at: undefined }, 'body.entries[1].created_at is not a date-time'],
      [{ ...good, metricType: true }, 'body.entries[1].metric_type is not text'],
    ];
    for (const [entry, expected] of cases) {
      serve('/v1/credits/ledger', { entries: [good, entry], total: 2 });
      const { text } = await callTool(getCreditLedger, registry, { provider: 'synap' });
      expect(text).toContain(expected);
    }
  });

  it('takes a ledger page whose `limit` echo is not a count: the echo only hints at the page size', async () => {
    serve('/v1/credits/ledger', { entries: [{ ledger_id: 'L1', entry_type: 'debit', delta: -1, created_at: '2026-11-30T10:00:00Z' }], total: 1, limit: 'all' });
    const { data, result } = await callTool(getCreditLedger, registry, { provider: 'synap' });
    expect(result.isError).toBeFalsy();
    expect(data?.total_matching).toBe(1);
  });
});
