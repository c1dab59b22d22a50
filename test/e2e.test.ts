// The built server, spawned over real stdio and driven by the SDK's v2 client in each way a
// host picks the protocol era (pinned to 2026-07-28, auto, and the 2025 handshake), against the
// simulator on loopback.
import { spawn, spawnSync } from 'node:child_process';
import type { Client } from '@modelcontextprotocol/client';
import { Ajv } from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, ERA_MODES, envFor, spawnServer, startSimulator, textOf, type EraMode, type Simulator } from './helpers.js';

async function connect(env: Record<string, string>, args: string[] = [], era: EraMode = 'legacy') {
  const { client, transport } = await spawnServer(env, args, era);
  return { client, stderr: () => transport.stderr(), stdout: () => transport.stdout(), unparsable: transport.unparsable };
}

/** The era each mode lands on against this server: auto finds the 2026 revision. */
const EXPECTED_ERA: Record<EraMode, 'modern' | 'legacy'> = { modern: 'modern', auto: 'modern', legacy: 'legacy' };


let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator();
});
afterAll(async () => {
  await sim.close();
});

describe.each(ERA_MODES)('stdio server with both providers, client era mode %s', (era) => {
  let client: Client;
  let stderr: () => string;
  let stdout: () => string;
  let unparsable: string[];
  const ajv = new Ajv({ strict: false });
  const validators = new Map<string, ReturnType<Ajv['compile']>>();

  beforeAll(async () => {
    ({ client, stderr, stdout, unparsable } = await connect(envFor(sim), [], era));
    const { tools } = await client.listTools();
    for (const t of tools) validators.set(t.name, ajv.compile(t.outputSchema!));
  });
  afterAll(async () => {
    await client.close();
  });

  it(`lands on the ${EXPECTED_ERA[era]} era`, () => {
    expect(client.getProtocolEra()).toBe(EXPECTED_ERA[era]);
    expect(client.getServerVersion()?.name).toBe('credit-mcp');
    expect(client.getInstructions()).toMatch(/check_balance is the balance to decide a write on/);
  });

  it('lists the three read-only tools', async () => {
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(['check_balance', 'get_credit_ledger', 'get_credit_summary']);
    for (const t of tools) {
      expect(t.annotations).toMatchObject({ readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false });
      expect(t.inputSchema.properties).toHaveProperty('provider');
    }
    expect(Object.fromEntries(tools.map((t) => [t.name, t.title]))).toEqual({
      check_balance: 'Check credit balance',
      get_credit_summary: 'Credit usage summary',
      get_credit_ledger: 'Credit ledger',
    });
  });

  const credits = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });
  type Meter = { meter: string; credits: number; kind: string };

  it('summary on signal-foundry: names the meters that make up used_credits, reservations apart', async () => {
    const result = await client.callTool({ name: 'get_credit_summary', arguments: { provider: 'signal-foundry' } });
    const data = result.structuredContent as { used_credits: number; by_meter: Meter[]; reservations: { held: number; released: number; net: number } };
    const start = Date.now() - 30 * 86_400_000 - 60_000;
    const events = sim.signalFoundry.events().filter((e) => Date.parse(e.recorded_at) >= start);
    const sum = (meter: string) => events.filter((e) => e.meter_type === meter).reduce((s, e) => s + e.quantity, 0);
    const [basic, enrichment, held, released] = ['usage.basic_company', 'usage.enrichment_source', 'reservation.reserve', 'reservation.release'].map(sum) as [number, number, number, number];
    expect(data.used_credits).toBeCloseTo(basic + enrichment, 6);
    expect(data.reservations.held).toBeCloseTo(held, 6);
    expect(data.reservations.released).toBeCloseTo(released, 6);
    expect(data.reservations.net).toBeCloseTo(held - released, 6);
    const used = [['usage.basic_company', basic], ['usage.enrichment_source', enrichment]].sort((a, b) => (b[1] as number) - (a[1] as number));
    const lines = textOf(result).split('\n');
    expect(lines[0]).toMatch(new RegExp(`^signal-foundry used ${credits.format(basic + enrichment)} credits in the last 30 days`));
    expect(lines[1]).toBe(`Used, by meter: ${used.map(([m, c]) => `${m} ${credits.format(c as number)}`).join(', ')}.`);
    expect(lines[2]).toBe(`Reservations, apart from usage: held ${credits.format(held)}, released ${credits.format(released)} (net ${credits.format(held - released)}).`);
  });

  it('ledger on signal-foundry: says its "used" total counts reservation holds, and how to read usage only', async () => {
    const result = await client.callTool({ name: 'get_credit_ledger', arguments: { provider: 'signal-foundry' } });
    const data = result.structuredContent as { entries: unknown[]; scanned: number; totals: { credits_used: number; count: number } };
    // The upstream shows its newest 100 events; the scan covers exactly those.
    const shown = sim.signalFoundry.events().slice(0, data.scanned);
    const holds = shown.filter((e) => e.meter_type === 'reservation.reserve');
    expect(holds.length).toBeGreaterThan(0);
    const net = -holds.reduce((s, e) => s + e.quantity, 0);
    expect(textOf(result).split('\n')[1]).toMatch(
      new RegExp(` over ${data.totals.count} entries\\. "used" includes ${holds.length} reservation holds \\(${credits.format(net)}\\); entry_type "debit" reads usage only\\.$`),
    );
    const debits = await client.callTool({ name: 'get_credit_ledger', arguments: { provider: 'signal-foundry', entry_type: 'debit' } });
    expect(textOf(debits)).not.toMatch(/reservation holds/);
  });

  it('summary on synap: debits are the usage, no reservations, other entry types apart', async () => {
    const result = await client.callTool({ name: 'get_credit_summary', arguments: { provider: 'synap', days: 90 } });
    const data = result.structuredContent as { period: { start: string; end: string }; by_meter: Meter[]; reservations: null; other_movements: Array<{ entry_type: string; credits: number }> };
    const rows = sim.synap.query({ from: data.period.start, to: data.period.end });
    const others = new Map<string, number>();
    for (const e of rows.filter((r) => r.entry_type !== 'debit')) others.set(e.entry_type, (others.get(e.entry_type) ?? 0) + e.delta);
    expect(others.size).toBeGreaterThan(0);
    expect(data.reservations).toBeNull();
    expect(data.by_meter.every((m) => m.kind === 'usage')).toBe(true);
    const apart = [...others].sort((a, b) => Math.abs(b[1]) - Math.abs(a[1]) || a[0].localeCompare(b[0])).slice(0, 4);
    const lines = textOf(result).split('\n');
    expect(lines[1]).toMatch(/^Used, by meter \(debits\): /);
    expect(lines[2]).toBe(`No reservations on synap. Apart from usage, by entry type: ${apart.map(([t, c]) => `${t} ${c > 0 ? '+' : ''}${credits.format(c)}`).join(', ')}${others.size > 4 ? `, +${others.size - 4} more` : ''}.`);
  });

  const calls: Array<[string, Record<string, unknown>]> = [
    ['check_balance', { required_credits: 500 }],
    ['get_credit_summary', { days: 30, recent_limit: 5 }],
    ['get_credit_ledger', { limit: 10 }],
  ];
  for (const provider of ['signal-foundry', 'synap']) {
    for (const [name, args] of calls) {
      it(`${name} on ${provider} answers text and schema-valid structured content`, async () => {
        const result = await client.callTool({ name, arguments: { provider, ...args } });
        expect(result.isError).toBeFalsy();
        const validate = validators.get(name)!;
        expect(validate(result.structuredContent), JSON.stringify(validate.errors)).toBe(true);
        const text = textOf(result);
        expect(text.length).toBeGreaterThan(40);
        expect(text.trimStart().startsWith('{')).toBe(false);
        expect((result.structuredContent as { provider: string }).provider).toBe(provider);
      });
    }
  }

  it('gives a decision with the shortfall on check_balance', async () => {
    const available = sim.synap.balance().balance_credits;
    const result = await client.callTool({ name: 'check_balance', arguments: { provider: 'synap', required_credits: available + 250 } });
    expect(result.structuredContent).toMatchObject({ decision: 'insufficient', available_credits: available });
    expect((result.structuredContent as { shortfall_credits: number }).shortfall_credits).toBeCloseTo(250, 6);
    expect(textOf(result)).toMatch(/short by 250/);
    // Synap has no reservations: nothing to wait for.
    expect((result.structuredContent as { reserved_credits: null }).reserved_credits).toBeNull();
    expect((result.structuredContent as { guidance: string }).guidance).toBe('Short by 250 credits: top up or make the write smaller.');
  });

  it('on signal-foundry, a shortfall with credits held advises waiting for them', async () => {
    const { available_credits, reserved_credits } = sim.signalFoundry.balance();
    expect(reserved_credits).toBeGreaterThan(0);
    const result = await client.callTool({ name: 'check_balance', arguments: { provider: 'signal-foundry', required_credits: available_credits + 250 } });
    const reserved = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 }).format(reserved_credits);
    expect((result.structuredContent as { guidance: string }).guidance).toBe(
      `Short by 250 credits: top up, wait for the ${reserved} reserved credits to be released, or make the write smaller.`,
    );
  });

  it('prices a synap estimate into required_credits', async () => {
    const result = await client.callTool({ name: 'check_balance', arguments: { provider: 'synap', estimate: { metric_type: 'llm_input_tokens', units: 5000 } } });
    const data = result.structuredContent as { required_credits: number; decision: string };
    expect(data.required_credits).toBeGreaterThan(0);
    expect(data.decision).toBe('sufficient');
  });

  it('asks which provider when both are on and none is given', async () => {
    const result = await client.callTool({ name: 'get_credit_summary', arguments: {} });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/provider is required .* signal-foundry, synap/);
  });

  it.each([
    ['get_credit_summary', { provider: 'synap', days: 0 }, /days must be an integer from 1 to 365 \(got 0\)/],
    ['get_credit_summary', { provider: 'synap', days: 400 }, /days must be an integer from 1 to 365 \(got 400\)/],
    ['get_credit_summary', { provider: 'synap', recent_limit: 1000 }, /recent_limit must be an integer from 1 to 100/],
    ['get_credit_ledger', { provider: 'synap', limit: 1000 }, /limit must be an integer from 1 to 100 \(got 1000\)/],
    ['get_credit_ledger', { provider: 'synap', from: '2026-11-02T00:00:00Z', to: '2026-11-01T00:00:00Z' }, /from .* must not be after to/],
    ['get_credit_ledger', { provider: 'synap', from: 'yesterday' }, /from must be an ISO 8601 date-time/],
    ['get_credit_ledger', { provider: 'synap', scan_limit: '5' }, /scan_limit must be an integer from 1 to 100000 \(got "5"\)/],
    ['check_balance', { provider: 'stripe' }, /provider must be one of "signal-foundry", "synap"/],
    ['check_balance', { provider: 'synap', required_credits: -5 }, /required_credits must be a number greater than 0/],
    ['check_balance', { provider: 'signal-foundry', estimate: { metric_type: 'x', units: 1 } }, /estimate is priced only by synap/],
    ['check_balance', { provider: 'synap', days: 3 }, /unknown argument "days"/],
  ])('%s %j is refused before any upstream call', async (name, args, message) => {
    const before = sim.stats.requests;
    const result = await client.callTool({ name, arguments: args });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(message);
    expect(sim.stats.requests).toBe(before);
  });

  it('refuses an identifier argument outside 1 to 64 of letters, digits and _ . : - before any upstream call', async () => {
    const before = sim.stats.requests;
    const cases: Array<[string, Record<string, unknown>, RegExp]> = [
      ['get_credit_ledger', { provider: 'synap', entry_type: 'x'.repeat(100_000) }, /entry_type must be 1 to 64 characters/],
      ['get_credit_ledger', { provider: 'synap', entry_type: 'debit\r\nInjected: yes' }, /entry_type must be 1 to 64 characters/],
      ['get_credit_ledger', { provider: 'synap', entry_type: '' }, /entry_type must be 1 to 64 characters/],
      ['check_balance', { provider: 'synap', estimate: { metric_type: 'a b', units: 1 } }, /estimate\.metric_type must be 1 to 64 characters/],
    ];
    for (const [name, args, message] of cases) {
      const result = await client.callTool({ name, arguments: args });
      expect(result.isError).toBe(true);
      expect(textOf(result)).toMatch(message);
      expect(textOf(result)).not.toMatch(/[\r\n]Injected/);
      expect(textOf(result).length).toBeLessThan(400);
    }
    expect(sim.stats.requests).toBe(before);
  });

  it('reports upstream faults as results with the upstream code and next step, the key redacted', async () => {
    sim.injectFault({ match: '/v1/credits/balance', kind: 'status', status: 401, body: { error: `bad key ${sim.keys.synap}`, code: 'CREDENTIAL_INVALID', details: {} }, times: 1 });
    const denied = await client.callTool({ name: 'check_balance', arguments: { provider: 'synap' } });
    expect(denied.isError).toBe(true);
    expect(textOf(denied)).toMatch(/CREDENTIAL_INVALID \(HTTP 401\)[\s\S]*\[redacted\][\s\S]*Next step: Set SYNAP_API_KEY[\s\S]*correlation_id: [0-9a-f-]{36}/);
    expect(textOf(denied)).not.toContain(sim.keys.synap);
    sim.injectFault({ match: '/api/signal-foundry/credits', kind: 'status', status: 429, headers: { 'retry-after': '120' }, body: { error: { code: 'rate_limit_exceeded', message: 'slow down' } }, times: 1 });
    const limited = await client.callTool({ name: 'get_credit_summary', arguments: { provider: 'signal-foundry' } });
    expect(limited.isError).toBe(true);
    expect(textOf(limited)).toMatch(/rate_limit_exceeded \(HTTP 429\)[\s\S]*Wait 120 s, then retry\.[\s\S]*retry_after_seconds: 120/);
    sim.clearFaults();
  });

  it('answers an unknown tool with a protocol error and keeps serving', async () => {
    await expect(client.callTool({ name: 'top_up', arguments: {} })).rejects.toThrow(/top_up/);
    expect((await client.callTool({ name: 'check_balance', arguments: { provider: 'synap' } })).isError).toBeFalsy();
  });

  it('writes only JSON-RPC on stdout and never prints the keys', () => {
    expect(unparsable).toEqual([]);
    for (const line of stdout().split('\n').filter(Boolean)) expect(JSON.parse(line)).toMatchObject({ jsonrpc: '2.0' });
    for (const key of [sim.keys.synap, sim.keys.signalFoundry]) {
      expect(stderr()).not.toContain(key);
      expect(stdout()).not.toContain(key);
    }
  });
});

describe('both eras give the same surface', () => {
  it('lists the same tools and schemas, and gives the same answers and errors, in every era mode', async () => {
    const seen: unknown[] = [];
    for (const era of ERA_MODES) {
      const { client } = await connect(envFor(sim), [], era);
      const { tools } = await client.listTools();
      const answers = [];
      for (const args of [{ provider: 'synap', days: 400 }, { provider: 'signal-foundry', days: 7, recent_limit: 3 }, {}, { provider: 'signal-foundry', days: 2 }]) {
        // The last call meets an upstream that refuses the key.
        if (args.days === 2) sim.injectFault({ match: '/api/signal-foundry/credits', kind: 'status', status: 401, body: { error: { code: 'api_key_revoked', message: 'revoked' } }, times: 1 });
        const result = await client.callTool({ name: 'get_credit_summary', arguments: args });
        // The period is "now"-relative: compare everything but the instants.
        // The 2026 era stamps the server's identity into each result's _meta: protocol, not answer.
        const { _meta, ...answer } = result;
        answers.push(JSON.parse(JSON.stringify(answer, (k, v) => (/^(start|end|as_of)$/.test(k) ? '<instant>' : v)).replace(/\d{4}-\d\d-\d\d \d\d:\d\dZ/g, '<time>')));
      }
      seen.push({ tools, answers });
      await client.close();
    }
    const first = seen[0] as { answers: Array<{ isError?: boolean; content: Array<{ text: string }> }> };
    expect(first.answers.map((a) => a.isError ?? false)).toEqual([true, false, true, true]);
    expect(first.answers[3]!.content[0]!.text).toMatch(/api_key_revoked \(HTTP 401\)/);
    expect(seen[1]).toEqual(seen[0]);
    expect(seen[2]).toEqual(seen[0]);
  });
});

describe('stdio server configuration', () => {
  it('starts with no key at all and answers every tool "not configured"', async () => {
    const { client } = await connect({});
    for (const name of ['check_balance', 'get_credit_summary', 'get_credit_ledger']) {
      const result = await client.callTool({ name, arguments: {} });
      expect(result.isError).toBe(true);
      expect(textOf(result)).toBe(
        'Not configured: No credit provider is configured: set SIGNAL_FOUNDRY_API_KEY or SYNAP_API_KEY and restart the server, or start it with --demo to try the built-in simulator.',
      );
    }
    await client.close();
  });

  it('names the variable to set for a provider that is off', async () => {
    const { client } = await connect({ SYNAP_API_KEY: sim.keys.synap, SYNAP_BASE_URL: sim.url });
    const result = await client.callTool({ name: 'check_balance', arguments: { provider: 'signal-foundry' } });
    expect(textOf(result)).toMatch(/signal-foundry is not configured: set SIGNAL_FOUNDRY_API_KEY/);
    const ok = await client.callTool({ name: 'check_balance', arguments: {} });
    expect(ok.isError).toBeFalsy();
    await client.close();
  });

  it('answers in demo mode against the embedded simulator', async () => {
    const { client } = await connect({}, ['--demo']);
    const result = await client.callTool({ name: 'get_credit_ledger', arguments: { provider: 'synap', limit: 3 } });
    expect(result.isError).toBeFalsy();
    expect((result.structuredContent as { entries: unknown[] }).entries).toHaveLength(3);
    await client.close();
  });

  it('refuses a plain-http base URL off loopback at start-up', () => {
    const run = spawnSync(process.execPath, [CLI], { env: { SYNAP_API_KEY: 'synap_x_123456', SYNAP_BASE_URL: 'http://example.com' }, input: '', encoding: 'utf8' });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/SYNAP_BASE_URL must use https/);
    expect(run.stdout).toBe('');
  });

  it('runs the simulator alone with `sim`, printing what to point a server at', async () => {
    const child = spawn(process.execPath, [CLI, 'sim', '--port', '0'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let said = '';
    const url = await new Promise<string>((resolve) => {
      child.stderr.on('data', (d: Buffer) => {
        said += d.toString();
        const m = /listening on (\S+)/.exec(said);
        if (m && said.includes('SYNAP_API_KEY=')) resolve(m[1]!);
      });
    });
    const key = /SYNAP_API_KEY=(\S+)/.exec(said)![1]!;
    const res = await fetch(`${url}/v1/credits/balance`, { headers: { authorization: `Bearer ${key}` } });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { balance_credits: number }).balance_credits).toBeGreaterThan(0);
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  });

  it('answers --help and --version, and refuses unknown flags', () => {
    const help = spawnSync(process.execPath, [CLI, '--help'], { encoding: 'utf8' });
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/check_balance, get_credit_summary, get_credit_ledger/);
    const version = spawnSync(process.execPath, [CLI, '--version'], { encoding: 'utf8' });
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    const bad = spawnSync(process.execPath, [CLI, '--frobnicate'], { encoding: 'utf8', input: '' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/frobnicate/);
    for (const level of ['verbose', 'toString']) {
      const run = spawnSync(process.execPath, [CLI, '--log-level', level], { encoding: 'utf8', input: '' });
      expect(run.status).toBe(2);
      expect(run.stderr).toMatch(/must be one of debug, info, warn, error/);
    }
    const emptyPort = spawnSync(process.execPath, [CLI, 'sim', '--port', ''], { encoding: 'utf8' });
    expect(emptyPort.status).toBe(2);
    expect(emptyPort.stderr).toMatch(/--port must be an integer/);
  });
});

describe.each(ERA_MODES)('stdio server on a large ledger, client era mode %s', (era) => {
  let big: Simulator;
  let client: Client;
  beforeAll(async () => {
    big = await startSimulator({ synapLedgerSize: 20_000, latencyMs: 20 });
    ({ client } = await connect({ SYNAP_API_KEY: big.keys.synap, SYNAP_BASE_URL: big.url, CREDIT_MCP_CONCURRENCY: '4' }, [], era));
  });
  afterAll(async () => {
    await client.close();
    await big.close();
  });

  it('sends progress notifications in order as pages arrive', async () => {
    const seen: Array<{ progress: number; total?: number }> = [];
    const result = await client.callTool({ name: 'get_credit_ledger', arguments: { scan_limit: 3000 } }, {
      onprogress: (p) => seen.push({ progress: p.progress, total: p.total }),
    });
    expect(result.isError).toBeFalsy();
    expect(seen.map((p) => p.progress)).toEqual(Array.from({ length: 30 }, (_, i) => (i + 1) * 100));
    expect(seen.every((p) => p.total === 3000)).toBe(true);
  });

  it('stops upstream requests when the client cancels, and keeps serving', async () => {
    const controller = new AbortController();
    big.resetStats();
    const call = client.callTool({ name: 'get_credit_ledger', arguments: { scan_limit: 100_000 } }, {
      signal: controller.signal,
      onprogress: (p) => {
        if (p.progress >= 200) controller.abort();
      },
    });
    await expect(call).rejects.toThrow();
    await new Promise((r) => setTimeout(r, 200));
    const afterCancel = big.stats.requests;
    await new Promise((r) => setTimeout(r, 400));
    expect(big.stats.requests).toBe(afterCancel);
    expect(big.stats.inFlight).toBe(0);
    expect(afterCancel).toBeLessThan(30);
    const next = await client.callTool({ name: 'check_balance', arguments: {} });
    expect(next.isError).toBeFalsy();
  });
});
