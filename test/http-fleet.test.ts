// A fleet for real: three built `credit-mcp http` instances with one redis-server behind the
// README's nginx configuration. The session an agent asks through nginx costs about what one
// instance alone costs, with the same answers; three agents asking the same walk at once cost
// about one walk, within the key's budget of requests in flight; an instance killed under load
// fails no call; and a store unreachable at start, or killed mid-session, loses no answer.
import { spawnSync } from 'node:child_process';
import { StreamableHTTPClientTransport, type FetchLike } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, clientFor, envFor, startSimulator, textOf, until, type Simulator } from './helpers.js';
import { findNginx, freePort, startNginx, type Nginx } from './nginx.js';
import { requireRedisUnderCi, startRedis, type RedisServer } from './redis.js';
import { connectHttp, startHttpServer, type HttpServer } from './remote.js';

const TOKEN = 'tok_fleet_behind_nginx_0123456789';
const TENANT_B = { signalFoundry: 'sf_fleet_tenant_b_4Hq8', synap: 'synap_fleet_tenant_b_9Wd2' };
const DAY = 86_400_000;
const redisServer = requireRedisUnderCi();
const nginx = findNginx();
if (!nginx && process.env.CI === 'true') throw new Error("nginx is not installed: .ci/run installs Debian's nginx package; install it (apt-get install nginx) and run again.");

type Call = [name: string, args: Record<string, unknown>];

describe.skipIf(!nginx || !redisServer)('three instances, one redis-server, behind nginx', () => {
  let sim: Simulator;
  let redis: RedisServer;
  let proxy: Nginx;
  let instances: HttpServer[];
  const auth = { authorization: `Bearer ${TOKEN}` };
  let session: Call[];

  const viaProxy = async () => {
    const client = clientFor('modern');
    await client.connect(new StreamableHTTPClientTransport(proxy.url, { fetch: proxy.fetch as FetchLike, requestInit: { headers: auth } }));
    return client;
  };
  /** The session's answers (what does not depend on the moment asked) and its upstream requests. */
  const run = async (calls: Call[], client: Awaited<ReturnType<typeof viaProxy>>) => {
    const before = sim.stats.requests;
    const answers: unknown[] = [];
    for (const [name, args] of calls) {
      const result = await client.callTool({ name, arguments: args });
      expect(result.isError, textOf(result)).toBeFalsy();
      const data = result.structuredContent as Record<string, unknown>;
      if (name === 'get_credit_ledger') answers.push(data);
      else if (name === 'get_credit_summary') answers.push([data.used_credits, data.by_meter, data.by_usage, data.other_movements, data.partial]);
      else answers.push(data.available_credits);
    }
    return { answers, requests: sim.stats.requests - before };
  };

  beforeAll(async () => {
    sim = await startSimulator({ synapLedgerSize: 3000, synapHistoryDays: 108, tenants: [{ keys: TENANT_B, synapLedgerSize: 800 }] });
    redis = await startRedis(redisServer!);
    const t0 = Date.now();
    const to = new Date(t0 - 60_000).toISOString();
    session = [
      ['get_credit_summary', { provider: 'synap', days: 30 }],
      ['get_credit_ledger', { provider: 'synap', entry_type: 'debit', from: new Date(t0 - 29 * DAY).toISOString(), to, scan_limit: 100_000 }],
      ['get_credit_ledger', { provider: 'synap', entry_type: 'debit', from: new Date(t0 - 7 * DAY).toISOString(), to, scan_limit: 100_000 }],
      ['get_credit_summary', { provider: 'synap', days: 7 }],
      ['get_credit_ledger', { provider: 'synap', from: new Date(t0 - 29 * DAY).toISOString(), to, scan_limit: 100_000 }],
      ['get_credit_summary', { provider: 'synap', days: 30 }],
      ['check_balance', { provider: 'synap' }],
    ];
    const env = envFor(sim, { CREDIT_MCP_HTTP_TOKENS: TOKEN, CREDIT_MCP_REDIS_URL: redis.url });
    instances = await Promise.all([0, 1, 2].map(() => startHttpServer(env)));
    proxy = await startNginx(nginx!, instances.map((i) => i.port), { tls: false });
  }, 30_000);
  afterAll(async () => {
    await proxy?.stop();
    await Promise.all(instances?.map((i) => (i.child.exitCode === null && i.child.signalCode === null ? i.stop() : undefined)) ?? []);
    await redis?.stop();
    await sim?.close();
  });

  it('answers the session through nginx with at most 1.1 x the requests of one instance, and the same answers', async () => {
    const alone = await startHttpServer(envFor(sim, { CREDIT_MCP_HTTP_TOKENS: TOKEN }));
    let one: Awaited<ReturnType<typeof run>>;
    try {
      const client = await connectHttp(alone.mcp, 'modern', auth);
      one = await run(session, client);
      await client.close();
    } finally {
      await alone.stop();
    }
    const client = await viaProxy();
    const fleet = await run(session, client);
    await client.close();
    expect(fleet.answers).toEqual(one.answers);
    expect(fleet.requests).toBeLessThanOrEqual(Math.floor(one.requests * 1.1));
    // Round robin spread the session over the instances.
    expect(instances.filter((i) => i.access().some((l) => l.tool)).length).toBeGreaterThanOrEqual(2);
  });

  it('three agents asking the same walk at once cost at most 1.15 x one walk, at most 10 requests in flight for the key', async () => {
    // The whole ledger: no range the session left covers it (theirs start 30 days back).
    const walk: Call = ['get_credit_ledger', { provider: 'synap', scan_limit: 100_000, to: new Date(Date.now() - 60_000).toISOString() }];
    const alone = await startHttpServer(envFor(sim, { CREDIT_MCP_HTTP_TOKENS: TOKEN }));
    let one: Awaited<ReturnType<typeof run>>;
    try {
      const client = await connectHttp(alone.mcp, 'modern', auth);
      one = await run([walk], client);
      await client.close();
    } finally {
      await alone.stop();
    }
    sim.setLatency(20);
    try {
      const clients = await Promise.all(instances.map((i) => connectHttp(i.mcp, 'modern', auth)));
      sim.resetStats();
      const before = sim.stats.requests;
      const answers = await Promise.all(clients.map((c) => c.callTool({ name: walk[0], arguments: walk[1] })));
      const together = sim.stats.requests - before;
      for (const a of answers) expect(a.structuredContent).toEqual(one.answers[0]);
      expect(together).toBeLessThanOrEqual(Math.floor(one.requests * 1.15));
      expect(sim.stats.maxInFlight).toBeLessThanOrEqual(10);
      // The instances that waited say so in GET /metrics.
      const joins = await Promise.all(
        instances.map(async (i) => {
          const text = await (await fetch(`${i.origin}/metrics`, { headers: auth })).text();
          return Number(/^credit_mcp_single_flight_joins_total (\d+)/m.exec(text)?.[1] ?? NaN);
        }),
      );
      expect(joins.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(2);
      await Promise.all(clients.map((c) => c.close()));
    } finally {
      sim.setLatency(0);
    }
  });

  it('with keys from the request, each caller shares with itself only', async () => {
    const env = { SYNAP_BASE_URL: sim.url, SIGNAL_FOUNDRY_BASE_URL: sim.url, CREDIT_MCP_REDIS_URL: redis.url };
    const pair = await Promise.all([0, 1].map(() => startHttpServer(env, ['--keys-from-request'])));
    try {
      const to = new Date(Date.now() - 60_000).toISOString();
      const ask = async (server: HttpServer, key: string) => {
        const client = await connectHttp(server.mcp, 'modern', { 'x-synap-api-key': key });
        const before = sim.stats.requests;
        const result = await client.callTool({ name: 'get_credit_ledger', arguments: { provider: 'synap', entry_type: 'debit', scan_limit: 100_000, to } });
        await client.close();
        expect(result.isError, textOf(result)).toBeFalsy();
        return { data: result.structuredContent as { total_matching: number; entries: Array<{ ledger_id: string }> }, cost: sim.stats.requests - before };
      };
      const a1 = await ask(pair[0]!, sim.keys.synap);
      const a2 = await ask(pair[1]!, sim.keys.synap);
      const b2 = await ask(pair[1]!, TENANT_B.synap);
      // A's walk on the first instance serves A on the second (one count request)...
      expect(a2.data).toEqual(a1.data);
      expect(a2.cost).toBe(1);
      // ...and never B, who gets its own ledger, walked in full.
      expect(b2.data.total_matching).toBe(sim.tenants[1]!.synap.query({ entry_type: 'debit', to }).length);
      expect(b2.data.entries.map((e) => e.ledger_id)).toEqual(sim.tenants[1]!.synap.query({ entry_type: 'debit', to }).slice(0, 20).map((e) => e.ledger_id));
      expect(b2.cost).toBeGreaterThan(1);
    } finally {
      await Promise.all(pair.map((p) => p.stop()));
    }
  });

  it('loses no call when an instance is killed under load (its leases lapse)', async () => {
    sim.setLatency(40);
    const clients = await Promise.all([0, 1, 2, 3, 4, 5].map(() => viaProxy()));
    const truth = sim.synap.balance().balance_credits;
    let answered = 0;
    const failures: string[] = [];
    let running = true;
    const workers = clients.map(async (client, n) => {
      while (running) {
        try {
          const result =
            n % 2
              ? await client.callTool({ name: 'check_balance', arguments: { provider: 'synap' } })
              : await client.callTool({ name: 'get_credit_ledger', arguments: { provider: 'synap', limit: 5, scan_limit: 300 } });
          if (result.isError) failures.push(textOf(result));
          else if (n % 2 && (result.structuredContent as { available_credits: number }).available_credits !== truth) failures.push('wrong balance');
          else answered++;
        } catch (error) {
          failures.push(String(error));
        }
      }
    });
    try {
      await until(() => answered >= 30);
      const victim = instances[2]!;
      victim.child.kill('SIGKILL');
      expect(await victim.exited).toEqual({ code: null, signal: 'SIGKILL' });
      const afterKill = answered;
      await until(() => answered >= afterKill + 60);
    } finally {
      running = false;
      await Promise.all(workers);
      sim.setLatency(0);
      for (const c of clients) await c.close();
    }
    expect(failures).toEqual([]);
  }, 60_000);

  it('a store unreachable at start, or killed mid-session and restarted, loses no answer', async () => {
    const reference = await (async () => {
      const alone = await startHttpServer(envFor(sim, { CREDIT_MCP_HTTP_TOKENS: TOKEN }));
      try {
        const client = await connectHttp(alone.mcp, 'modern', auth);
        const r = await run(session, client);
        await client.close();
        return r;
      } finally {
        await alone.stop();
      }
    })();
    // No store where the URL points: the instance starts, says so once, and answers as without one.
    const nowhere = await startHttpServer(envFor(sim, { CREDIT_MCP_HTTP_TOKENS: TOKEN, CREDIT_MCP_REDIS_URL: `redis://127.0.0.1:${await freePort()}` }));
    try {
      const client = await connectHttp(nowhere.mcp, 'modern', auth);
      expect((await run(session, client)).answers).toEqual(reference.answers);
      await client.close();
      expect(nowhere.stderr().match(/shared store unreachable/g)).toHaveLength(1);
    } finally {
      await nowhere.stop();
    }
    // The fleet's store killed between questions, then back.
    const live = instances.filter((i) => i.child.exitCode === null && i.child.signalCode === null);
    const clients = await Promise.all(live.map((i) => connectHttp(i.mcp, 'modern', auth)));
    const answers: unknown[] = [];
    for (const [n, call] of session.entries()) {
      if (n === 2) await redis.kill();
      if (n === 5) await redis.restart();
      answers.push(...(await run([call], clients[n % clients.length]!)).answers);
    }
    expect(answers).toEqual(reference.answers);
    for (const c of clients) await c.close();
    for (const i of live) expect(i.stderr().match(/shared store unreachable/g)?.length ?? 0).toBeLessThanOrEqual(1);
    expect(live.some((i) => /shared store unreachable/.test(i.stderr()))).toBe(true);
    await until(() => live.every((i) => !/shared store unreachable/.test(i.stderr()) || /shared store available again/.test(i.stderr())));
  }, 60_000);

  it('a full store, then a slow one, costs no answer (one warning per instance for each)', async () => {
    const alone = await startHttpServer(envFor(sim, { CREDIT_MCP_HTTP_TOKENS: TOKEN }));
    let reference: Awaited<ReturnType<typeof run>>;
    try {
      const client = await connectHttp(alone.mcp, 'modern', auth);
      reference = await run(session, client);
      await client.close();
    } finally {
      await alone.stop();
    }
    await until(() => redis.admin().status === 'ready');
    await redis.admin().flushall();
    const client = await viaProxy();
    try {
      // Full: every addition refused, through the first questions.
      await redis.admin().config('SET', 'maxmemory-policy', 'noeviction');
      await redis.admin().config('SET', 'maxmemory', '1');
      let full: Awaited<ReturnType<typeof run>>;
      try {
        full = await run(session.slice(0, 4), client);
      } finally {
        await redis.admin().config('SET', 'maxmemory', '0');
      }
      // Slow: the store sleeps through the rest.
      const sleeper = redis.admin().duplicate();
      sleeper.on('error', () => undefined);
      const slept = sleeper.call('DEBUG', 'SLEEP', '1');
      await new Promise((r) => setTimeout(r, 20));
      const slow = await run(session.slice(4), client);
      await slept;
      sleeper.disconnect();
      expect([...full.answers, ...slow.answers]).toEqual(reference.answers);
    } finally {
      await client.close();
    }
    const live = instances.filter((i) => i.child.exitCode === null && i.child.signalCode === null);
    for (const i of live) {
      expect(i.stderr().match(/shared store slower than/g)?.length ?? 0).toBeLessThanOrEqual(1);
      expect(i.stderr().match(/shared store full/g)?.length ?? 0).toBeLessThanOrEqual(1);
    }
    expect(live.some((i) => /shared store slower than/.test(i.stderr()))).toBe(true);
    expect(live.some((i) => /shared store full/.test(i.stderr()))).toBe(true);
  }, 60_000);
});

describe('CREDIT_MCP_REDIS_URL refused at start-up (exit 2, one line naming it, never its value)', () => {
  const run = (env: Record<string, string>, args: string[] = []) =>
    spawnSync(process.execPath, [CLI, 'http', '--port', '0', ...args], { env: { PATH: process.env.PATH ?? '', ...env }, encoding: 'utf8', timeout: 10_000 });

  it.each([
    ['not a URL', { CREDIT_MCP_REDIS_URL: 'secret-pw-in-the-wrong-place' }, [], /CREDIT_MCP_REDIS_URL \(--redis-url\) is not a URL/],
    ['another scheme', { CREDIT_MCP_REDIS_URL: 'http://user:secret-pw@127.0.0.1:6379' }, [], /has the scheme "http:"/],
    ['no host', {}, ['--redis-url', 'redis://:secret-pw@/'], /names no host|is not a URL/],
    ['a path that is no database', { CREDIT_MCP_REDIS_URL: 'rediss://127.0.0.1:6380/secret-pw' }, [], /has a path that is not a database number/],
  ] as const)('%s', (_why, env, args, message) => {
    const result = run(env, [...args]);
    expect(result.status, result.stderr).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toMatch(/secret-pw/);
    expect(result.stderr).not.toMatch(/listening on/);
  });
});
