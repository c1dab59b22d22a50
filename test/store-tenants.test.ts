// What the fleet store holds, read back from a real redis-server: run as the least-rights ACL
// user the README gives, two tenants' walks leave names and values in it, and none of them is
// readable: no upstream key, no ledger row, id, type, metric or category, in any name or
// value. A value copied from one key's names to another's is refused there (the walk is made
// as if nothing were stored), and so is a forged one.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { setLogSink } from '../src/logger.js';
import { ProviderRegistry } from '../src/providers/registry.js';
import { STORE_PREFIX, TenantKeys } from '../src/store/crypto.js';
import { openFleet, type RedisFleet } from '../src/store/tenant-store.js';
import { getCreditLedger } from '../src/tools/get-credit-ledger.js';
import { callTool, startSimulator, until, type Simulator } from './helpers.js';
import { requireRedisUnderCi, startRedis, type RedisServer } from './redis.js';

const redisServer = requireRedisUnderCi();
const TENANT_B = { signalFoundry: 'sf_tenant_b_key_5Vt9wQ2m', synap: 'synap_tenant_b_key_8Kp3xR7n' };
const PASSWORD = 'store-password-4f9a2c7e1b';

/** The README's ACL line for the store's user (Run a fleet): its own names only, and only the commands it sends. */
function readmeAcl(): string[] {
  const readme = readFileSync(fileURLToPath(new URL('../README.md', import.meta.url)), 'utf8');
  const line = /redis-cli ACL SETUSER credit-mcp (.*?) \\\n\s+(.*)\n/.exec(readme);
  if (!line) throw new Error('README has no ACL SETUSER line for credit-mcp');
  const words = `${line[1]} ${line[2]}`.split(/\s+/).map((w) => w.replace(/^'(.*)'$/, '$1'));
  expect(words).toContain(`~${STORE_PREFIX}*`);
  return words.map((w) => (w === '>store-password' ? `>${PASSWORD}` : w));
}

describe.skipIf(!redisServer)('tenants in the fleet store (real redis-server, least-rights user)', () => {
  let sim: Simulator;
  let redis: RedisServer;
  let fleet: RedisFleet;
  const logs: string[] = [];
  const registries: ProviderRegistry[] = [];
  const registry = (synapKey: string, withStore = true) => {
    const config = loadConfig({ SYNAP_BASE_URL: sim.url, SYNAP_API_KEY: synapKey });
    const made = new ProviderRegistry(withStore ? { ...config, fleet } : config);
    registries.push(made);
    return made;
  };
  const to = new Date(Date.now() - 60_000).toISOString();
  const walk = (r: ProviderRegistry) => callTool(getCreditLedger, r, { provider: 'synap', scan_limit: 100_000, limit: 20, to });

  beforeAll(async () => {
    sim = await startSimulator({ synapLedgerSize: 1500, tenants: [{ keys: TENANT_B, synapLedgerSize: 1200 }] });
    redis = await startRedis(redisServer!);
    await redis.admin().call('ACL', 'SETUSER', 'credit-mcp', ...readmeAcl());
    setLogSink((line) => logs.push(line));
    fleet = openFleet(new URL(`redis://credit-mcp:${PASSWORD}@127.0.0.1:${redis.port}`), { concurrency: 8 });
    await until(() => fleet.connection.ready);
  }, 20_000);
  afterAll(async () => {
    await Promise.all(registries.map((r) => r.closeAll()));
    await fleet?.close();
    setLogSink((line) => process.stderr.write(line));
    await redis?.stop();
    await sim?.close();
  });

  it('holds nothing readable, and the least-rights user is all it needs', async () => {
    for (const key of [sim.keys.synap, TENANT_B.synap]) expect((await walk(registry(key))).data!.complete).toBe(true);
    // Both walks' ranges are in (each lock is released once its range is written).
    const index = (key: string) => new TenantKeys('synap', key).name('ranges');
    for (const key of [sim.keys.synap, TENANT_B.synap]) for (let n = 0; n === 0; n = await redis.admin().hlen(index(key))) await new Promise((r) => setTimeout(r, 10));
    expect(logs.filter((l) => l.includes('shared store'))).toEqual([]);

    const admin = redis.admin();
    const names = (await admin.keys('*')).sort();
    expect(names.length).toBeGreaterThanOrEqual(4);
    const bytes: Buffer[] = [];
    for (const name of names) {
      bytes.push(Buffer.from(name));
      const type = await admin.type(name);
      if (type === 'string') bytes.push((await admin.getBuffer(name))!);
      else if (type === 'hash') for (const [field, value] of Object.entries(await admin.hgetallBuffer(name))) bytes.push(Buffer.from(field), value);
      else if (type === 'zset') bytes.push(...(await admin.zrangeBuffer(name, 0, -1)));
      else throw new Error(`unexpected ${type} at ${name}`);
    }
    const everything = Buffer.concat(bytes);
    const rows = [...sim.synap.entries(), ...sim.tenants[1]!.synap.entries()];
    const secrets = [sim.keys.synap, TENANT_B.synap, PASSWORD, 'synap_'];
    const words = new Set(rows.flatMap((e) => [e.entry_type, e.metric_type, e.category].filter((w): w is string => !!w && w.length >= 4)));
    for (const needle of [...secrets, ...words, 'debit', 'ledger_id', 'created_at', 'delta']) expect(everything.includes(needle), needle).toBe(false);
    for (const entry of rows.filter((_, i) => i % 37 === 0)) expect(everything.includes(entry.ledger_id), entry.ledger_id).toBe(false);
    for (const name of names) expect(name.startsWith(STORE_PREFIX)).toBe(true);
  });

  it('refuses a value copied from one key to another, and a forged one', async () => {
    const [a, b] = [new TenantKeys('synap', sim.keys.synap), new TenantKeys('synap', TENANT_B.synap)];
    const admin = redis.admin();
    // Tenant B's own part is emptied; tenant A's index and ranges are copied into B's names.
    for (const name of await admin.keys(`${b.prefix}*`)) await admin.del(name);
    const aIndex = await admin.hgetallBuffer(a.name('ranges'));
    expect(Object.keys(aIndex).length).toBeGreaterThan(0);
    for (const [id, meta] of Object.entries(aIndex)) {
      await admin.hset(b.name('ranges'), id, meta);
      await admin.set(`${b.name('ranges')}:${id}`, (await admin.getBuffer(`${a.name('ranges')}:${id}`))!);
    }
    // And a value sealed by B's keys but under another name (a replayed page size) is no size either.
    await admin.set(b.name('page-size'), b.seal(b.name('ranges'), '1'));

    const alone = sim.stats.requests;
    const reference = await walk(registry(TENANT_B.synap, false));
    const referenceCost = sim.stats.requests - alone;
    const before = sim.stats.requests;
    const answer = await walk(registry(TENANT_B.synap));
    const cost = sim.stats.requests - before;
    // B walked its own ledger exactly as without a store: no copied range was confirmed (that
    // would be one request more), no forged page size of 1 was taken (that would be 1,200 more).
    expect(answer.data).toEqual(reference.data);
    expect(cost).toBe(referenceCost);
    expect(sim.requestLog.slice(-cost).some((r) => r.query.limit === '1')).toBe(false);
    // Opening either under the other's keys fails outright.
    const sealed = a.seal(a.name('ranges'), 'x', 'id');
    expect(a.open(a.name('ranges'), sealed, 'id')).toBe('x');
    expect(b.open(a.name('ranges'), sealed, 'id')).toBeUndefined();
    expect(a.open(a.name('ranges'), sealed, 'other')).toBeUndefined();
    expect(a.open(a.name('page-size'), sealed, 'id')).toBeUndefined();
  });
});
