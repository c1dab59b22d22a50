// The per-key provider pool of `credit-mcp http --keys-from-request`, in process against the
// simulator: one provider per key, reused and never shared; bounded however many keys arrive;
// an evicted key's provider closed (and its key forgotten by the logger) once no request uses it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_LEDGER } from '../src/config.js';
import { redact } from '../src/logger.js';
import type { ProviderId } from '../src/core/model.js';
import { TenantPool } from '../src/remote/tenants.js';
import type { SynapProvider } from '../src/providers/synap.js';
import { getCreditLedger } from '../src/tools/get-credit-ledger.js';
import { callTool, startSimulator, type Simulator } from './helpers.js';

let sim: Simulator;
let baseUrls: Record<ProviderId, URL>;
beforeAll(async () => {
  sim = await startSimulator({ synapLedgerSize: 50, tenants: [{ keys: { signalFoundry: 'sf_pool_second_key_01', synap: 'synap_pool_second_key_01' }, synapLedgerSize: 30 }] });
  baseUrls = { 'signal-foundry': new URL(sim.url), synap: new URL(sim.url) };
});
afterAll(async () => {
  await sim.close();
});

const synapHeader = (key: string) => ({ 'x-synap-api-key': key });
const isRedacted = (key: string) => redact(key) !== key;

describe('TenantPool', () => {
  it("reuses a key's provider and never lends it to another key", async () => {
    const pool = new TenantPool({ baseUrls, timeoutMs: 5000, ledger: DEFAULT_LEDGER });
    const a1 = pool.lease(synapHeader(sim.keys.synap));
    const a2 = pool.lease(synapHeader(sim.keys.synap));
    const b = pool.lease(synapHeader(sim.tenants[1]!.keys.synap));
    expect(a1.registry.resolve('synap').provider).toBe(a2.registry.resolve('synap').provider);
    expect(b.registry.resolve('synap').provider).not.toBe(a1.registry.resolve('synap').provider);
    expect(b.registry.resolve('synap').cursorSecret.equals(a1.registry.resolve('synap').cursorSecret)).toBe(false);
    expect((await a1.registry.resolve('synap').provider.getBalance()).available_credits).toBe(sim.synap.balance().balance_credits);
    expect((await b.registry.resolve('synap').provider.getBalance()).available_credits).toBe(sim.tenants[1]!.synap.balance().balance_credits);
    expect(a1.registry.configured()).toEqual(['synap']);
    for (const lease of [a1, a2, b]) lease.release();
    expect(pool.size).toBe(2);
    await pool.closeAll();
  });

  it('holds at most its capacity however many keys arrive, closing the least recently used', async () => {
    const pool = new TenantPool({ baseUrls, timeoutMs: 5000, ledger: DEFAULT_LEDGER, capacity: 4 });
    const keys = Array.from({ length: 1000 }, (_, i) => `synap_flood_key_${String(i).padStart(4, '0')}`);
    for (const key of keys) pool.lease(synapHeader(key)).release();
    expect(pool.size).toBe(4);
    expect(pool.open).toBe(4);
    await pool.whenClosed();
    // Closed providers' keys are forgotten by the logger; the four kept are still redacted.
    expect(keys.slice(0, 996).filter(isRedacted)).toEqual([]);
    expect(keys.slice(996).every(isRedacted)).toBe(true);
    await pool.closeAll();
    expect(keys.filter(isRedacted)).toEqual([]);
  });

  it('keeps a key a request is using open past its eviction, and closes it when the request ends', async () => {
    const pool = new TenantPool({ baseUrls, timeoutMs: 5000, ledger: DEFAULT_LEDGER, capacity: 2 });
    const busy = pool.lease(synapHeader('synap_busy_key_000001'));
    const provider = busy.registry.resolve('synap').provider;
    // Idle keys go first: the busy one stays while others come and go.
    for (let i = 0; i < 5; i++) pool.lease(synapHeader(`synap_idle_key_00000${i}`)).release();
    expect(pool.size).toBe(2);
    // Every kept key in use: the oldest goes, but only from the pool's keeping.
    const other = pool.lease(synapHeader('synap_busy_key_000002'));
    const third = pool.lease(synapHeader('synap_busy_key_000003'));
    expect(pool.size).toBe(2);
    expect(pool.open).toBe(3);
    expect(isRedacted('synap_busy_key_000001')).toBe(true);
    // A key the pool let go of starts afresh on its next request, with a provider of its own.
    const again = pool.lease(synapHeader('synap_busy_key_000001'));
    expect(again.registry.resolve('synap').provider).not.toBe(provider);
    busy.release();
    await pool.whenClosed();
    expect(isRedacted('synap_busy_key_000001')).toBe(true); // still held by `again`
    for (const lease of [other, third, again]) lease.release();
    await pool.closeAll();
  });

  it('opens nothing for a malformed key header, or one too short to redact', async () => {
    const pool = new TenantPool({ baseUrls, timeoutMs: 5000, ledger: DEFAULT_LEDGER });
    // Under 6 characters the logger would not redact it: refused too.
    for (const value of ['', 'two words', 'x'.repeat(513), ['sf_key_1', 'sf_key_2'], 'sf_k1']) {
      expect(() => pool.lease({ 'x-signal-foundry-api-key': value as string })).toThrow(/^X-Signal-Foundry-Api-Key must be sent once, 6 to 512 printable ASCII characters/);
    }
    expect(pool.size).toBe(0);
    // Six characters is a key, and the logger redacts it while it is held.
    const shortest = pool.lease({ 'x-signal-foundry-api-key': 'sf_k12' });
    expect(isRedacted('sf_k12')).toBe(true);
    shortest.release();
    await pool.closeAll();
    expect(isRedacted('sf_k12')).toBe(false);
  });

  it("bounds every key's cached ledger entries together by CREDIT_MCP_CACHE_ENTRIES, least recently used first", async () => {
    const pool = new TenantPool({ baseUrls, timeoutMs: 5000, ledger: { cacheEntries: 60, synapPageSize: 100 } });
    const read = async (key: string) => {
      const lease = pool.lease(synapHeader(key));
      const { data } = await callTool(getCreditLedger, lease.registry, { provider: 'synap', scan_limit: 1000 });
      const cache = (lease.registry.resolve('synap').provider as SynapProvider).cache;
      lease.release();
      return { data, cache };
    };
    const first = await read(sim.keys.synap); // 50 entries
    expect(first.cache.held).toBe(50);
    const second = await read(sim.tenants[1]!.keys.synap); // 30 more: 80 would pass the shared 60
    expect(second.data?.totals.count).toBe(30);
    expect(pool.cacheBudget.held).toBeLessThanOrEqual(60);
    expect([first.cache.held, second.cache.held]).toEqual([0, 30]);
    // The first key reads its ledger again from the upstream, exactly.
    sim.resetStats();
    const again = await read(sim.keys.synap);
    expect(again.data?.totals).toEqual(first.data?.totals);
    expect(sim.stats.requests).toBeGreaterThan(0);
    expect(pool.cacheBudget.held).toBeLessThanOrEqual(60);
    await pool.closeAll();
    expect(pool.cacheBudget.held).toBe(0);
  });
});
