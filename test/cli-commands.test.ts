// The human commands (balance, summary, ledger, doctor) and --help, run as a person runs them:
// the built dist/cli.js in a child process, against a simulator in this process or --demo.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMAND_FLAGS, OPTIONS } from '../src/commands/command-line.js';
import { DEFAULT_SIGNAL_FOUNDRY_KEY, DEFAULT_SYNAP_KEY } from '../src/sim/index.js';
import { formatCredits } from '../src/core/format.js';
import { envFor, startSimulator, type Simulator } from './helpers.js';

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const KEYS = { signalFoundry: 'sf_test_key_Zz81kQm4Lp0vXw2r', synap: 'synap_test_key_9Tg4Hb7Kc1Nd3Mf6' };
const WRONG_SYNAP_KEY = 'synap_wrong_key_Q8w7E6r5T4y3U2i1';

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Doctor shows a key's first 4 characters; nothing after them may appear in any output. */
const SECRETS = [KEYS.signalFoundry, KEYS.synap, WRONG_SYNAP_KEY, DEFAULT_SIGNAL_FOUNDRY_KEY, DEFAULT_SYNAP_KEY].map((k) => k.slice(4));

/**
 * Runs dist/cli.js and fails if any key shows in its output. Async, not spawnSync: the
 * simulator answering the child lives on this process's event loop.
 */
function run(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    // A command that does not exit by itself (a pool or the demo simulator left open) fails here.
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(timer);
      if (SECRETS.some((s) => stdout.includes(s) || stderr.includes(s))) reject(new Error(`a key appeared in the output of: ${args.join(' ')}`));
      else resolve({ status, stdout, stderr });
    });
  });
}

const json = (r: Run) => JSON.parse(r.stdout) as Record<string, any>;

let sim: Simulator;
let env: Record<string, string>;
beforeAll(async () => {
  sim = await startSimulator({ keys: KEYS });
  env = envFor(sim);
});
afterAll(async () => {
  await sim.close();
});

describe('balance, summary and ledger against the upstreams', () => {
  it('balance prints the tool text, and --json the structured content with the live balance', async () => {
    const text = await run(['balance', '--provider', 'synap'], env);
    expect(text.status).toBe(0);
    expect(text.stderr).toBe('');
    const available = sim.synap.balance().balance_credits;
    expect(text.stdout).toMatch(new RegExp(`^synap balance at [^:]+:\\d\\dZ: ${formatCredits(available).replace(/\./g, '\\.')} credits available`));
    expect(text.stdout).toMatch(/Pass required_credits/);

    const data = json(await run(['balance', '--provider', 'synap', '--json'], env));
    expect(data).toMatchObject({ provider: 'synap', available_credits: available, decision: 'not_requested', required_credits: null });

    const foundry = json(await run(['balance', '--provider', 'signal-foundry', '--json'], env));
    expect(foundry.available_credits).toBe(sim.signalFoundry.balance().available_credits);
  });

  it('balance --required decides: insufficient with the shortfall, still exit 0', async () => {
    const available = sim.synap.balance().balance_credits;
    const short = await run(['balance', '--provider', 'synap', '--required', String(available + 250)], env);
    expect(short.status).toBe(0);
    expect(short.stdout).toMatch(/: insufficient, short by 250\./);

    const data = json(await run(['balance', '--provider', 'synap', '--required', String(available + 250), '--json'], env));
    expect(data.decision).toBe('insufficient');
    expect(data.shortfall_credits).toBeCloseTo(250, 6);
    expect(json(await run(['balance', '--provider', 'synap', '--required', '1', '--json'], env)).decision).toBe('sufficient');
  });

  it('summary passes --days and --recent to the tool', async () => {
    const text = await run(['summary', '--provider', 'synap', '--days', '7'], env);
    expect(text.status).toBe(0);
    expect(text.stdout).toMatch(/^synap used [\d,.]+ credits in the last 7 days .*derived from the ledger/);
    expect(text.stdout).toMatch(/This is history/);

    const data = json(await run(['summary', '--provider', 'synap', '--days', '7', '--recent', '3', '--json'], env));
    expect(data.period.days).toBe(7);
    expect(data.recent_events).toHaveLength(3);
    expect(data.derived_from_ledger).toBe(true);
  });

  it('ledger totals match the upstream ledger for the filters given', async () => {
    const from = '2026-01-01T00:00:00Z';
    const to = new Date().toISOString();
    const truth = sim.synap.query({ entry_type: 'debit', from, to });
    const used = truth.reduce((sum, e) => sum - e.delta, 0);
    const data = json(await run(['ledger', '--provider', 'synap', '--type', 'debit', '--from', from, '--to', to, '--scan-limit', '100000', '--limit', '4', '--json'], env));
    expect(data.complete).toBe(true);
    expect(data.total_matching).toBe(truth.length);
    expect(data.totals.count).toBe(truth.length);
    expect(data.totals.credits_used).toBeCloseTo(used, 4);
    expect(data.entries).toHaveLength(4);
    expect(data.entries.every((e: { entry_type: string }) => e.entry_type === 'debit')).toBe(true);
  });

  it('ledger prints next_cursor after its text, and --cursor continues the same rows', async () => {
    const first = await run(['ledger', '--provider', 'synap', '--limit', '5'], env);
    expect(first.status).toBe(0);
    expect(first.stdout).toMatch(/More rows: call again with cursor/);
    const cursor = /^next_cursor: (\S+)$/m.exec(first.stdout)?.[1];
    expect(cursor).toBeDefined();

    const next = json(await run(['ledger', '--provider', 'synap', '--limit', '5', '--cursor', cursor!, '--json'], env));
    const ten = json(await run(['ledger', '--provider', 'synap', '--limit', '10', '--json'], env));
    const ids = (d: Record<string, any>) => d.entries.map((e: { ledger_id: string }) => e.ledger_id);
    expect(ids(next)).toEqual(ids(ten).slice(5));
  });

  it.each([
    [['summary', '--provider', 'synap', '--days', '400'], /^Invalid argument: days must be an integer from 1 to 365 \(got 400\)\. Nothing was sent upstream\.$/],
    [['summary', '--provider', 'synap', '--days', 'abc'], /days must be an integer from 1 to 365 \(got "abc"\)/],
    [['summary', '--provider', 'synap', '--recent', '0'], /recent_limit must be an integer from 1 to 100 \(got 0\)/],
    [['ledger', '--provider', 'synap', '--limit', '1.5'], /limit must be an integer from 1 to 100 \(got 1\.5\)/],
    [['ledger', '--provider', 'synap', '--scan-limit', '0x10'], /scan_limit must be an integer from 1 to 100000 \(got "0x10"\)/],
    [['ledger', '--provider', 'synap', '--from', 'yesterday'], /from must be an ISO 8601 date-time/],
    [['ledger', '--provider', 'synap', '--type', ''], /entry_type must be 1 to 64 characters of letters, digits and _ \. : -/],
    [['balance', '--provider', 'synap', '--required=-5'], /required_credits must be a number greater than 0 \(got -5\)/],
    [['balance', '--provider', 'stripe'], /provider must be one of "signal-foundry", "synap"/],
    [['balance'], /provider is required when several providers are configured: one of signal-foundry, synap/],
    [['balance', '--days', '3'], /--days does not apply to balance/],
    [['ledger', '--frobnicate'], /frobnicate/],
    [['summary', '--provider'], /--provider/],
    [['summary', 'now'], /unexpected argument "now"/],
    [['balanse'], /unknown command "balanse"/],
    // The flag named in balanced quotes, and where the options are listed.
    [['balance', '--bogus=3'], /^\[credit-mcp\] error unknown option "--bogus"; see --help for the options\.$/],
    [['-x'], /^\[credit-mcp\] error unknown option "-x"; see --help for the options\.$/],
    [['server'], /unknown command "server"/],
    [['--port', '1'], /--port does not apply to the server/],
    [['sim', '--demo'], /--demo does not apply to sim/],
  ])('%j is refused with exit 2, naming the argument, before any upstream call', async (args, message) => {
    const before = sim.stats.requests;
    const r = await run(args, env);
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toMatch(message);
    expect(r.stdout).toBe('');
    expect(sim.stats.requests).toBe(before);
  });

  it('exits 3 when no key is set, or none for the provider asked for', async () => {
    const none = await run(['ledger']);
    expect(none.status).toBe(3);
    // A command reads the variables each time it runs: it says to run it again, never to restart.
    expect(none.stderr.trim()).toBe(
      'Not configured: No credit provider is configured: set SIGNAL_FOUNDRY_API_KEY or SYNAP_API_KEY and run the command again, or add --demo to try the built-in simulator.',
    );
    const other = await run(['summary', '--provider', 'synap', '--json'], { SIGNAL_FOUNDRY_API_KEY: KEYS.signalFoundry, SIGNAL_FOUNDRY_BASE_URL: sim.url });
    expect(other.status).toBe(3);
    expect(other.stderr.trim()).toBe('Not configured: synap is not configured: set SYNAP_API_KEY and run the command again (configured: signal-foundry).');
    expect(other.stdout).toBe('');
  });

  it('exits 1 with the upstream error when the key is wrong', async () => {
    const r = await run(['balance', '--json'], { SYNAP_API_KEY: WRONG_SYNAP_KEY, SYNAP_BASE_URL: sim.url });
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^Upstream error from synap: CREDENTIAL_INVALID \(HTTP 401\)/);
    expect(r.stderr).toMatch(/Next step: /);
    expect(r.stderr).toMatch(/correlation_id: /);
  });

  it('exits 2 on configuration the server would refuse', async () => {
    const r = await run(['balance'], { ...env, SYNAP_BASE_URL: 'http://example.com' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/SYNAP_BASE_URL must use https/);
  });
});

describe('--demo', () => {
  it('runs each command against the built-in simulator, and exits when done', async () => {
    const balance = await run(['balance', '--demo', '--provider', 'signal-foundry']);
    expect(balance.status).toBe(0);
    expect(balance.stdout).toMatch(/^signal-foundry balance at .* credits available/);

    const summary = json(await run(['summary', '--demo', '--provider', 'synap', '--json']));
    expect(summary).toMatchObject({ provider: 'synap', derived_from_ledger: true });

    const ledger = json(await run(['ledger', '--demo', '--default-provider', 'synap', '--limit', '3', '--json']));
    expect(ledger.provider).toBe('synap');
    expect(ledger.entries).toHaveLength(3);
  });
});

describe('doctor', () => {
  it('reports every check ok and exits 0 when all is well', async () => {
    const r = await run(['doctor'], env);
    expect(r.status).toBe(0);
    const available = formatCredits(sim.synap.balance().balance_credits);
    expect(r.stdout).toMatch(/^ok {4}signal-foundry: on, key sf_t… \(28 characters\), base URL http:\/\/127\.0\.0\.1:\d+\/ \(loopback/m);
    expect(r.stdout).toMatch(/^ok {4}synap: on, key syna… \(31 characters\)/m);
    expect(r.stdout).toMatch(/^ok {4}timeout: 15000 ms per upstream request$/m);
    expect(r.stdout).toMatch(/^ok {4}ledger cache: up to 200000 entries per provider and key$/m);
    expect(r.stdout).toMatch(/^ok {4}default provider: none, so every call names its provider/m);
    expect(r.stdout).toMatch(/^ok {4}signal-foundry upstream: balance read in \d+ ms/m);
    expect(r.stdout).toContain(`synap upstream: balance read in`);
    expect(r.stdout).toContain(`, ${available} credits available`);
    expect(r.stdout).not.toMatch(/^(FAIL|warn)/m);
  });

  it('fails the upstream check with the upstream error and exits 1', async () => {
    const r = await run(['doctor'], { ...env, SYNAP_API_KEY: WRONG_SYNAP_KEY });
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/^ok {4}signal-foundry upstream: /m);
    expect(r.stdout).toMatch(/^FAIL {2}synap upstream: Upstream error from synap: CREDENTIAL_INVALID \(HTTP 401\)/m);
    expect(r.stdout).toMatch(/^ {6}Next step: /m);
  });

  it('fails an upstream that cannot be reached', async () => {
    const r = await run(['doctor'], { SYNAP_API_KEY: KEYS.synap, SYNAP_BASE_URL: 'http://127.0.0.1:1', CREDIT_MCP_DEFAULT_PROVIDER: 'signal-foundry' });
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/^warn {2}default provider: signal-foundry has no key/m);
    expect(r.stdout).toMatch(/^FAIL {2}synap upstream: .*Could not reach 127\.0\.0\.1:1/m);
  });

  it('exits 3 and says what to set when nothing is configured', async () => {
    const r = await run(['doctor']);
    expect(r.status).toBe(3);
    expect(r.stdout).toMatch(/^off {3}signal-foundry: no key; set SIGNAL_FOUNDRY_API_KEY/m);
    expect(r.stdout).toMatch(/^off {3}synap: no key; set SYNAP_API_KEY/m);
    expect(r.stdout).toMatch(/^FAIL {2}no provider is on/m);
  });

  it('reports every configuration problem at once, exits 2 and sends nothing', async () => {
    const before = sim.stats.requests;
    const r = await run(['doctor', '--timeout-ms', '5'], { ...env, SYNAP_BASE_URL: 'http://example.com', CREDIT_MCP_DEFAULT_PROVIDER: 'stripe' });
    expect(r.status).toBe(2);
    expect(r.stdout).toMatch(/^ok {4}signal-foundry: on/m);
    expect(r.stdout).toMatch(/^FAIL {2}synap: SYNAP_BASE_URL must use https/m);
    expect(r.stdout).toMatch(/^FAIL {2}timeout: CREDIT_MCP_TIMEOUT_MS \(--timeout-ms\) must be an integer from 100 to 600000; got "5"/m);
    expect(r.stdout).toMatch(/^FAIL {2}default provider: CREDIT_MCP_DEFAULT_PROVIDER must be one of/m);
    expect(r.stdout).toMatch(/^FAIL {2}upstreams not checked/m);
    expect(sim.stats.requests).toBe(before);
  });

  it('checks the demo simulator with --demo', async () => {
    const r = await run(['doctor', '--demo']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^ok {4}synap: on, .*\(the demo simulator\)$/m);
    expect(r.stdout).toMatch(/^ok {4}synap upstream: balance read in/m);
  });
});

describe('doctor and the remote server settings', () => {
  it('reports what credit-mcp http would do with them, and checks no upstream when keys come with requests', async () => {
    const before = sim.stats.requests;
    const r = await run(['doctor'], { SYNAP_BASE_URL: sim.url, CREDIT_MCP_KEYS_FROM_REQUEST: 'true', CREDIT_MCP_HTTP_TOKENS: 'tok_doctor_0123456789ab' });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^ok {4}synap: no key here; its key comes with each request in X-Synap-Api-Key \(credit-mcp http\), base URL http:\/\/127\.0\.0\.1:/m);
    expect(r.stdout).toMatch(/^ok {4}http: would listen on 127\.0\.0\.1:8080, 1 bearer token, upstream keys from each request, allowed hosts loopback names, SIGTERM grace 10000 ms, GET \/metrics on the same port, behind the same token, shared store none \(this instance alone\)$/m);
    expect(r.stdout).toMatch(/^ok {4}upstreams not checked: no key is held here/m);
    // One bound shared by every key that comes with a request, not one per key.
    expect(r.stdout).toMatch(/^ok {4}ledger cache: up to 200000 entries for all the requests' keys together, each key's its own$/m);
    expect(r.stdout).not.toContain('tok_doctor');
    expect(sim.stats.requests).toBe(before);
  });

  it('fails what credit-mcp http would refuse to start with, and exits 2', async () => {
    const r = await run(['doctor'], { ...env, CREDIT_MCP_HTTP_HOST: '0.0.0.0' });
    expect(r.status).toBe(2);
    expect(r.stdout).toMatch(/^FAIL {2}http: CREDIT_MCP_HTTP_HOST \(--host\) 0\.0\.0\.0 is not loopback/m);
    const both = await run(['doctor'], { ...env, CREDIT_MCP_KEYS_FROM_REQUEST: 'true' });
    expect(both.status).toBe(2);
    expect(both.stdout).toMatch(/^FAIL {2}http: keys from the request .* but SIGNAL_FOUNDRY_API_KEY and SYNAP_API_KEY are set/m);
  });
});

describe('--help', () => {
  it('lists every command and every flag the parser takes, and no other', async () => {
    const r = await run(['--help']);
    expect(r.status).toBe(0);
    for (const command of Object.keys(COMMAND_FLAGS).filter((c) => c !== 'server')) {
      expect(r.stdout).toMatch(new RegExp(`^  credit-mcp ${command} `, 'm'));
    }
    const listed = new Set([...r.stdout.matchAll(/(?<![\w-])--([a-z][a-z-]*)/g)].map((m) => m[1]));
    expect([...listed].sort()).toEqual(Object.keys(OPTIONS).sort());
    expect(r.stdout).toMatch(/^ {2}-h, --help/m);
    expect(r.stdout).toMatch(/^ {2}-v, --version/m);
    for (const code of [0, 1, 2, 3]) expect(r.stdout).toMatch(new RegExp(`^  ${code}  `, 'm'));
  });
});
