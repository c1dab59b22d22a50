// The fleet store against a real redis-server: instances (each its own connection and
// providers, in this process) share held ranges, the learned page size, walks and the key's
// rate-limit state and request budget; and each store fault (unreachable at start, killed
// mid-session and restarted, slow, full) costs requests, never an answer.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { setLogSink } from '../src/logger.js';
import { installMetrics, type MetricsSink } from '../src/metrics/record.js';
import { ProviderRegistry } from '../src/providers/registry.js';
import { TenantKeys } from '../src/store/crypto.js';
import { NO_CLAIM } from '../src/store/fleet.js';
import { MAX_STORED_ENTRIES, MAX_STORED_RANGES } from '../src/store/shared-ledger.js';
import { openFleet, type RedisFleet } from '../src/store/tenant-store.js';
import { checkBalance } from '../src/tools/check-balance.js';
import { getCreditLedger } from '../src/tools/get-credit-ledger.js';
import { getCreditSummary } from '../src/tools/get-credit-summary.js';
import { callTool, envFor, startSimulator, until, type Simulator } from './helpers.js';
import { freePort } from './nginx.js';
import { requireRedisUnderCi, startRedis, type RedisServer } from './redis.js';

const redisServer = requireRedisUnderCi();
const DAY = 86_400_000;

interface Instance {
  fleet: RedisFleet | undefined;
  registry: ProviderRegistry;
  close(): Promise<void>;
}

describe.skipIf(!redisServer)('the fleet store (real redis-server)', () => {
  let sim: Simulator;
  let redis: RedisServer;
  const logs: string[] = [];
  const counts = { joins: 0, rateWaits: 0, storeErrors: 0 };
  const open: Instance[] = [];

  const instance = (url: string | null = redis.url, extra: Record<string, string> = {}): Instance => {
    const config = loadConfig(envFor(sim, extra));
    const fleet = url ? openFleet(new URL(url), { concurrency: config.walk.concurrency }) : undefined;
    const registry = new ProviderRegistry(fleet ? { ...config, fleet } : config);
    const made = { fleet, registry, close: async () => (await registry.closeAll(), await fleet?.close()) };
    open.push(made);
    return made;
  };
  const ready = (i: Instance) => until(() => i.fleet!.connection.ready);
  const ranges = () => redis.admin().hlen(new TenantKeys('synap', sim.keys.synap).name('ranges'));
  /** A ledger question with fixed bounds: its answer is the same whenever and wherever it is asked. */
  let bounds: { from: string; to: string };
  const ledger = (i: Instance, extra: Record<string, unknown> = {}) =>
    callTool(getCreditLedger, i.registry, { provider: 'synap', scan_limit: 100_000, limit: 50, ...bounds, ...extra });
  const requests = async <T>(run: () => Promise<T>): Promise<[T, number]> => {
    const before = sim.stats.requests;
    const value = await run();
    return [value, sim.stats.requests - before];
  };

  beforeAll(async () => {
    sim = await startSimulator({ synapLedgerSize: 3000, synapHistoryDays: 108 });
    redis = await startRedis(redisServer!);
    const now = Date.now();
    bounds = { from: new Date(now - 30 * DAY).toISOString(), to: new Date(now - 60_000).toISOString() };
    setLogSink((line) => logs.push(line));
    const sink: MetricsSink = {
      upstreamRequest: () => undefined,
      cacheLookup: () => undefined,
      singleFlightJoin: () => void counts.joins++,
      rateLimitWait: () => void counts.rateWaits++,
      storeError: () => void counts.storeErrors++,
      operation: () => undefined,
    };
    installMetrics(sink);
  }, 20_000);
  beforeEach(async () => {
    await redis.admin().flushall();
    logs.length = 0;
    Object.assign(counts, { joins: 0, rateWaits: 0, storeErrors: 0 });
  });
  afterEach(async () => {
    sim.setLatency(0);
    sim.clearFaults();
    await Promise.all(open.splice(0).map((i) => i.close()));
  });
  afterAll(async () => {
    installMetrics(undefined);
    setLogSink((line) => process.stderr.write(line));
    await redis?.stop();
    await sim?.close();
  });

  it('a second instance answers from the first one\'s walk, at the page size it learned, with the same answer', async () => {
    const reference = instance(null);
    const [alone, walk] = await requests(() => ledger(reference));
    expect(alone.data!.complete).toBe(true);
    expect(walk).toBeGreaterThan(10); // 1,000 entries at 100 a page, after one refused page of 1000

    const [a, b] = [instance(), instance()];
    await Promise.all([ready(a), ready(b)]);
    const [first, firstCost] = await requests(() => ledger(a));
    expect(firstCost).toBe(walk);
    const [second, secondCost] = await requests(() => ledger(b));
    expect(second.data).toEqual(alone.data);
    expect(first.data).toEqual(alone.data);
    // One count request confirms the range the first instance stored; nothing asked at 1000 again.
    expect(secondCost).toBe(1);
    const sizes = sim.requestLog.slice(-1).map((r) => Number(r.query.limit));
    expect(sizes.every((n) => n <= 100)).toBe(true);

    // A summary on a third instance over the same days: one request too.
    const c = instance();
    await ready(c);
    const [summary, summaryCost] = await requests(() => callTool(getCreditSummary, c.registry, { provider: 'synap', days: 7 }));
    expect(summary.result.isError).toBeFalsy();
    expect(summaryCost).toBe(1);
  });

  it('three instances asking the same walk at once cost about one walk, within one budget of requests in flight', async () => {
    const reference = instance(null);
    const [alone, walk] = await requests(() => ledger(reference, { from: undefined }));
    const all = [instance(), instance(), instance()];
    await Promise.all(all.map(ready));
    sim.setLatency(15);
    sim.resetStats();
    const answers = await Promise.all(all.map((i) => ledger(i, { from: undefined })));
    for (const answer of answers) expect(answer.data).toEqual(alone.data);
    // One walk, and one count request for each instance that waited for it.
    expect(sim.stats.requests).toBeLessThanOrEqual(walk + 2);
    expect(sim.stats.requests).toBeLessThanOrEqual(Math.ceil(walk * 1.15));
    expect(counts.joins).toBeGreaterThanOrEqual(1);
    expect(sim.stats.maxInFlight).toBeLessThanOrEqual(8);
  });

  it('holds at most CREDIT_MCP_CONCURRENCY requests in flight for a key across instances walking different windows', async () => {
    const all = [instance(redis.url, { CREDIT_MCP_CONCURRENCY: '4' }), instance(redis.url, { CREDIT_MCP_CONCURRENCY: '4' }), instance(redis.url, { CREDIT_MCP_CONCURRENCY: '4' })];
    await Promise.all(all.map(ready));
    sim.setLatency(20);
    sim.resetStats();
    const types = ['debit', 'credit', undefined];
    const answers = await Promise.all(all.map((i, n) => ledger(i, { from: undefined, entry_type: types[n] })));
    for (const answer of answers) expect(answer.data!.complete).toBe(true);
    expect(sim.stats.maxInFlight).toBeLessThanOrEqual(4);
    // Alone, each walks 4 at a time: together, three times that would be in flight without the store.
    expect(sim.stats.requests).toBeGreaterThan(12);
  });

  it("pauses every instance for one instance's 429 Retry-After", async () => {
    const [a, b] = [instance(), instance()];
    await Promise.all([ready(a), ready(b)]);
    sim.injectFault({ kind: 'status', status: 429, match: '/v1/credits/balance', headers: { 'retry-after': '2' }, body: { error: 'slow down', code: 'RATE_LIMITED' } });
    const pause = new TenantKeys('synap', sim.keys.synap).name('pause');
    const first = callTool(checkBalance, a.registry, { provider: 'synap' });
    await until(() => sim.stats.rateLimited + sim.stats.requests > 0);
    // The 429 is shared as a pause in the store...
    for (let ttl = 0; ttl <= 0; ttl = await redis.admin().pttl(pause)) await new Promise((r) => setTimeout(r, 10));
    const waitsBefore = counts.rateWaits;
    // ...and the other instance waits it out before it sends anything.
    const second = await callTool(checkBalance, b.registry, { provider: 'synap' });
    expect(second.result.isError).toBeFalsy();
    expect(counts.rateWaits).toBeGreaterThan(waitsBefore);
    expect((await first).result.isError).toBeFalsy();
  });

  it('holds at most 50,000 entries and 64 ranges per key, every value with an expiry', async () => {
    const i = instance();
    await ready(i);
    const tenant = i.fleet!.tenant('synap', 'synap_bound_test_key_123');
    const keys = new TenantKeys('synap', 'synap_bound_test_key_123');
    const base = Date.parse('2026-01-01T00:00:00Z');
    // 70 ranges of 1,000 entries each, an hour apart: 70,000 entries offered.
    for (let n = 0; n < 70; n++) {
      const at = (k: number) => new Date(base + n * 3_600_000 + (999 - k) * 1000).toISOString();
      const entries = Array.from({ length: 1000 }, (_, k) => ({ ledger_id: `b${n}-${k}`, entry_type: 'debit', delta: -1, metric_type: null, category: null, created_at: at(k) }));
      tenant.ledger.after(NO_CLAIM, [{ entryType: 'debit', from: at(999), to: at(0), entries }]);
      await tenant.ledger.settled();
    }
    const admin = redis.admin();
    const index = await admin.hgetallBuffer(keys.name('ranges'));
    const held = Object.entries(index).map(([id, sealed]) => JSON.parse(keys.open(keys.name('ranges'), sealed, id)!) as { n: number });
    expect(held.length).toBeLessThanOrEqual(MAX_STORED_RANGES);
    expect(held.reduce((sum, m) => sum + m.n, 0)).toBeLessThanOrEqual(MAX_STORED_ENTRIES);
    expect(held.reduce((sum, m) => sum + m.n, 0)).toBeGreaterThan(MAX_STORED_ENTRIES - 1000);
    const values = await admin.keys(`${keys.name('ranges')}:*`);
    expect(values).toHaveLength(held.length);
    for (const name of [...values, keys.name('ranges')]) expect(await admin.pttl(name)).toBeGreaterThan(0);
    tenant.close();
  });

  it('is unreachable at start: answers as without it, one warning, and uses it once it is there', async () => {
    const port = await freePort();
    const i = instance(`redis://127.0.0.1:${port}`);
    const reference = instance(null);
    const [alone] = await requests(() => ledger(reference));
    const [answer] = await requests(() => ledger(i));
    expect(answer.data).toEqual(alone.data);
    expect(logs.filter((l) => l.includes('shared store unreachable'))).toHaveLength(1);
    const late = await startRedis(redisServer!, [], port);
    try {
      await ready(i);
      await ledger(i, { entry_type: 'debit' });
      await until(() => logs.some((l) => l.includes('shared store available again')));
      const index = new TenantKeys('synap', sim.keys.synap).name('ranges');
      for (let n = 0; n === 0; n = await late.admin().hlen(index)) await new Promise((r) => setTimeout(r, 10));
      expect(logs.filter((l) => l.includes('shared store unreachable'))).toHaveLength(1);
    } finally {
      await late.stop();
    }
  });

  it('is killed mid-session: every answer stays right; once restarted it is used again', async () => {
    const reference = instance(null);
    const [a, b] = [instance(), instance()];
    await Promise.all([ready(a), ready(b)]);
    const truth = [(await ledger(reference)).data, (await ledger(reference, { entry_type: 'debit' })).data, (await ledger(reference, { entry_type: 'credit' })).data];
    expect((await ledger(a)).data).toEqual(truth[0]);
    await redis.kill();
    expect((await ledger(b, { entry_type: 'debit' })).data).toEqual(truth[1]);
    expect((await ledger(a, { entry_type: 'credit' })).data).toEqual(truth[2]);
    expect((await ledger(b)).data).toEqual(truth[0]);
    await until(() => logs.filter((l) => l.includes('shared store unreachable')).length >= 2);
    await redis.restart();
    await Promise.all([ready(a), ready(b)]);
    expect((await ledger(b, { entry_type: 'credit' })).data).toEqual(truth[2]);
    for (let n = 0; n === 0; n = await ranges()) await new Promise((r) => setTimeout(r, 10));
    // One warning per instance for the store going, whatever the number of calls meanwhile.
    expect(logs.filter((l) => l.includes('shared store unreachable'))).toHaveLength(2);
    expect(logs.filter((l) => l.includes('shared store available again')).length).toBeGreaterThanOrEqual(1);
  }, 20_000);

  it('is slow: calls go on without it and answer right', async () => {
    const reference = instance(null);
    const a = instance();
    await ready(a);
    const truth = (await ledger(reference)).data;
    const sleeper = redis.admin().duplicate();
    sleeper.on('error', () => undefined);
    const slept = sleeper.call('DEBUG', 'SLEEP', '1.5');
    await new Promise((r) => setTimeout(r, 50));
    expect((await ledger(a)).data).toEqual(truth);
    await slept;
    sleeper.disconnect();
    expect(logs.filter((l) => l.includes('shared store slower than'))).toHaveLength(1);
    expect(counts.storeErrors).toBeGreaterThan(0);
  });

  it('is full: calls answer right, one warning, and it is used again once it has room', async () => {
    const reference = instance(null);
    const a = instance();
    await ready(a);
    const truth = (await ledger(reference)).data;
    await redis.admin().config('SET', 'maxmemory-policy', 'noeviction');
    await redis.admin().config('SET', 'maxmemory', '1');
    try {
      expect((await ledger(a)).data).toEqual(truth);
      await until(() => logs.some((l) => l.includes('shared store full')));
      expect(await ranges()).toBe(0);
      expect((await ledger(a, { entry_type: 'debit' })).data).toEqual((await ledger(reference, { entry_type: 'debit' })).data);
    } finally {
      await redis.admin().config('SET', 'maxmemory', '0');
    }
    await ledger(a, { entry_type: 'credit' });
    for (let n = 0; n === 0; n = await ranges()) await new Promise((r) => setTimeout(r, 10));
    expect(logs.filter((l) => l.includes('shared store full'))).toHaveLength(1);
  });
});
