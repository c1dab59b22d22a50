// The upstream simulator, exercised over real HTTP the way the project's
// clients use it: seeded data, both APIs' validation and auth, rate limits,
// faults, and shutting down with sockets still hanging.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type SignalSummaryBody, type Simulator, type SynapLedgerEntry, type SynapLedgerPage } from '../../src/sim/index.js';

const ANCHOR = Date.UTC(2026, 10, 20, 10, 0, 0); // a Friday
const clock = (): number => ANCHOR;
const DAY = 86_400_000;

interface Answer<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

async function call<T = any>(sim: Simulator, path: string, init: RequestInit & { key?: 'synap' | 'sf' | 'none' } = {}): Promise<Answer<T>> {
  const headers = new Headers(init.headers);
  const key = init.key ?? (path.startsWith('/v1') ? 'synap' : 'sf');
  if (key !== 'none' && !headers.has('authorization') && !headers.has('x-api-key')) {
    headers.set('authorization', `Bearer ${key === 'synap' ? sim.keys.synap : sim.keys.signalFoundry}`);
  }
  const res = await fetch(`${sim.url}${path}`, { ...init, headers });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, headers: res.headers, body: body as T };
}

const ledgerUrl = (params: Record<string, string | number>): string =>
  `/v1/credits/ledger?${new URLSearchParams(Object.entries(params).map(([k, v]): [string, string] => [k, String(v)]))}`;

async function walkLedger(sim: Simulator, params: Record<string, string>): Promise<{ rows: SynapLedgerEntry[]; total: number }> {
  const rows: SynapLedgerEntry[] = [];
  let total = -1;
  for (let offset = 0; total < 0 || offset < total; offset += 100) {
    const page = await call<SynapLedgerPage>(sim, ledgerUrl({ ...params, limit: 100, offset }));
    expect(page.status).toBe(200);
    total = page.body.total;
    rows.push(...page.body.entries);
    if (page.body.entries.length === 0) break;
  }
  return { rows, total };
}

const cents = (n: number): number => Math.round(n * 100);

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ now: clock });
});
afterAll(async () => {
  await sim.close();
});

describe('seeded data', () => {
  it('is identical for the same seed and clock, and differs for another seed', async () => {
    const twin = await startSimulator({ now: clock });
    const other = await startSimulator({ now: clock, seed: 7 });
    try {
      expect(twin.synap.entries()).toEqual(sim.synap.entries());
      expect(twin.signalFoundry.events()).toEqual(sim.signalFoundry.events());
      for (const path of ['/v1/credits/balance', ledgerUrl({ offset: 250, limit: 50 }), '/api/signal-foundry/credits?days=90&limit=100', '/api/signal-foundry/credits/balance']) {
        expect((await call(twin, path)).body).toEqual((await call(sim, path)).body);
      }
      expect(other.synap.entries()[0]).not.toEqual(sim.synap.entries()[0]);
    } finally {
      await Promise.all([twin.close(), other.close()]);
    }
  });

  it('keeps further accounts apart: each key reads its own account, an unknown key none', async () => {
    const keys = { signalFoundry: 'sf_second_tenant_key_0001', synap: 'synap_second_tenant_key_0001' };
    const multi = await startSimulator({ now: clock, synapLedgerSize: 300, signalEventCount: 40, tenants: [{ keys, seed: 9, synapLedgerSize: 120 }] });
    try {
      const [first, second] = multi.tenants;
      expect(first!.keys).toEqual(multi.keys);
      expect(second!.synap.entries()).toHaveLength(120);
      expect(multi.synap.entries()).toHaveLength(300);
      const as = (key: string, path: string) => call(multi, path, { headers: { authorization: `Bearer ${key}` } });
      expect((await as(keys.synap, '/v1/credits/balance')).body).toEqual(second!.synap.balance());
      expect((await as(multi.keys.synap, '/v1/credits/balance')).body).toEqual(multi.synap.balance());
      expect(second!.synap.balance().balance_credits).not.toBe(multi.synap.balance().balance_credits);
      const page = await as(keys.synap, ledgerUrl({ limit: 5 }));
      expect(page.body.total).toBe(120);
      expect(page.body.entries).toEqual(second!.synap.entries().slice(0, 5));
      expect((await as(keys.signalFoundry, '/api/signal-foundry/credits/balance')).body.balance).toEqual(second!.signalFoundry.balance());
      // Keys are per API too: a Synap key is no Signal Foundry key.
      expect((await as(keys.synap, '/api/signal-foundry/credits/balance')).status).toBe(401);
      expect((await as('synap_nobody', '/v1/credits/balance')).body).toMatchObject({ code: 'CREDENTIAL_INVALID' });
    } finally {
      await multi.close();
    }
  });

  it('gives Synap a plausible ledger whose balance is the sum of its deltas', () => {
    const entries = sim.synap.entries();
    expect(entries).toHaveLength(2500);
    const types = new Map<string, number>();
    for (const e of entries) types.set(e.entry_type, (types.get(e.entry_type) ?? 0) + 1);
    expect(types.get('debit')).toBeGreaterThan(2400);
    expect(types.get('credit')).toBeGreaterThanOrEqual(6);
    for (const t of ['promo', 'expiration', 'redemption']) expect(types.get(t)).toBeGreaterThanOrEqual(1);

    expect(new Set(entries.map((e) => e.ledger_id)).size).toBe(entries.length);
    for (const e of entries) {
      expect(e.ledger_id).toMatch(/^led_[0-9a-f]{16}$/);
      expect(e.created_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}\+00:00$/);
      expect(Math.abs(e.delta * 100 - cents(e.delta))).toBeLessThan(1e-6);
      if (e.entry_type === 'debit' || e.entry_type === 'expiration') expect(e.delta).toBeLessThan(0);
      else expect(e.delta).toBeGreaterThan(0);
    }
    const oldest = Date.parse(entries.at(-1)!.created_at);
    expect(ANCHOR - oldest).toBeGreaterThan(175 * DAY);
    expect(ANCHOR - oldest).toBeLessThan(185 * DAY);
    expect(Date.parse(entries[0]!.created_at)).toBeLessThanOrEqual(ANCHOR);

    // Newest first, ties by ledger_id descending.
    for (let i = 1; i < entries.length; i++) {
      const [a, b] = [entries[i - 1]!, entries[i]!];
      expect(a.created_at > b.created_at || (a.created_at === b.created_at && a.ledger_id > b.ledger_id)).toBe(true);
    }

    const balance = sim.synap.balance();
    const sum = entries.reduce((s, e) => s + cents(e.delta), 0);
    expect(cents(balance.balance_credits)).toBe(sum);
    expect(balance.balance_credits).toBeGreaterThan(500);
    expect(balance.warning_low).toBe(false);
    expect(balance.buckets.reduce((s, b) => s + cents(b.balance), 0)).toBe(sum);
    expect(balance.buckets.map((b) => b.source_type)).toContain('paid');
  });

  it('keeps the Synap balance positive through the whole history', () => {
    let running = 0;
    for (const e of [...sim.synap.entries()].reverse()) {
      running += cents(e.delta);
      expect(running).toBeGreaterThanOrEqual(0);
    }
  });

  it('gives Signal Foundry events and the grants contracts.md describes', () => {
    const events = sim.signalFoundry.events();
    expect(events).toHaveLength(400);
    const meters = new Set(events.map((e) => e.meter_type));
    expect([...meters].sort()).toEqual(['reservation.release', 'reservation.reserve', 'usage.basic_company', 'usage.enrichment_source']);
    for (const e of events) {
      expect(e.quantity).toBeGreaterThan(0);
      expect(e.recorded_at).toMatch(/Z$/);
      expect(ANCHOR - Date.parse(e.recorded_at)).toBeLessThan(121 * DAY);
    }

    const { grants, remaining_credits, reserved_credits, available_credits } = sim.signalFoundry.balance();
    const valid = grants.filter((g) => g.expires_at === null || Date.parse(g.expires_at) > ANCHOR);
    expect(remaining_credits).toBe(valid.reduce((s, g) => s + g.remaining_credits, 0));
    expect(reserved_credits).toBe(150);
    expect(available_credits).toBe(remaining_credits - reserved_credits);
    expect(grants.find((g) => g.source === 'free' && g.expires_at === '2026-11-30T23:59:59.000Z')).toBeDefined();
    expect(grants.find((g) => g.source === 'pro' && g.expires_at === null)).toBeDefined();
    expect(grants.find((g) => g.expires_at !== null && Date.parse(g.expires_at) < ANCHOR && g.remaining_credits > 0)).toBeDefined();
    expect(grants.find((g) => g.remaining_credits === 0)).toBeDefined();
    const pack = grants.find((g) => g.source === 'credit_pack' && g.granted_credits === 10_000)!;
    expect(pack.remaining_credits).toBeLessThan(10_000);
    expect(Date.parse(pack.expires_at!) - ANCHOR).toBeGreaterThan(40 * DAY);
  });

  // How fast it generates is the bench's to say (tests assert no wall-clock time); this checks the rows.
  it('generates a 100k-entry ledger that pages like a small one', async () => {
    const big = await startSimulator({ now: clock, synapLedgerSize: 100_000 });
    try {
      expect(big.synap.entries()).toHaveLength(100_000);
      const page = await call<SynapLedgerPage>(big, ledgerUrl({ entry_type: 'debit', offset: 50_000, limit: 100 }));
      expect(page.body.entries).toEqual(big.synap.query({ entry_type: 'debit' }).slice(50_000, 50_100));
    } finally {
      await big.close();
    }
  });
});

describe('Synap ledger API', () => {
  it('pages through exactly what query() says matches', async () => {
    const from = new Date(ANCHOR - 30 * DAY).toISOString();
    const to = '2026-11-18T10:00:00+00:00';
    const expected = sim.synap.query({ entry_type: 'debit', from, to });
    expect(expected.length).toBeGreaterThan(300);
    const { rows, total } = await walkLedger(sim, { entry_type: 'debit', from, to });
    expect(total).toBe(expected.length);
    expect(rows).toEqual(expected);
  });

  it('defaults to limit 100, offset 0, all entry types', async () => {
    const page = await call<SynapLedgerPage>(sim, '/v1/credits/ledger');
    expect(page.status).toBe(200);
    expect(page.body).toMatchObject({ total: 2500, limit: 100, offset: 0 });
    expect(page.body.entries).toEqual(sim.synap.entries().slice(0, 100));
    const last = await call<SynapLedgerPage>(sim, ledgerUrl({ offset: 2450, limit: 100 }));
    expect(last.body.entries).toHaveLength(50);
    const past = await call<SynapLedgerPage>(sim, ledgerUrl({ offset: 5000 }));
    expect(past.body).toMatchObject({ entries: [], total: 2500, offset: 5000 });
  });

  it('treats both bounds as inclusive, in any offset notation', async () => {
    const target = sim.synap.entries()[123]!;
    const at = target.created_at;
    const same = await call<SynapLedgerPage>(sim, ledgerUrl({ from: at, to: at }));
    expect(same.body.entries.map((e) => e.ledger_id)).toContain(target.ledger_id);

    // The same instant written with a Z and with another offset.
    const asZ = at.replace('+00:00', 'Z');
    const date = new Date(Date.parse(asZ) + 2 * 3_600_000).toISOString().slice(0, 19);
    const asPlusTwo = `${date}.${at.slice(20, 26)}+02:00`;
    for (const bound of [asZ, asPlusTwo]) {
      const page = await call<SynapLedgerPage>(sim, ledgerUrl({ from: bound, to: bound }));
      expect(page.body.entries.map((e) => e.ledger_id)).toContain(target.ledger_id);
    }
    // One microsecond later excludes it.
    const later = `${at.slice(0, 20)}${String(Number(at.slice(20, 26)) + 1).padStart(6, '0')}+00:00`;
    const after = await call<SynapLedgerPage>(sim, ledgerUrl({ from: later, to: later }));
    expect(after.body.entries.map((e) => e.ledger_id)).not.toContain(target.ledger_id);
  });

  it('answers FastAPI-style 422 for bad limit, offset and dates', async () => {
    const cases: [Record<string, string>, string, string][] = [
      [{ limit: '0' }, 'limit', 'greater_than_equal'],
      [{ limit: '101' }, 'limit', 'less_than_equal'],
      [{ limit: 'abc' }, 'limit', 'int_parsing'],
      [{ limit: '1.5' }, 'limit', 'int_parsing'],
      [{ offset: '-1' }, 'offset', 'greater_than_equal'],
      [{ from: 'yesterday' }, 'from', 'datetime_from_date_parsing'],
      [{ to: '2026-13-01T00:00:00Z' }, 'to', 'datetime_from_date_parsing'],
    ];
    for (const [params, field, type] of cases) {
      const res = await call(sim, `/v1/credits/ledger?${new URLSearchParams(params)}`);
      expect(res.status, JSON.stringify(params)).toBe(422);
      expect(res.body.detail[0]).toMatchObject({ loc: ['query', field], type });
      expect(typeof res.body.detail[0].msg).toBe('string');
    }
    const over = await call(sim, ledgerUrl({ limit: 101 }));
    expect(over.body.detail[0].msg).toBe('Input should be less than or equal to 100');
    // An unencoded '+' arrives as a space: no longer a valid date-time.
    const plus = await call(sim, '/v1/credits/ledger?from=2026-11-01T00:00:00+00:00');
    expect(plus.status).toBe(422);
  });

  it('spreads the seeded ledger over the history days asked for', async () => {
    const short = await startSimulator({ now: clock, synapLedgerSize: 3000, synapHistoryDays: 60 });
    try {
      const times = short.synap.entries().map((e) => Date.parse(e.created_at));
      expect(short.synap.entries()).toHaveLength(3000);
      // The opening top-up lands a couple of hours before the first usage day.
      expect(Math.min(...times)).toBeGreaterThan(ANCHOR - 61 * DAY);
      expect(short.synap.query({ from: new Date(ANCHOR - 30 * DAY).toISOString() }).length).toBeGreaterThan(1500);
    } finally {
      await short.close();
    }
  });

  it('serves at most its maximum page size, and says so as configured', async () => {
    const seen = await startSimulator({ now: clock, synapLedgerSize: 500, synapPageLimit: { max: 250 } });
    try {
      const refused = await call(seen, ledgerUrl({ limit: 251 }));
      expect(refused.status).toBe(422);
      expect(refused.body.detail[0]).toMatchObject({ loc: ['query', 'limit'], type: 'less_than_equal', ctx: { le: 250 } });
      expect((await call<SynapLedgerPage>(seen, ledgerUrl({ limit: 250 }))).body.entries).toHaveLength(250);
      seen.setSynapPageLimit({ max: 120, over: 'cap' });
      const capped = await call<SynapLedgerPage>(seen, ledgerUrl({ limit: 1000, offset: 10 }));
      expect(capped.body).toMatchObject({ total: 500, limit: 120, offset: 10 });
      expect(capped.body.entries).toEqual(seen.synap.entries().slice(10, 130));
      seen.setSynapPageLimit({ over: 'cap-unechoed' });
      const quiet = await call<SynapLedgerPage>(seen, ledgerUrl({ limit: 1000 }));
      expect(quiet.body).toMatchObject({ total: 500, limit: 1000 });
      expect(quiet.body.entries).toHaveLength(120);
    } finally {
      await seen.close();
    }
  });

  it('answers 400 INVALID_INPUT when from is after to', async () => {
    const res = await call(sim, ledgerUrl({ from: '2026-11-10T00:00:00Z', to: '2026-11-01T00:00:00Z' }));
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: 'from must not be after to', code: 'INVALID_INPUT', details: {} });
  });

  it('returns nothing for an unknown entry type', async () => {
    const res = await call<SynapLedgerPage>(sim, ledgerUrl({ entry_type: 'refund' }));
    expect(res.body).toMatchObject({ entries: [], total: 0 });
  });
});

describe('Synap balance, estimate, auth and routing', () => {
  it('serves the balance the ledger adds up to', async () => {
    const res = await call(sim, '/v1/credits/balance');
    expect(res.status).toBe(200);
    expect(res.body).toEqual(sim.synap.balance());
    expect(res.body.client_id).toBe('cli_demo_01');
  });

  it('prices estimates and validates their body', async () => {
    const post = (body: string): Promise<Answer> =>
      call(sim, '/v1/credits/estimate', { method: 'POST', body, headers: { 'content-type': 'application/json' } });
    expect((await post(JSON.stringify({ metric_type: 'llm_input_tokens', units: 1000 }))).body).toEqual({ credits_estimate: 2 });
    expect((await post(JSON.stringify({ metric_type: 'llm_output_tokens', units: 1234, item_count: 3, mode: 'fast' }))).body).toEqual({ credits_estimate: 22.212 });

    const unknown = await post(JSON.stringify({ metric_type: 'gpu_hours', units: 1 }));
    expect(unknown.status).toBe(422);
    expect(unknown.body.detail[0].loc).toEqual(['body', 'metric_type']);
    for (const units of [0, -5, '12', null]) {
      const bad = await post(JSON.stringify({ metric_type: 'retrieval_queries', units }));
      expect(bad.status, String(units)).toBe(422);
      expect(bad.body.detail[0].loc).toEqual(['body', 'units']);
    }
    const invalid = await post('{"metric_type": ');
    expect(invalid.status).toBe(400);
    expect(invalid.body).toMatchObject({ code: 'INVALID_INPUT', details: {} });
  });

  it('refuses missing and wrong keys, echoing the correlation id', async () => {
    const missing = await call(sim, '/v1/credits/balance', { key: 'none', headers: { 'x-correlation-id': 'corr-1' } });
    expect(missing.status).toBe(401);
    expect(missing.body).toEqual({ error: 'Missing API key', code: 'UNAUTHORIZED', details: {} });
    expect(missing.headers.get('x-correlation-id')).toBe('corr-1');

    const wrong = await call(sim, '/v1/credits/balance', { headers: { authorization: 'Bearer synap_nope' } });
    expect(wrong.status).toBe(401);
    expect(wrong.body).toEqual({ error: 'Invalid API key', code: 'CREDENTIAL_INVALID', details: {} });
    // Signal Foundry's key is not a Synap key.
    const crossed = await call(sim, '/v1/credits/balance', { key: 'sf' });
    expect(crossed.body.code).toBe('CREDENTIAL_INVALID');

    const ok = await call(sim, '/v1/credits/balance', { headers: { 'x-correlation-id': 'corr-2' } });
    expect(ok.headers.get('x-correlation-id')).toBe('corr-2');
  });

  it('answers 404 and 405 the FastAPI way', async () => {
    const missing = await call(sim, '/v1/credits/nothing');
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ detail: 'Not Found' });
    expect((await call(sim, '/elsewhere')).body).toEqual({ detail: 'Not Found' });
    const wrongMethod = await call(sim, '/v1/credits/ledger', { method: 'POST', body: '{}' });
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.body).toEqual({ detail: 'Method Not Allowed' });
    expect(wrongMethod.headers.get('allow')).toBe('GET');
  });
});

describe('Signal Foundry API', () => {
  it('summarises the window from the seeded events', async () => {
    const res = await call<SignalSummaryBody>(sim, '/api/signal-foundry/credits?days=30&limit=25');
    expect(res.status).toBe(200);
    const { summary, meta } = res.body;
    expect(meta).toEqual({ days: 30, recent_limit: 25 });

    const inWindow = sim.signalFoundry.events().filter((e) => Date.parse(e.recorded_at) >= ANCHOR - 30 * DAY);
    const used = inWindow.filter((e) => e.meter_type.startsWith('usage.')).reduce((s, e) => s + e.quantity, 0);
    expect(summary.used_credits).toBe(used);
    expect(summary.totalQuantity).toBe(used);
    expect(summary.recentEvents).toEqual(inWindow.slice(0, 25));
    expect(summary.lastRecordedAt).toBe(inWindow[0]!.recorded_at);
    expect(summary.periodStart).toBe(new Date(ANCHOR - 30 * DAY).toISOString());
    expect(summary.periodEnd).toBe(new Date(ANCHOR).toISOString());
    expect(summary.meterBreakdown.reduce((s, m) => s + m.quantity, 0)).toBe(inWindow.reduce((s, e) => s + e.quantity, 0));
    expect(summary.usageBreakdown.reduce((s, u) => s + u.quantity, 0)).toBe(used);

    const balance = sim.signalFoundry.balance();
    expect(summary).toMatchObject({
      remaining_credits: balance.remaining_credits,
      available_credits: balance.available_credits,
      reserved_credits: balance.reserved_credits,
    });
  });

  it('defaults to days 30 and limit 10', async () => {
    const res = await call<SignalSummaryBody>(sim, '/api/signal-foundry/credits');
    expect(res.body.meta).toEqual({ days: 30, recent_limit: 10 });
    expect(res.body.summary.recentEvents).toHaveLength(10);
  });

  it('answers invalid_query for anything but integers in range', async () => {
    for (const query of ['days=0', 'days=400', 'days=1.5', 'days=abc', 'days=', 'limit=0', 'limit=101', 'limit=-1']) {
      const res = await call(sim, `/api/signal-foundry/credits?${query}`);
      expect(res.status, query).toBe(400);
      expect(res.body.error.code).toBe('invalid_query');
      expect(typeof res.body.error.message).toBe('string');
    }
    expect((await call(sim, '/api/signal-foundry/credits?days=365&limit=100')).status).toBe(200);
  });

  it('accepts the key in either header, and refuses conflicts, unknown, expired and revoked keys', async () => {
    const key = sim.keys.signalFoundry;
    const path = '/api/signal-foundry/credits/balance';
    expect((await call(sim, path, { headers: { 'x-api-key': key } })).status).toBe(200);
    expect((await call(sim, path, { headers: { authorization: `Bearer ${key}`, 'x-api-key': key } })).status).toBe(200);

    const expectError = async (headers: Record<string, string>, status: number, code: string): Promise<void> => {
      const res = await call(sim, path, { key: 'none', headers });
      expect(res.status, code).toBe(status);
      expect(res.body.error.code).toBe(code);
      expect(typeof res.body.error.message).toBe('string');
    };
    await expectError({ authorization: `Bearer ${key}`, 'x-api-key': `${key}x` }, 400, 'api_key_conflict');
    await expectError({}, 401, 'invalid_api_key');
    await expectError({ authorization: 'Bearer sf_wrong' }, 401, 'invalid_api_key');
    await expectError({ authorization: `Bearer ${key}_expired` }, 401, 'api_key_expired');
    await expectError({ 'x-api-key': `${key}_revoked` }, 401, 'api_key_revoked');
  });

  it('serves the balance', async () => {
    const res = await call(sim, '/api/signal-foundry/credits/balance');
    expect(res.body).toEqual({ balance: sim.signalFoundry.balance() });
  });

  it('answers unknown paths and methods in its own envelope', async () => {
    expect((await call(sim, '/api/signal-foundry/credits/events')).status).toBe(404);
    const res = await call(sim, '/api/signal-foundry/credits', { method: 'DELETE' });
    expect(res.status).toBe(405);
    expect(res.body.error.code).toBe('method_not_allowed');
  });
});

describe('inserting entries', () => {
  let live: Simulator;
  let now = ANCHOR;
  beforeAll(async () => {
    live = await startSimulator({ now: () => now });
  });
  afterAll(() => live.close());

  it('adds a Synap debit at the clock time and moves the balance by its delta', async () => {
    now = ANCHOR + 60_000;
    const before = live.synap.balance().balance_credits;
    const entry = live.synap.insert();
    expect(entry).toMatchObject({ entry_type: 'debit', created_at: '2026-11-20T10:01:00.000000+00:00' });
    expect(entry.delta).toBeLessThan(0);
    expect(cents(live.synap.balance().balance_credits)).toBe(cents(before) + cents(entry.delta));

    const page = await call<SynapLedgerPage>(live, ledgerUrl({ limit: 1 }));
    expect(page.body.entries[0]).toEqual(entry);
    expect(page.body.total).toBe(2501);

    const credit = live.synap.insert({ entry_type: 'credit', delta: 250.5, created_at: '2026-10-01T00:00:00Z' });
    expect(credit.category).toBe('topup');
    expect(live.synap.query({ from: '2026-10-01T00:00:00Z', to: '2026-10-01T00:00:00Z' })).toEqual([credit]);
    const sum = live.synap.entries().reduce((s, e) => s + cents(e.delta), 0);
    expect(cents(live.synap.balance().balance_credits)).toBe(sum);
    expect(() => live.synap.insert({ ledger_id: credit.ledger_id })).toThrow();
  });

  it('adds a Signal Foundry usage event that draws on the grants', async () => {
    const before = live.signalFoundry.balance();
    const event = live.signalFoundry.insert({ quantity: 40 });
    expect(event.meter_type).toBe('usage.basic_company');
    expect(live.signalFoundry.balance().remaining_credits).toBe(before.remaining_credits - 40);
    const res = await call<SignalSummaryBody>(live, '/api/signal-foundry/credits?days=1&limit=1');
    expect(res.body.summary.recentEvents[0]).toEqual(event);
  });
});

describe('rate limiting', () => {
  let limited: Simulator;
  beforeAll(async () => {
    limited = await startSimulator({ now: clock, rateLimit: { limit: 3, windowMs: 60_000 } });
  });
  afterAll(() => limited.close());

  it('counts down per key and answers 429 in each upstream envelope', async () => {
    for (const expected of ['2', '1', '0']) {
      const res = await call(limited, '/v1/credits/balance');
      expect(res.status).toBe(200);
      expect(res.headers.get('x-ratelimit-limit')).toBe('3');
      expect(res.headers.get('x-ratelimit-remaining')).toBe(expected);
      expect(Number(res.headers.get('x-ratelimit-reset'))).toBeGreaterThanOrEqual(ANCHOR / 1000);
    }
    const refused = await call(limited, '/v1/credits/balance');
    expect(refused.status).toBe(429);
    expect(refused.body).toEqual({ error: 'Rate limit exceeded', code: 'RATE_LIMITED', details: {} });
    const retryAfter = refused.headers.get('retry-after')!;
    expect(retryAfter).toMatch(/^\d+$/);
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
    expect(refused.headers.get('x-ratelimit-remaining')).toBe('0');

    // Signal Foundry's key has its own bucket.
    for (let i = 0; i < 3; i++) expect((await call(limited, '/api/signal-foundry/credits/balance')).status).toBe(200);
    const sfRefused = await call(limited, '/api/signal-foundry/credits/balance');
    expect(sfRefused.status).toBe(429);
    expect(sfRefused.body.error.code).toBe('rate_limit_exceeded');
    expect(limited.stats.rateLimited).toBe(2);

    // Unauthenticated requests do not spend tokens and carry no rate-limit headers.
    const anonymous = await call(limited, '/v1/credits/balance', { key: 'none' });
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('x-ratelimit-limit')).toBeNull();
  });

  it('refills tokens over time and can be switched off', async () => {
    limited.setRateLimit({ limit: 1, windowMs: 200 });
    expect((await call(limited, '/v1/credits/balance')).status).toBe(200);
    expect((await call(limited, '/v1/credits/balance')).status).toBe(429);
    await new Promise((r) => setTimeout(r, 250));
    expect((await call(limited, '/v1/credits/balance')).status).toBe(200);

    limited.setRateLimit(undefined);
    const free = await call(limited, '/v1/credits/balance');
    expect(free.status).toBe(200);
    expect(free.headers.get('x-ratelimit-limit')).toBeNull();
  });
});

describe('faults, latency and shutdown', () => {
  let faulty: Simulator;
  beforeAll(async () => {
    faulty = await startSimulator({ now: clock, synapLedgerSize: 300, signalEventCount: 50 });
  });
  afterAll(() => faulty.close());

  it('answers a raw status, before auth, for the matching path and the given number of times', async () => {
    faulty.injectFault({ kind: 'status', status: 503, body: { detail: 'upstream down' }, match: '/v1/credits/ledger', times: 2, headers: { 'retry-after': '3' } });
    expect((await call(faulty, '/v1/credits/balance')).status).toBe(200); // other path untouched
    const first = await call(faulty, '/v1/credits/ledger', { key: 'none' });
    expect(first.status).toBe(503);
    expect(first.body).toEqual({ detail: 'upstream down' });
    expect(first.headers.get('retry-after')).toBe('3');
    expect((await call(faulty, '/v1/credits/ledger')).status).toBe(503);
    expect((await call(faulty, '/v1/credits/ledger')).status).toBe(200);

    faulty.injectFault({ kind: 'status', status: 502, body: '<html>Bad Gateway</html>', contentType: 'text/html' });
    const html = await call(faulty, '/api/signal-foundry/credits');
    expect(html.status).toBe(502);
    expect(html.headers.get('content-type')).toBe('text/html');
    expect(html.body).toBe('<html>Bad Gateway</html>');

    faulty.injectFault({ kind: 'status', status: 500, match: '/nowhere' });
    faulty.clearFaults();
    expect((await call(faulty, '/v1/credits/balance')).status).toBe(200);
  });

  it('resets the connection in the middle of the body', async () => {
    faulty.injectFault({ kind: 'reset-mid-body' });
    const res = await fetch(`${faulty.url}/v1/credits/ledger`, { headers: { authorization: `Bearer ${faulty.keys.synap}` } });
    expect(res.status).toBe(200);
    await expect(res.text()).rejects.toThrow();
    expect((await call(faulty, '/v1/credits/balance')).status).toBe(200);
  });

  it('hangs until the client gives up', async () => {
    faulty.injectFault({ kind: 'hang', match: '/api/signal-foundry' });
    const started = performance.now();
    await expect(fetch(`${faulty.url}/api/signal-foundry/credits`, { signal: AbortSignal.timeout(200) })).rejects.toThrow();
    expect(performance.now() - started).toBeGreaterThanOrEqual(190);
  });

  it('dribbles a valid body over the given time', async () => {
    const normal = await call(faulty, '/v1/credits/balance');
    faulty.injectFault({ kind: 'slow-body', totalMs: 300 });
    const started = performance.now();
    const slow = await call(faulty, '/v1/credits/balance');
    expect(performance.now() - started).toBeGreaterThanOrEqual(280);
    expect(slow.status).toBe(200);
    expect(slow.body).toEqual(normal.body);
  });

  it('sends an oversized but valid JSON document', async () => {
    faulty.injectFault({ kind: 'oversized', bytes: 3_000_000 });
    const res = await fetch(`${faulty.url}/v1/credits/ledger`, { headers: { authorization: `Bearer ${faulty.keys.synap}` } });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text.length).toBeGreaterThan(2_990_000);
    expect(text.length).toBeLessThanOrEqual(3_000_000);
    expect(Array.isArray(JSON.parse(text).entries)).toBe(true);
  });

  it('adds latency to every answer', async () => {
    faulty.setLatency(150);
    const started = performance.now();
    expect((await call(faulty, '/v1/credits/balance')).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
    faulty.setLatency(0);
  });

  it('records requests and counts them', async () => {
    faulty.resetStats();
    await call(faulty, '/v1/credits/estimate', { method: 'POST', body: '{"metric_type":"embedding_tokens","units":10}', headers: { 'x-correlation-id': 'c-9' } });
    await call(faulty, ledgerUrl({ entry_type: 'debit', limit: 5 }));
    expect(faulty.stats).toMatchObject({ requests: 2, rateLimited: 0, byPath: { '/v1/credits/estimate': 1, '/v1/credits/ledger': 1 } });
    const [estimateCall, ledgerCall] = faulty.requestLog.slice(-2);
    expect(estimateCall).toMatchObject({ method: 'POST', path: '/v1/credits/estimate', body: '{"metric_type":"embedding_tokens","units":10}' });
    expect(estimateCall!.headers['x-correlation-id']).toBe('c-9');
    expect(ledgerCall).toMatchObject({ method: 'GET', query: { entry_type: 'debit', limit: '5' }, rawUrl: '/v1/credits/ledger?entry_type=debit&limit=5' });
  });

  it('closes promptly even with a hung request open', async () => {
    const doomed = await startSimulator({ now: clock, synapLedgerSize: 10, signalEventCount: 10 });
    doomed.injectFault({ kind: 'hang' });
    const pending = fetch(`${doomed.url}/v1/credits/balance`).catch((error: unknown) => error);
    while (doomed.stats.inFlight === 0) await new Promise((r) => setTimeout(r, 5));
    // close() must not wait for the hung request: it ends it (the test's own timeout catches a hang).
    await doomed.close();
    expect(await pending).toBeInstanceOf(Error);
  });
});

describe('bundling', () => {
  it('works when bundled by esbuild into one ESM file', async () => {
    const { build } = await import('esbuild');
    const dir = await mkdtemp(join(tmpdir(), 'sim-bundle-'));
    try {
      const outfile = join(dir, 'sim.mjs');
      await build({ entryPoints: [join(import.meta.dirname, '../../src/sim/index.ts')], bundle: true, platform: 'node', format: 'esm', outfile, logLevel: 'silent' });
      const bundled = (await import(pathToFileURL(outfile).href)) as typeof import('../../src/sim/index.js');
      const s = await bundled.startSimulator({ now: clock });
      try {
        const res = await call(s, '/v1/credits/balance');
        expect(res.body).toEqual(sim.synap.balance());
      } finally {
        await s.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
