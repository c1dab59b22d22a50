// Randomized sessions of questions and upstream writes (new entries, entries back-dated into
// ranges already read, some at an existing entry's very instant), each question asked of two
// servers over the same simulator at the same instant, one with the ledger cache and one
// without: every answer must be the same, to the byte, cursors included; and the cache never
// holds more than its bound, nor anything for a call that has ended. Upstreams vary in the
// page size they serve and how they say so.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { ProviderRegistry } from '../src/providers/registry.js';
import type { SynapProvider } from '../src/providers/synap.js';
import { getCreditLedger } from '../src/tools/get-credit-ledger.js';
import { getCreditSummary } from '../src/tools/get-credit-summary.js';
import { callTool, envFor, startSimulator } from './helpers.js';

const DAY = 86_400_000;
const TYPES = ['debit', 'credit', 'expiration', 'promo'];

/** A bound: days back from now, or an existing entry's own instant (optionally with a seventh fractional digit). */
type Bound = { daysAgo: number } | { entry: number; finer: boolean };
type Op =
  | { kind: 'summary'; days: number; recent: number }
  | { kind: 'ledger'; type: string | undefined; from: Bound | undefined; to: Bound | undefined; limit: number; scan: number }
  | { kind: 'cursor'; limit: number | undefined }
  | { kind: 'again'; back: number }
  | { kind: 'write'; count: number; type: string }
  | { kind: 'backdate'; at: Bound; type: string }
  | { kind: 'tick'; seconds: number };

const bound: fc.Arbitrary<Bound> = fc.oneof(
  // Mostly the windows an agent asks again (so the cache is used), sometimes anywhere.
  { weight: 4, arbitrary: fc.record({ daysAgo: fc.constantFrom(0.01, 1, 7, 30, 90) }) },
  { weight: 1, arbitrary: fc.record({ daysAgo: fc.double({ min: 0, max: 200, noNaN: true }) }) },
  { weight: 2, arbitrary: fc.record({ entry: fc.nat({ max: 2000 }), finer: fc.constantFrom(false, false, false, false, true) }) },
);
/** `value` with weight `given`, else undefined with weight `left`. */
const sometimes = <T>(value: fc.Arbitrary<T>, given: number, left: number) =>
  fc.oneof({ weight: given, arbitrary: value }, { weight: left, arbitrary: fc.constant(undefined) });
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('summary' as const), days: fc.constantFrom(1, 7, 30, 90, 365), recent: fc.integer({ min: 1, max: 20 }) }) },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('ledger' as const),
      type: sometimes(fc.constantFrom(...TYPES), 1, 1),
      from: sometimes(bound, 3, 1),
      // Mostly up to now (the default `to`), as agents ask.
      to: sometimes(bound, 1, 2),
      limit: fc.integer({ min: 1, max: 100 }),
      scan: fc.constantFrom(1, 60, 300, 2000, 100_000),
    }),
  },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('cursor' as const), limit: sometimes(fc.integer({ min: 1, max: 100 }), 1, 1) }) },
  // The same question as one asked before (the window then ends at a later now).
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('again' as const), back: fc.nat({ max: 4 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('write' as const), count: fc.integer({ min: 1, max: 130 }), type: fc.constantFrom(...TYPES) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('backdate' as const), at: bound, type: fc.constantFrom(...TYPES) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('tick' as const), seconds: fc.integer({ min: 0, max: 7200 }) }) },
);
const upstream = fc.record({
  max: fc.constantFrom(50, 100, 250),
  over: fc.constantFrom('refuse' as const, 'cap' as const, 'cap-unechoed' as const),
  pageSize: fc.constantFrom('1000', '100', '37'),
  cacheEntries: fc.constantFrom('150', '5000', '200000', '200000'),
});

describe('ledger cache: answers with and without it', () => {
  it('are equal over random sessions of questions and upstream writes', async () => {
    await fc.assert(
      fc.asyncProperty(upstream, fc.array(op, { minLength: 4, maxLength: 24 }), async (up, ops) => {
        const clock = { now: Date.now() };
        const sim = await startSimulator({ now: () => clock.now, synapLedgerSize: 1200, synapPageLimit: { max: up.max, over: up.over } });
        const registry = (cacheEntries: string) =>
          new ProviderRegistry(loadConfig(envFor(sim, { CREDIT_MCP_CACHE_ENTRIES: cacheEntries, CREDIT_MCP_SYNAP_PAGE_SIZE: up.pageSize })), () => clock.now);
        const cached = registry(up.cacheEntries);
        const uncached = registry('0');
        const cache = (cached.resolve('synap').provider as SynapProvider).cache;
        let cursor: string | null = null;
        const asked: Op[] = [];
        try {
          for (const o of ops) {
            if (o.kind === 'tick') clock.now += o.seconds * 1000;
            else if (o.kind === 'write') {
              for (let i = 0; i < o.count; i++) {
                clock.now += 1 + (i % 7);
                sim.synap.insert({ entry_type: o.type });
              }
            } else if (o.kind === 'backdate') {
              sim.synap.insert({ entry_type: o.type, created_at: instant(o.at, clock.now, sim.synap.entries(), false) });
            } else {
              const q = o.kind === 'again' ? asked.at(-1 - (o.back % Math.max(1, asked.length))) : o;
              if (!q) continue;
              if (o.kind !== 'again') asked.push(o);
              const args = argsOf(q, cursor, clock.now, sim.synap.entries());
              if (!args) continue;
              const tool = q.kind === 'summary' ? getCreditSummary : getCreditLedger;
              const off = await callTool(tool, uncached, args, { now: () => clock.now });
              const on = await callTool(tool, cached, args, { now: () => clock.now });
              expect(on.result, `${tool.name} ${JSON.stringify(args)}`).toEqual(off.result);
              if (tool === getCreditLedger && !off.result.isError) {
                cursor = off.data!.next_cursor;
                // Against the upstream too, for a fresh walk (a cursor's totals are those of its first call's snapshot).
                if (q.kind === 'ledger' && off.data!.complete) {
                  const f = off.data!.filters;
                  const truth = sim.synap.query({ ...(f.entry_type ? { entry_type: f.entry_type } : {}), ...(f.from ? { from: f.from } : {}), to: f.to });
                  expect(off.data!.totals.count).toBe(truth.length);
                }
              }
            }
            expect(cache.budget.counted).toBeLessThanOrEqual(Number(up.cacheEntries));
            expect(cache.budget.reserved).toBe(0);
          }
        } finally {
          await cached.closeAll();
          await uncached.closeAll();
          await sim.close();
        }
      }),
      { numRuns: 40 },
    );
  }, 300_000);
});

function argsOf(o: Op, cursor: string | null, now: number, entries: readonly { created_at: string }[]): Record<string, unknown> | undefined {
  if (o.kind === 'summary') return { provider: 'synap', days: o.days, recent_limit: o.recent };
  if (o.kind === 'cursor') return cursor ? { provider: 'synap', cursor, ...(o.limit ? { limit: o.limit } : {}) } : undefined;
  if (o.kind !== 'ledger') return undefined;
  return {
    provider: 'synap',
    ...(o.type ? { entry_type: o.type } : {}),
    ...(o.from ? { from: instant(o.from, now, entries, true) } : {}),
    ...(o.to ? { to: instant(o.to, now, entries, true) } : {}),
    limit: o.limit,
    scan_limit: o.scan,
  };
}

/** An ISO instant for a bound; an entry's own instant keeps its microseconds (and `+00:00`, as Synap writes it). */
function instant(b: Bound, now: number, entries: readonly { created_at: string }[], finerAllowed: boolean): string {
  if ('daysAgo' in b) return new Date(now - Math.round(b.daysAgo * DAY)).toISOString();
  const at = entries[b.entry % entries.length]!.created_at;
  return b.finer && finerAllowed ? at.replace(/(\.\d{6})/, '$17') : at;
}
