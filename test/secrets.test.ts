// The API keys never leave the process except in the Authorization header: not on stdout, not
// on stderr (at debug level), not in any tool text or structured content, through the whole
// fault matrix and through upstreams that echo the key back, in any encoding a key could
// plausibly take.
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAULTS, FaultMatrix } from './fault-matrix.js';
import { startReflector, type ReflectMode } from './reflector.js';
import { CLI, spawnServer, startSimulator, textOf, type Simulator, type SpawnedServer, type ToolResult } from './helpers.js';

const KEYS = { signalFoundry: 'sf_SECRET_canary_91bd', synap: 'synap_SECRET_canary_7f3a9' };
const DEBUG = { CREDIT_MCP_LOG_LEVEL: 'debug', CREDIT_MCP_TIMEOUT_MS: '1200' };

/** Each key as it might show up: whole, in part, URL-encoded, and base64 at every alignment. */
function leakForms(key: string): string[] {
  const forms = new Set([key, key.slice(0, 16), key.slice(-12), encodeURIComponent(key), encodeURIComponent(`Bearer ${key}`)]);
  for (let j = 0; j < 3; j++) {
    const bytes = Buffer.from(key.slice(j));
    const whole = Math.floor(bytes.length / 3) * 4;
    const b64 = bytes.toString('base64').slice(0, whole);
    forms.add(b64);
    forms.add(b64.replace(/\+/g, '-').replace(/\//g, '_'));
  }
  return [...forms];
}
const FORMS = [...leakForms(KEYS.signalFoundry), ...leakForms(KEYS.synap), 'SECRET_canary'];

function expectNoKey(what: string, output: string): void {
  for (const form of FORMS) expect(output.includes(form), `${what} contains "${form}":\n${output.slice(0, 2000)}`).toBe(false);
}

function expectResultClean(what: string, result: ToolResult): void {
  expectNoKey(`${what} text`, textOf(result));
  expectNoKey(`${what} structured content`, JSON.stringify(result.structuredContent ?? null));
}

function expectServerClean(what: string, server: SpawnedServer): void {
  expectNoKey(`${what} stdout`, server.transport.stdout());
  expectNoKey(`${what} stderr`, server.transport.stderr());
}

describe('the fault matrix with canary keys, at debug level', () => {
  let matrix: FaultMatrix;
  beforeAll(async () => {
    matrix = await FaultMatrix.start({ keys: KEYS, env: DEBUG });
  });
  afterAll(async () => {
    await matrix?.close();
  });

  it.each(FAULTS.map((f) => [f.name, f] as const))('%s leaks no key', async (name, fault) => {
    for (const outcome of await matrix.run(fault)) {
      expectResultClean(`${name} / ${outcome.cell.tool} on ${outcome.cell.provider}`, outcome.result);
      expectResultClean(`${name} / next call`, outcome.next);
    }
  });

  it('wrote no key to any stdout or stderr, though it did log at debug level', () => {
    for (const [tool, server] of matrix.servers) {
      expect(server.transport.stderr()).toMatch(/\] debug /);
      expectServerClean(`server for ${tool}`, server);
    }
  });
});

describe('upstreams that echo the key back', () => {
  let sim: Simulator;
  let server: SpawnedServer;
  beforeAll(async () => {
    sim = await startSimulator({ keys: KEYS, synapLedgerSize: 50 });
    server = await spawnServer({
      SIGNAL_FOUNDRY_BASE_URL: sim.url,
      SIGNAL_FOUNDRY_API_KEY: KEYS.signalFoundry,
      SYNAP_BASE_URL: sim.url,
      SYNAP_API_KEY: KEYS.synap,
      ...DEBUG,
    });
  });
  afterAll(async () => {
    await server?.close();
    await sim?.close();
  });

  const sf = KEYS.signalFoundry;
  const sy = KEYS.synap;
  it.each([
    ['signal-foundry', 401, { error: { code: 'invalid_api_key', message: `The API key ${sf} is not valid.`, hint: `You sent Authorization: Bearer ${sf}` } }],
    ['signal-foundry', 400, { error: `bad_key_${sf}`, message: `long preamble ${'x'.repeat(220)} then the key ${sf}` }],
    ['synap', 401, { error: `Invalid API key ${sy}`, code: 'CREDENTIAL_INVALID', details: { key: sy } }],
    ['synap', 422, { detail: [{ loc: ['header', 'authorization'], msg: `Invalid token ${sy}`, input: `Bearer ${sy}` }] }],
    ['synap', 402, { detail: { balance_credits: 0, recovery_url: `https://synap.example/topup?key=${sy}`, message: `Top up for ${sy}` } }],
    ['synap', 307, { detail: `Moved: ${sy}` }],
  ] as const)('%s answering %i with the key in its error', async (provider, status, body) => {
    sim.injectFault({ kind: 'status', status, body, headers: { location: `http://127.0.0.1:1/?key=${provider === 'synap' ? sy : sf}`, 'www-authenticate': `Bearer ${sy}` } });
    const result = await server.client.callTool({ name: 'check_balance', arguments: { provider } });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toContain(`(HTTP ${status})`);
    expectResultClean(`${provider} ${status}`, result);
    const next = await server.client.callTool({ name: 'check_balance', arguments: { provider } });
    expect(next.isError, textOf(next)).toBeFalsy();
  });

  it('ledger data that carries the key', async () => {
    sim.synap.insert({ category: `cat ${sy}`, metric_type: `${'m'.repeat(70)}${sy}` });
    sim.signalFoundry.insert({ reference_id: sf, usage_key: `use ${sf}` });
    for (const provider of ['synap', 'signal-foundry']) {
      for (const name of ['get_credit_ledger', 'get_credit_summary']) {
        const result = await server.client.callTool({ name, arguments: { provider } });
        expect(result.isError, textOf(result)).toBeFalsy();
        expectResultClean(`${name} on ${provider}`, result);
      }
    }
  });

  it('wrote no key to stdout or stderr', () => {
    expectServerClean('server', server);
  });
});

describe('a broken proxy that reflects the whole request, Authorization header included', () => {
  it.each(['json-error', 'text-page', 'header', 'huge-header', 'not-http'] as ReflectMode[])('in a %s answer', async (mode) => {
    const reflector = await startReflector(mode);
    const server = await spawnServer({
      SIGNAL_FOUNDRY_BASE_URL: reflector.url,
      SIGNAL_FOUNDRY_API_KEY: KEYS.signalFoundry,
      SYNAP_BASE_URL: reflector.url,
      SYNAP_API_KEY: KEYS.synap,
      ...DEBUG,
    });
    try {
      // The path does not matter to a reflector: one tool per provider covers both clients.
      for (const provider of ['signal-foundry', 'synap']) {
        const result = await server.client.callTool({ name: 'check_balance', arguments: { provider } });
        expect(result.isError, textOf(result)).toBe(true);
        expect(textOf(result)).toMatch(/^Upstream error from /);
        expectResultClean(`${mode}: check_balance on ${provider}`, result);
      }
      expect(reflector.requests).toBeGreaterThanOrEqual(2);
    } finally {
      await server.close();
      await reflector.close();
    }
    expectServerClean(mode, server);
  });
});

describe('a key an HTTP header cannot carry', () => {
  it('is refused at start-up, naming the variable and not the key', () => {
    const sent = `${KEYS.synap}\u007f`;
    const run = spawnSync(process.execPath, [CLI], { env: { SYNAP_API_KEY: sent, ...DEBUG }, input: '', encoding: 'utf8' });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/SYNAP_API_KEY contains a space, a control or a non-ASCII character/);
    expect(run.stdout).toBe('');
    expectNoKey('stderr', run.stderr);
  });

  it('is refused when too short to be a key (or to be redacted from text)', () => {
    const run = spawnSync(process.execPath, [CLI], { env: { SIGNAL_FOUNDRY_API_KEY: 'sf_k1', ...DEBUG }, input: '', encoding: 'utf8' });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/SIGNAL_FOUNDRY_API_KEY is shorter than 6 characters/);
    expect(run.stderr).not.toContain('sf_k1');
  });
});
