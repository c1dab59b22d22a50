// Sign-in and the fleet store together: two built `credit-mcp http` instances sharing one
// redis-server, callers signed in at a loopback issuer whose tokens carry the tenant claim, and a
// tenants file whose two tenants hold the keys of two accounts of the simulator. A tenant's walk
// on one instance answers that tenant on the other (one count request); the other tenant, right
// after, walks its own ledger in full and never sees the first one's rows; the store holds
// nothing readable, under names of each tenant's own; a cursor does not pass between tenants.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@modelcontextprotocol/client';
import { STORE_PREFIX, TenantKeys } from '../src/store/crypto.js';
import { startSimulator, textOf, until, type Simulator, type ToolResult } from './helpers.js';
import { freePort } from './nginx.js';
import { startTestIssuer, type TestIssuer } from './oauth-issuer.js';
import { requireRedisUnderCi, startRedis, type RedisServer } from './redis.js';
import { connectHttp, startHttpServer, type HttpServer } from './remote.js';

const redisServer = requireRedisUnderCi();
const ACME = { signalFoundry: 'sf_SECRET_fleet_acme_3Jq7', synap: 'synap_SECRET_fleet_acme_6Tz1' };
const GLOBEX = { signalFoundry: 'sf_SECRET_fleet_globex_8Rw2', synap: 'synap_SECRET_fleet_globex_5Lm4' };
const ENTRIES = 300;

interface Ledger {
  total_matching: number;
  complete: boolean;
  next_cursor: string | null;
  entries: Array<{ ledger_id: string }>;
}

describe.skipIf(!redisServer)('signed-in tenants on two instances, one redis-server', () => {
  let sim: Simulator;
  let redis: RedisServer;
  let idp: TestIssuer;
  let instances: HttpServer[];
  const tokens: Record<'acme' | 'globex', string> = { acme: '', globex: '' };
  const clients: Client[] = [];
  const to = new Date(Date.now() - 60_000).toISOString();
  /** The whole ledger up to `to`, 20 rows a page. */
  const walk = { provider: 'synap', scan_limit: 100_000, limit: 20, to };

  /** A signed-in client of `tenant` on an instance, as a host connects with the token it got. */
  const connect = async (server: HttpServer, tenant: keyof typeof tokens) => {
    const client = await connectHttp(server.mcp, 'modern', { authorization: `Bearer ${tokens[tenant]}` });
    clients.push(client);
    return client;
  };
  /** A ledger call's answer and what it cost upstream, with the Synap keys those requests carried. */
  const ledger = async (client: Client, args: Record<string, unknown>) => {
    const before = sim.stats.requests;
    const logged = sim.requestLog.length;
    const result = (await client.callTool({ name: 'get_credit_ledger', arguments: args })) as ToolResult;
    const cost = sim.stats.requests - before;
    const keys = new Set(sim.requestLog.slice(logged).map((r) => String(r.headers.authorization).replace(/^Bearer /, '')));
    return { result, data: result.structuredContent as unknown as Ledger, cost, keys };
  };

  /** The instance's count confirmations of held ranges, from its GET /metrics (behind the same sign-in). */
  const confirmations = async (server: HttpServer) => {
    const text = await (await fetch(`${server.origin}/metrics`, { headers: { authorization: `Bearer ${tokens.acme}` } })).text();
    return Number(/^credit_mcp_ledger_cache_lookups_total\{outcome="confirmation"\} (\d+)/m.exec(text)?.[1] ?? 0);
  };

  beforeAll(async () => {
    sim = await startSimulator({ keys: ACME, synapLedgerSize: ENTRIES, tenants: [{ keys: GLOBEX, synapLedgerSize: ENTRIES }] });
    redis = await startRedis(redisServer!);
    // The fleet's one public URL (a proxy's, in production): every instance is the same resource,
    // so one token serves on any of them. Tokens are checked by each instance; nothing listens there.
    const publicUrl = `http://127.0.0.1:${await freePort()}/mcp`;
    idp = await startTestIssuer({ audience: publicUrl });
    const file = join(mkdtempSync(join(tmpdir(), 'credit-mcp-fleet-tenants-')), 'tenants.json');
    writeFileSync(
      file,
      JSON.stringify({
        claim: 'org_id',
        tenants: {
          acme: { SYNAP_API_KEY: ACME.synap, SIGNAL_FOUNDRY_API_KEY: ACME.signalFoundry },
          globex: { SYNAP_API_KEY: GLOBEX.synap, SIGNAL_FOUNDRY_API_KEY: GLOBEX.signalFoundry },
        },
      }),
    );
    tokens.acme = await idp.sign({ sub: 'user-sub-of-acme-7f2c', client_id: 'client-acme-host', org_id: 'acme' });
    tokens.globex = await idp.sign({ sub: 'user-sub-of-globex-1d9e', client_id: 'client-globex-host', org_id: 'globex' });
    const env = {
      SYNAP_BASE_URL: sim.url,
      SIGNAL_FOUNDRY_BASE_URL: sim.url,
      CREDIT_MCP_OAUTH_ISSUER: idp.issuer,
      CREDIT_MCP_PUBLIC_URL: publicUrl,
      CREDIT_MCP_TENANTS_FILE: file,
      CREDIT_MCP_REDIS_URL: redis.url,
      CREDIT_MCP_LOG_LEVEL: 'debug',
    };
    instances = await Promise.all([0, 1].map(() => startHttpServer(env)));
    // Both instances connected to the store (it connects in the background) before the first call.
    for (;;) {
      const listed = String(await redis.admin().call('CLIENT', 'LIST'));
      if (listed.trim().split('\n').length >= 3) break; // the admin client and the two instances
      await new Promise((r) => setTimeout(r, 20));
    }
  }, 30_000);
  afterAll(async () => {
    for (const c of clients) await c.close().catch(() => undefined);
    await Promise.all(instances?.map((i) => i.stop()) ?? []);
    await redis?.stop();
    await idp?.close();
    await sim?.close();
  });

  // The two accounts' rows, up to `to`, newest first, as the simulator holds them.
  const truth = (n: 0 | 1) => sim.tenants[n]!.synap.query({ to });

  it('the two accounts differ: no ledger id in common, both non-empty', () => {
    const [a, b] = [truth(0), truth(1)];
    expect(a.length).toBeGreaterThan(250);
    expect(b.length).toBeGreaterThan(250);
    const ids = new Set(a.map((e) => e.ledger_id));
    expect(b.filter((e) => ids.has(e.ledger_id))).toEqual([]);
  });

  let a1: Awaited<ReturnType<typeof ledger>>;
  let b2: Awaited<ReturnType<typeof ledger>>;

  it('tenant A walks on instance 1; A on instance 2 is answered from the store (one count request), the same rows', async () => {
    a1 = await ledger(await connect(instances[0]!, 'acme'), walk);
    expect(a1.result.isError, textOf(a1.result)).toBeFalsy();
    expect(a1.data.complete).toBe(true);
    expect(a1.data.total_matching).toBe(truth(0).length);
    expect(a1.data.entries.map((e) => e.ledger_id)).toEqual(truth(0).slice(0, 20).map((e) => e.ledger_id));
    // The full walk: Synap refuses the first page of 1000 (422), then pages of 100.
    expect(a1.cost).toBe(1 + Math.ceil(truth(0).length / 100));
    expect([...a1.keys]).toEqual([ACME.synap]);

    const a2 = await ledger(await connect(instances[1]!, 'acme'), walk);
    expect(a2.result.isError, textOf(a2.result)).toBeFalsy();
    expect(a2.data).toEqual(a1.data);
    expect(a2.cost).toBe(1);
    expect([...a2.keys]).toEqual([ACME.synap]);
    // That one request was the count confirmation of the range instance 1 stored.
    expect(await confirmations(instances[1]!)).toBe(1);
  });

  it('tenant B on instance 2 right after walks its own ledger in full and gets its own rows, never A’s', async () => {
    b2 = await ledger(await connect(instances[1]!, 'globex'), walk);
    expect(b2.result.isError, textOf(b2.result)).toBeFalsy();
    expect(b2.data.complete).toBe(true);
    expect(b2.data.total_matching).toBe(truth(1).length);
    expect(b2.data.entries.map((e) => e.ledger_id)).toEqual(truth(1).slice(0, 20).map((e) => e.ledger_id));
    const aIds = new Set(truth(0).map((e) => e.ledger_id));
    expect(b2.data.entries.filter((e) => aIds.has(e.ledger_id))).toEqual([]);
    // Its own full walk, its own 422 too (the page size A's walk taught is A's key's alone).
    expect(b2.cost).toBe(1 + Math.ceil(truth(1).length / 100));
    expect([...b2.keys]).toEqual([GLOBEX.synap]);
    // And now B shares with itself: B on instance 1 pays one count request.
    const b1 = await ledger(await connect(instances[0]!, 'globex'), walk);
    expect(b1.data).toEqual(b2.data);
    expect(b1.cost).toBe(1);
    // The access logs name each caller's tenant.
    const named = () => instances.flatMap((i) => i.access()).filter((l) => l.tool === 'get_credit_ledger') as Array<{ tenant?: string; sub?: string }>;
    await until(() => named().length >= 4); // each line is written as its response closes
    expect(named().map((l) => [l.tenant, l.sub]).sort()).toEqual([
      ['acme', 'user-sub-of-acme-7f2c'],
      ['acme', 'user-sub-of-acme-7f2c'],
      ['globex', 'user-sub-of-globex-1d9e'],
      ['globex', 'user-sub-of-globex-1d9e'],
    ]);
  });

  it('the store holds no key, token, sub or ledger id in plain text, and A’s names are not B’s', async () => {
    const admin = redis.admin();
    const names: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await admin.scan(cursor, 'MATCH', '*', 'COUNT', 100);
      names.push(...batch);
      cursor = next;
    } while (cursor !== '0');
    expect(names.length).toBeGreaterThanOrEqual(4);
    const bytes: Buffer[] = [];
    for (const name of names) {
      bytes.push(Buffer.from(name));
      const type = await admin.type(name);
      if (type === 'string') bytes.push((await admin.getBuffer(name)) ?? Buffer.alloc(0));
      else if (type === 'hash') for (const [field, value] of Object.entries(await admin.hgetallBuffer(name))) bytes.push(Buffer.from(field), value);
      else if (type === 'zset') bytes.push(...(await admin.zrangeBuffer(name, 0, -1)));
      else if (type !== 'none') throw new Error(`unexpected ${type} at ${name}`); // 'none': expired since the SCAN
    }
    const everything = Buffer.concat(bytes);
    const needles = [
      ...Object.values(ACME),
      ...Object.values(GLOBEX),
      tokens.acme,
      tokens.globex,
      ...[tokens.acme, tokens.globex].flatMap((t) => t.split('.')),
      'user-sub-of-acme-7f2c',
      'user-sub-of-globex-1d9e',
      'client-acme-host',
      'client-globex-host',
      'acme',
      'globex',
      'synap_',
      'SECRET',
      'org_id',
      'ledger_id',
      'led_',
    ];
    for (const needle of needles) expect(everything.includes(needle), needle).toBe(false);
    for (const entry of [...truth(0), ...truth(1)]) expect(everything.includes(entry.ledger_id), entry.ledger_id).toBe(false);

    // Every name is one of the two tenants' own, and each tenant's are under a prefix of its own.
    const [a, b] = [new TenantKeys('synap', ACME.synap), new TenantKeys('synap', GLOBEX.synap)];
    expect(a.prefix).not.toBe(b.prefix);
    for (const name of names) expect(name.startsWith(STORE_PREFIX)).toBe(true);
    const prefixes = new Set(names.map((n) => n.slice(0, a.prefix.length)));
    expect([...prefixes].sort()).toEqual([a.prefix, b.prefix].sort());
    // Each index holds its tenant's range, sealed for that tenant: it opens with its own key, never the other's.
    for (const [own, other] of [
      [a, b],
      [b, a],
    ] as const) {
      const index = await admin.hgetallBuffer(own.name('ranges'));
      expect(Object.keys(index).length).toBeGreaterThanOrEqual(1);
      for (const [id, sealed] of Object.entries(index)) {
        expect(own.open(own.name('ranges'), sealed, id)).toBeTypeOf('string');
        expect(other.open(own.name('ranges'), sealed, id)).toBeUndefined();
      }
    }
  });

  it('A’s cursor continues for A on the other instance, and is refused for B', async () => {
    const cursor = a1.data.next_cursor;
    expect(cursor).toBeTypeOf('string');
    const mine = await ledger(await connect(instances[1]!, 'acme'), { provider: 'synap', cursor });
    expect(mine.result.isError, textOf(mine.result)).toBeFalsy();
    expect(mine.data.entries.map((e) => e.ledger_id)).toEqual(truth(0).slice(20, 40).map((e) => e.ledger_id));
    for (const server of instances) {
      const stolen = await ledger(await connect(server, 'globex'), { provider: 'synap', cursor });
      expect(stolen.result.isError).toBe(true);
      expect(textOf(stolen.result)).toMatch(/^Invalid argument: cursor is not one this server issued for this provider and key/);
      expect(stolen.cost).toBe(0);
    }
  });

  it('no key and no token shows in either instance’s log, at debug level', () => {
    const seen = instances.map((i) => i.stderr()).join('\n');
    expect(seen).not.toMatch(/SECRET/);
    for (const token of Object.values(tokens)) expect(seen).not.toContain(token.split('.')[2]!);
  });
});
