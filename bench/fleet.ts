// A fleet: the measurement, three `credit-mcp http` instances round robin behind the
// README's nginx, with and without one redis-server as their shared store (CREDIT_MCP_REDIS_URL),
// against one instance alone. A 30,000-entry Synap ledger, pages of at most 100, 30 ms per
// request. Upstream requests are counted by the simulator (in this process, so it can count
// them and the requests in flight for the key); every answer is checked against one instance's.
import { Pool } from 'undici';
import type { Client } from '@modelcontextprotocol/client';
import { startSimulator, type Simulator } from '../src/sim/index.js';
import { findNginx, startNginx, type Nginx } from '../test/nginx.js';
import { findRedis, startRedis, type RedisServer } from '../test/redis.js';
import { connectHttp, startHttpServer, type HttpServer } from '../test/remote.js';
import { load, type Target } from './http.js';
import { fmt, percentile, table, type Row } from './stats.js';

const ENTRIES = 30_000;
const HISTORY_DAYS = 108;
const LATENCY_MS = 30;
const DAY = 86_400_000;
const LOAD_CLIENTS = 32;
const LOAD_CALLS = 1500;
const LOAD_ROUNDS = 3;

type Call = [label: string, tool: string, args: (now: number) => Record<string, unknown>];
/**
 * The ledger questions' windows are pinned to when the bench started (30 days back, less an
 * hour, to a minute before): each session asks the very same windows, so their answers can be
 * compared exactly, and each lies within the summary's 30 days asked before it.
 */
const T0 = Date.now();
const TO = new Date(T0 - 60_000).toISOString();
const back = (days: number) => new Date(T0 - days * DAY + 3_600_000).toISOString();
const SESSION: Call[] = [
  ['summary 30 d', 'get_credit_summary', () => ({ provider: 'synap', days: 30 })],
  ['debits 30 d', 'get_credit_ledger', () => ({ provider: 'synap', entry_type: 'debit', from: back(30), to: TO, scan_limit: 100_000 })],
  ['debits 7 d', 'get_credit_ledger', () => ({ provider: 'synap', entry_type: 'debit', from: back(7), to: TO, scan_limit: 100_000 })],
  ['summary 7 d', 'get_credit_summary', () => ({ provider: 'synap', days: 7 })],
  ['all entries 30 d', 'get_credit_ledger', () => ({ provider: 'synap', from: back(30), to: TO, scan_limit: 100_000 })],
  ['summary 30 d again', 'get_credit_summary', () => ({ provider: 'synap', days: 30 })],
  ['balance', 'check_balance', () => ({ provider: 'synap' })],
];
/** The whole ledger, as three agents ask it at once. */
const FULL_WALK = { provider: 'synap', scan_limit: 100_000, limit: 20 };

interface Setup {
  instances: HttpServer[];
  proxy?: Nginx;
  /** Where clients go: nginx, or the one instance. */
  url: URL;
  stop(): Promise<void>;
}

/** Fresh instances (nothing cached, no page size learned), each with `env`, behind nginx when more than one. */
async function setUp(sim: Simulator, count: number, nginx: string | undefined, extra: Record<string, string> = {}): Promise<Setup> {
  const env = { SYNAP_API_KEY: sim.keys.synap, SYNAP_BASE_URL: sim.url, ...extra };
  const instances = await Promise.all(Array.from({ length: count }, () => startHttpServer(env)));
  const proxy = count > 1 ? await startNginx(nginx!, instances.map((i) => i.port), { tls: false }) : undefined;
  return {
    instances,
    proxy,
    url: proxy?.url ?? instances[0]!.mcp,
    stop: async () => {
      await proxy?.stop();
      await Promise.all(instances.map((i) => i.stop()));
    },
  };
}

/** The session, one question after another: requests per question, and the answers that do not depend on the moment. */
async function session(sim: Simulator, client: Client): Promise<{ perQuestion: number[]; answers: unknown[] }> {
  const perQuestion: number[] = [];
  const answers: unknown[] = [];
  for (const [label, tool, args] of SESSION) {
    const before = sim.stats.requests;
    const result = await client.callTool({ name: tool, arguments: args(Date.now()) });
    const data = result.structuredContent as Record<string, unknown>;
    if (result.isError || data.partial === true || data.complete === false) throw new Error(`fleet session: "${label}" did not complete`);
    perQuestion.push(sim.stats.requests - before);
    // A summary's window moves with the moment it is asked; the ledger windows and the balance do not.
    answers.push(tool === 'get_credit_summary' ? null : tool === 'check_balance' ? data.available_credits : data);
  }
  return { perQuestion, answers };
}

/** Three agents, one per instance, asking the whole ledger at the same moment: requests, the most in flight, the answers. */
async function atOnce(sim: Simulator, setup: Setup): Promise<{ requests: number; maxInFlight: number; answers: unknown[] }> {
  const clients = await Promise.all(setup.instances.map((i) => connectHttp(i.mcp, 'modern')));
  sim.resetStats();
  const to = new Date(Date.now() - 1000).toISOString();
  const results = await Promise.all(clients.map((c) => c.callTool({ name: 'get_credit_ledger', arguments: { ...FULL_WALK, to } })));
  const stats = { requests: sim.stats.requests, maxInFlight: sim.stats.maxInFlight };
  await Promise.all(clients.map((c) => c.close()));
  for (const r of results) if (r.isError || (r.structuredContent as { complete: boolean }).complete !== true) throw new Error('fleet: a full walk did not complete');
  return { ...stats, answers: results.map((r) => (r.structuredContent as { totals: unknown }).totals) };
}

/** Closed-loop check_balance calls through nginx: calls/s and p50, over LOAD_ROUNDS rounds. */
async function callRate(setup: Setup): Promise<{ rate: number; p50: number; failed: number; calls: number }> {
  const target: Target = { name: 'fleet', url: setup.url, tool: 'check_balance', pool: new Pool(setup.url.origin, { connections: LOAD_CLIENTS }) };
  try {
    await load(target, LOAD_CLIENTS, 300); // warm
    const latencies: number[] = [];
    let failed = 0;
    let ms = 0;
    for (let round = 0; round < LOAD_ROUNDS; round++) {
      const r = await load(target, LOAD_CLIENTS, LOAD_CALLS);
      latencies.push(...r.latencies);
      failed += r.failed;
      ms += r.ms;
    }
    return { rate: ((latencies.length + failed) / ms) * 1000, p50: percentile(latencies, 50), failed, calls: latencies.length + failed };
  } finally {
    await target.pool.close();
  }
}

/**
 * Round trips to the store (the commands an instance sends: a script counts once, with the
 * time of the commands inside it), and the microseconds the store spent on them, from INFO
 * commandstats. The commands scripts run inside are counted there under their own names too:
 * those are left out.
 */
const SENT = new Set(['eval', 'evalsha', 'zrem', 'hgetall', 'get', 'set', 'multi', 'exists', 'hset', 'hdel', 'del']);
async function storeWork(redis: RedisServer): Promise<{ calls: number; usec: number }> {
  const info = await redis.admin().info('commandstats');
  let calls = 0;
  let usec = 0;
  for (const m of info.matchAll(/^cmdstat_([^:]+):calls=(\d+),usec=(\d+)/gm)) {
    if (!SENT.has(m[1]!)) continue;
    calls += Number(m[2]);
    usec += Number(m[3]);
  }
  return { calls, usec };
}

export async function benchFleet(): Promise<string> {
  const nginx = findNginx();
  const redisBinary = findRedis();
  if (!nginx || !redisBinary) return `\nFleet: NOT MEASURED (${!nginx ? 'nginx' : 'redis-server'} not found: apt-get install nginx redis-server)`;
  const sim = await startSimulator({ synapLedgerSize: ENTRIES, synapHistoryDays: HISTORY_DAYS, latencyMs: LATENCY_MS });
  const redis = await startRedis(redisBinary);
  const withStore = { CREDIT_MCP_REDIS_URL: redis.url };
  try {
    // The session: one instance, three without the store, three with it.
    const sessions: Array<{ perQuestion: number[]; answers: unknown[] }> = [];
    for (const [count, extra] of [[1, {}], [3, {}], [3, withStore]] as const) {
      await redis.admin().flushall();
      const setup = await setUp(sim, count, nginx, extra);
      try {
        const client = await connectHttp(setup.url, 'modern');
        sessions.push(await session(sim, client));
        await client.close();
      } finally {
        await setup.stop();
      }
    }
    const same = (a: unknown[], b: unknown[]) => JSON.stringify(a) === JSON.stringify(b);
    if (!sessions.every((s) => same(s.answers, sessions[0]!.answers))) throw new Error('fleet: the session answered differently on the fleet');
    const total = (s: { perQuestion: number[] }) => s.perQuestion.reduce((a, b) => a + b, 0);
    const one = total(sessions[0]!);
    const sessionRows: Row[] = SESSION.map(([label], i) => [label, ...sessions.map((s) => String(s.perQuestion[i]))]);
    sessionRows.push(['session requests', ...sessions.map((s) => String(total(s)))], ['x one instance', ...sessions.map((s) => fmt(total(s) / one, 3))]);

    // One walk of the whole ledger, then three agents asking it at once, without and with the store.
    const single = await setUp(sim, 1, nginx);
    let walk: { requests: number; maxInFlight: number; answers: unknown[] };
    try {
      walk = await atOnce(sim, single);
    } finally {
      await single.stop();
    }
    const together: Array<{ requests: number; maxInFlight: number; answers: unknown[] }> = [];
    for (const extra of [{}, withStore]) {
      await redis.admin().flushall();
      const setup = await setUp(sim, 3, nginx, extra);
      try {
        together.push(await atOnce(sim, setup));
      } finally {
        await setup.stop();
      }
    }
    for (const t of together) for (const a of t.answers) if (!same([a], walk.answers)) throw new Error('fleet: an agent got another answer');
    const walkRows: Row[] = [
      ['one agent, one instance', String(walk.requests), fmt(1, 3), String(walk.maxInFlight)],
      ['three agents at once, three instances, no store', String(together[0]!.requests), fmt(together[0]!.requests / walk.requests, 3), String(together[0]!.maxInFlight)],
      ['three agents at once, three instances, one store', String(together[1]!.requests), fmt(together[1]!.requests / walk.requests, 3), String(together[1]!.maxInFlight)],
    ];

    // HTTP calls/s with the store against without, and what the store costs per call.
    sim.setLatency(0);
    const rates: Array<{ rate: number; p50: number; failed: number; calls: number; store?: { calls: number; usec: number } }> = [];
    for (const extra of [{}, withStore]) {
      await redis.admin().flushall();
      await redis.admin().config('RESETSTAT');
      const setup = await setUp(sim, 3, nginx, extra);
      try {
        const before = await storeWork(redis);
        const r = await callRate(setup);
        const after = await storeWork(redis);
        rates.push({ ...r, store: { calls: after.calls - before.calls, usec: after.usec - before.usec } });
      } finally {
        await setup.stop();
      }
    }
    const [off, on] = rates as [(typeof rates)[0], (typeof rates)[0]];
    const perCall = (r: typeof on) => r.store!.calls / r.calls;
    const rateRows: Row[] = [
      ['three instances behind nginx, no store', String(off.calls), String(off.failed), fmt(off.rate, 0), fmt(off.p50, 2), fmt(1, 2), '-', '-'],
      ['three instances behind nginx, one store', String(on.calls), String(on.failed), fmt(on.rate, 0), fmt(on.p50, 2), fmt(on.rate / off.rate, 2), fmt(perCall(on), 2), fmt(on.store!.usec / on.calls, 1)],
    ];
    return [
      table(
        `Fleet session: ${ENTRIES.toLocaleString('en-US')} Synap entries, pages of at most 100, ${LATENCY_MS} ms per request; upstream requests per question, one instance against three round robin behind nginx without and with the shared store (target: with the store <= 1.15 x one instance, answers identical)`,
        ['question', 'one instance', 'three, no store', 'three, one store'],
        sessionRows,
      ),
      table(
        'Fleet, three agents asking the whole ledger at once, one per instance: upstream requests and the most in flight for the key (target: <= 1.15 x one walk, <= 10 in flight; the upstream\'s burst is 10)',
        ['walk', 'requests', 'x one walk', 'max in flight'],
        walkRows,
      ),
      table(
        `Fleet HTTP: check_balance, ${LOAD_CLIENTS} clients, ${LOAD_ROUNDS} rounds of ${LOAD_CALLS} calls, upstream without latency (target: with the store >= 0.9 x the calls/s without); the store's work per call from its INFO commandstats (a request waiting for a slot in the key's budget asks again every 8 to 16 ms)`,
        ['fleet', 'calls', 'failed', 'calls/s', 'p50 ms', 'x no store', 'store round trips per call', 'store µs per call'],
        rateRows,
      ),
    ].join('\n');
  } finally {
    await redis.stop();
    await sim.close();
  }
}
