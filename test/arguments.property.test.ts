// Thousands of generated argument objects per tool, valid, near-valid and garbage, through the
// MCP client into one spawned server: none crashes it; each invalid one is refused naming an
// argument, before any upstream request; each valid one is answered.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { judge, PRICED_METRICS, type ContractContext, type ToolName } from './argument-contract.js';
import { envFor, spawnServer, startSimulator, textOf, until, type Simulator, type SpawnedServer } from './helpers.js';

const RUNS = 1200;
/** For numbers, a refusal states the allowed range (contracts.md, Pinned details). */
const RULES: Record<string, string> = {
  days: 'an integer from 1 to 365',
  recent_limit: 'an integer from 1 to 100',
  limit: 'an integer from 1 to 100',
  scan_limit: 'an integer from 1 to 100000',
  required_credits: 'a number greater than 0',
  'estimate.units': 'a number greater than 0',
  'estimate.item_count': 'an integer of at least 1',
  entry_type: '1 to 64 characters of letters, digits and _ . : -',
  'estimate.metric_type': '1 to 64 characters of letters, digits and _ . : -',
};
const REAL_CURSOR = '<the real cursor>';

let sim: Simulator;
let server: SpawnedServer;
let ctx: ContractContext;
beforeAll(async () => {
  // Small upstream data: every valid call reads one page, so the runs stay quick.
  sim = await startSimulator({ synapLedgerSize: 80, signalEventCount: 60 });
  server = await spawnServer(envFor(sim, { CREDIT_MCP_DEFAULT_PROVIDER: 'synap' }));
  const first = await server.client.callTool({ name: 'get_credit_ledger', arguments: { provider: 'synap', limit: 5 } });
  const realCursor = (first.structuredContent as { next_cursor: string }).next_cursor;
  expect(realCursor).toBeTruthy();
  ctx = { defaultProvider: 'synap', realCursor };
});
afterAll(async () => {
  await server?.close();
  await sim?.close();
});

// ---- generators: each argument valid most of the time, else near-valid, else anything ----

const mix = <T>(valid: fc.Arbitrary<T>, near: fc.Arbitrary<unknown>) =>
  fc.oneof({ weight: 8, arbitrary: valid as fc.Arbitrary<unknown> }, { weight: 3, arbitrary: near }, { weight: 1, arbitrary: fc.anything() });

const wrongTypes = fc.constantFrom<unknown>(null, true, [], {}, '', 'NaN', [1]);
const int = (min: number, max: number) =>
  mix(fc.integer({ min, max }), fc.oneof(fc.constantFrom(min - 1, max + 1, -1, 0, min + 0.5, 2 ** 53, 1e21), fc.integer({ min, max }).map(String), wrongTypes));
const provider = mix(fc.constantFrom('signal-foundry', 'synap'), fc.constantFrom('Synap', 'synap ', 'signal_foundry', 'stripe', '', 42, null));

const DAY = 86_400_000;
const instantParts = fc.record({
  ms: fc.integer({ min: Date.UTC(1995, 0, 1), max: Date.UTC(2090, 0, 1) }),
  fraction: fc.constantFrom('', '.5', '.123', '.000500', '.000100', '.1234567'),
  offset: fc.constantFrom('Z', '+00:00', '+05:30', '-08:00', '+14:00', '-00:00'),
});
function formatInstant({ ms, fraction, offset }: { ms: number; fraction: string; offset: string }): string {
  const minutes = offset === 'Z' ? 0 : (offset[0] === '-' ? -1 : 1) * (Number(offset.slice(1, 3)) * 60 + Number(offset.slice(4)));
  return new Date(ms + minutes * 60_000).toISOString().slice(0, 19) + fraction + offset;
}
// Recent instants too, so that windows often hold rows.
const validInstant = fc.oneof(instantParts, instantParts.map((p) => ({ ...p, ms: Date.now() - (p.ms % (60 * DAY)) }))).map(formatInstant);
const nearInstant = fc.oneof(
  fc.constantFrom('2026-11-01', '2026-11-01T00:00:00', '2026-11-01T00:00Z', '2026-11-01 00:00:00Z', '2026-13-01T00:00:00Z', '2026-02-30T00:00:00Z', '2026-11-01T24:00:00Z', '2026-11-01T00:00:00+0530', '2026-11-01t00:00:00z', '2026-11-01T00:00:00.Z', 'yesterday', '1730419200'),
  validInstant.map((s) => s.slice(0, -1)),
  fc.integer(),
);
const instant = mix(validInstant, nearInstant);

const estimate = mix(
  fc.record(
    { metric_type: fc.constantFrom(...PRICED_METRICS), units: fc.double({ min: 0.001, max: 1e6, noNaN: true }), item_count: fc.integer({ min: 1, max: 1000 }) },
    { requiredKeys: ['metric_type', 'units'] },
  ),
  fc.oneof(
    fc.constantFrom({ units: 5 }, { metric_type: 'llm_input_tokens' }, { metric_type: 'llm_input_tokens', units: 0 }, { metric_type: 7, units: 5 }),
    fc.constantFrom({ metric_type: 'llm_input_tokens', units: 5, item_count: 1.5 }, { metric_type: 'llm_input_tokens', units: 5, item_count: 0 }, { metric_type: 'llm_input_tokens', units: 5, priority: 'high' }),
  ),
);

const cursor = mix(
  fc.constant(REAL_CURSOR),
  fc.oneof(fc.string(), fc.constantFrom('', 'abc.def', 'eyJ2IjoxfQ.AAAAAAAAAAAAAAAAAAAAAA', `${REAL_CURSOR}x`)),
);

const EXTRA_KEYS = fc.oneof(fc.constantFrom('__proto__', 'constructor', 'toString', 'Days', 'provider_id', 'limit', 'days', 'from', 'estimate'), fc.stringMatching(/^[a-z_]{1,10}$/));

const opt = { requiredKeys: [] as [] };
const argumentsFor: Record<ToolName, fc.Arbitrary<Record<string, unknown>>> = {
  check_balance: fc.record({ provider, required_credits: mix(fc.double({ min: 1e-6, max: 1e9, noNaN: true }), fc.constantFrom(0, -1, -0.0001, '5', null)), estimate }, opt),
  get_credit_summary: fc.record({ provider, days: int(1, 365), recent_limit: int(1, 100) }, opt),
  get_credit_ledger: fc.oneof(
    fc.record({ provider, entry_type: mix(fc.constantFrom('debit', 'credit', 'expiration', 'reserve', 'release'), fc.oneof(fc.string(), fc.constant(''), fc.constant('x'.repeat(65)), fc.constant('debit\r\nX: y'), fc.stringMatching(/^[\w.:-]{1,64}$/))), from: instant, to: instant, limit: int(1, 100), scan_limit: int(1, 100_000), cursor }, opt),
    // One instant, two fractions: windows inverted below the millisecond, and empty ones.
    fc.record({ provider, parts: instantParts, pair: fc.constantFrom(['.000500', '.000100'], ['.000100', '.000500'], ['.5', '.5']) }).map(({ provider: p, parts, pair }) => ({
      provider: p,
      from: formatInstant({ ...parts, fraction: pair[0]! }),
      to: formatInstant({ ...parts, fraction: pair[1]! }),
    })),
  ),
};

/** Own properties, even `__proto__`, the way JSON.parse makes them, and JSON's view of every value. */
function asJson(base: Record<string, unknown>, extra: Record<string, unknown>, whole: unknown, useWhole: boolean): unknown {
  if (useWhole) return whole === undefined ? undefined : JSON.parse(JSON.stringify(whole) ?? 'null');
  const out: Record<string, unknown> = {};
  for (const [k, v] of [...Object.entries(base), ...Object.entries(extra)]) {
    Object.defineProperty(out, k, { value: k === 'cursor' && v === REAL_CURSOR ? ctx.realCursor : v, enumerable: true, writable: true, configurable: true });
  }
  return JSON.parse(JSON.stringify(out));
}

function callArbitrary(tool: ToolName) {
  return fc.record({
    base: argumentsFor[tool],
    extra: fc.oneof({ weight: 5, arbitrary: fc.constant({}) }, { weight: 1, arbitrary: fc.dictionary(EXTRA_KEYS, fc.anything(), { maxKeys: 2 }) }),
    whole: fc.oneof(fc.anything(), fc.constantFrom(null, [], 'days=5', 5, true, undefined)),
    useWhole: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
  });
}

describe.each(['check_balance', 'get_credit_summary', 'get_credit_ledger'] as ToolName[])('%s under generated arguments', (tool) => {
  it(`refuses every invalid call by name before any upstream request, and answers every valid one (${RUNS} runs)`, async () => {
    const seen = { valid: 0, invalid: 0 };
    await fc.assert(
      fc.asyncProperty(callArbitrary(tool), async ({ base, extra, whole, useWhole }) => {
        const args = asJson(base, extra, whole, useWhole);
        const verdict = judge(tool, args, ctx);
        await until(() => sim.stats.inFlight === 0);
        const before = sim.stats.requests;
        if (args !== undefined && (args === null || typeof args !== 'object' || Array.isArray(args))) {
          // Not an object at all breaks the protocol's own tools/call shape: the SDK answers a
          // JSON-RPC invalid-params error before any tool runs.
          seen.invalid++;
          const error = await server.client.callTool({ name: tool, arguments: args as Record<string, unknown> }).then(() => undefined, (e: { code?: number }) => e);
          expect(error?.code, JSON.stringify(args)).toBe(-32602);
          expect(sim.stats.requests).toBe(before);
          return;
        }
        const result = await server.client.callTool({ name: tool, arguments: args as Record<string, unknown> });
        const text = textOf(result);
        const what = `${JSON.stringify(args)}\n=> ${text}`;
        expect(text, what).not.toMatch(/Internal error/);
        if (verdict.valid) {
          seen.valid++;
          // (Upstream requests it may or may not need: a window in the future holds nothing.)
          expect(result.isError, what).toBeFalsy();
        } else {
          seen.invalid++;
          expect(result.isError, what).toBe(true);
          expect(text, what).toMatch(/^Invalid argument: [\s\S]*Nothing was sent upstream\.$/);
          expect(verdict.names.some((name) => text.includes(name.trim())), `${what}\nshould name one of ${verdict.names.join(', ')}`).toBe(true);
          expect(sim.stats.requests, what).toBe(before);
          for (const [name, rule] of Object.entries(RULES)) if (text.includes(`: ${name} must be`)) expect(text, what).toContain(`${name} must be ${rule}`);
        }
      }),
      { numRuns: RUNS },
    );
    // The mix really mixes: plenty of both kinds (check_balance, with its cross-argument rules,
    // draws the fewest valid calls: about one in ten).
    expect(seen.valid).toBeGreaterThan(RUNS / 20);
    expect(seen.invalid).toBeGreaterThan(RUNS / 20);
    // And the server is still there.
    await expect(server.client.ping()).resolves.toBeDefined();
    expect(server.transport.unparsable).toEqual([]);
  }, 120_000);
});
