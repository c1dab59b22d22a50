// Keys from the request: the server holds no upstream key, each request brings its caller's.
// Two tenants on one simulator (different keys, different accounts) each see their own data and
// cannot continue each other's cursors; each key's cached ledger answers that key only; a cursor
// chain holds across two instances; no key shows in any answer or log line; and the start-up
// refusals that keep a remote server safe.
import { spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CLI, startSimulator, textOf, type Simulator, type ToolResult } from './helpers.js';
import { connectHttp, MCP_ACCEPT, readMessages, startHttpServer, toolCall, type HttpServer } from './remote.js';

const SECOND = { signalFoundry: 'sf_SECRET_tenant_two_5b1c', synap: 'synap_SECRET_tenant_two_c04e' };
/** A ledger as long as the first tenant's (2500), other rows: a count check alone cannot tell them apart. */
const THIRD = { signalFoundry: 'sf_SECRET_tenant_three_9d2e', synap: 'synap_SECRET_tenant_three_71fa' };
const HEADER = { sf: 'X-Signal-Foundry-Api-Key', synap: 'X-Synap-Api-Key' };
const WRONG_KEYS = ['synap_SECRET_not_a_real_key_11', 'Qz7#vK'];

let sim: Simulator;
let server: HttpServer;
let env: Record<string, string>;
beforeAll(async () => {
  sim = await startSimulator({ keys: { signalFoundry: 'sf_SECRET_tenant_one_77aa', synap: 'synap_SECRET_tenant_one_93f1' }, tenants: [
      { keys: SECOND, seed: 1234, synapLedgerSize: 650 },
      { keys: THIRD, seed: 777, synapLedgerSize: 2500 },
    ],
  });
  env = { SYNAP_BASE_URL: sim.url, SIGNAL_FOUNDRY_BASE_URL: sim.url, CREDIT_MCP_KEYS_FROM_REQUEST: 'true', CREDIT_MCP_LOG_LEVEL: 'debug' };
  server = await startHttpServer(env);
});
afterAll(async () => {
  await server?.stop();
  await sim?.close();
});

const headersOf = (keys: { signalFoundry: string; synap: string }) => ({ [HEADER.sf]: keys.signalFoundry, [HEADER.synap]: keys.synap });
const answers: ToolResult[] = [];
const keep = (r: ToolResult) => (answers.push(r), r);

describe('two tenants on one server', () => {
  it('each sees its own balance on both providers, in both eras', async () => {
    const [one, two] = sim.tenants;
    for (const era of ['modern', 'legacy'] as const) {
      for (const tenant of [one!, two!]) {
        const client = await connectHttp(server.mcp, era, headersOf(tenant.keys));
        const synap = keep(await client.callTool({ name: 'check_balance', arguments: { provider: 'synap' } }));
        const sf = keep(await client.callTool({ name: 'check_balance', arguments: { provider: 'signal-foundry' } }));
        expect((synap.structuredContent as { available_credits: number }).available_credits).toBe(tenant.synap.balance().balance_credits);
        expect((sf.structuredContent as { available_credits: number }).available_credits).toBe(tenant.signalFoundry.balance().available_credits);
        await client.close();
      }
    }
    expect(one!.synap.balance().balance_credits).not.toBe(two!.synap.balance().balance_credits);
  });

  it("cannot continue each other's cursors", async () => {
    const [one, two] = sim.tenants;
    const a = await connectHttp(server.mcp, 'modern', headersOf(one!.keys));
    const b = await connectHttp(server.mcp, 'modern', headersOf(two!.keys));
    const first = keep(await a.callTool({ name: 'get_credit_ledger', arguments: { provider: 'synap', limit: 5 } }));
    const cursor = (first.structuredContent as { next_cursor: string }).next_cursor;
    expect(cursor).toEqual(expect.any(String));
    const stolen = keep(await b.callTool({ name: 'get_credit_ledger', arguments: { provider: 'synap', cursor } }));
    expect(stolen.isError).toBe(true);
    expect(textOf(stolen)).toMatch(/^Invalid argument: cursor is not one this server issued for this provider and key/);
    const own = keep(await a.callTool({ name: 'get_credit_ledger', arguments: { provider: 'synap', cursor } }));
    expect(own.isError, textOf(own)).toBeFalsy();
    expect((own.structuredContent as { entries: Array<{ ledger_id: string }> }).entries.map((e) => e.ledger_id)).toEqual(
      one!.synap.entries().slice(5, 25).map((e) => e.ledger_id),
    );
    await a.close();
    await b.close();
  });

  it('names the header to send for a provider that came without one, or when none did', async () => {
    const onlySynap = await connectHttp(server.mcp, 'modern', { [HEADER.synap]: sim.keys.synap });
    const off = keep(await onlySynap.callTool({ name: 'get_credit_summary', arguments: { provider: 'signal-foundry' } }));
    expect(textOf(off)).toBe('Not configured: signal-foundry is not configured: send its key in the X-Signal-Foundry-Api-Key header (configured: synap).');
    const defaulted = keep(await onlySynap.callTool({ name: 'check_balance', arguments: {} }));
    expect((defaulted.structuredContent as { provider: string }).provider).toBe('synap');
    const none = await connectHttp(server.mcp, 'legacy');
    expect(textOf(keep(await none.callTool({ name: 'check_balance', arguments: {} })))).toBe(
      'Not configured: No credit provider is configured: send a key in X-Signal-Foundry-Api-Key or X-Synap-Api-Key with each request.',
    );
    await onlySynap.close();
    await none.close();
  });

  // The shortest key taken is as long as the shortest secret the logger redacts.
  it.each(WRONG_KEYS)('answers a wrong key (%s) with the upstream error, the key redacted', async (wrong) => {
    const client = await connectHttp(server.mcp, 'modern', { [HEADER.synap]: wrong });
    const result = keep(await client.callTool({ name: 'check_balance', arguments: {} }));
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/^Upstream error from synap: CREDENTIAL_INVALID \(HTTP 401\)/);
    expect(textOf(result)).not.toContain(wrong);
    await client.close();
  });

  it('refuses a key header no key could be (400, naming the header) before any upstream call', async () => {
    const before = sim.stats.requests;
    // Five characters: too short for the logger to redact, so never taken as a key.
    for (const value of ['synap with spaces', 'x'.repeat(513), 'k', 'Zq5#w']) {
      const res = await fetch(server.mcp, { method: 'POST', headers: { ...MCP_ACCEPT, [HEADER.synap]: value }, body: JSON.stringify(toolCall(1, 'check_balance', {})) });
      expect(res.status).toBe(400);
      expect(((await readMessages(res))[0] as { error: { message: string } }).error.message).toMatch(/^X-Synap-Api-Key must be sent once, 6 to 512 printable ASCII/);
    }
    expect(sim.stats.requests).toBe(before);
  });
});

describe('a cursor chain across two instances', () => {
  it('yields every row of the pinned snapshot once, pages alternating between instances, rows arriving meanwhile', async () => {
    const two = sim.tenants[1]!;
    const other = await startHttpServer(env);
    const clients = [
      await connectHttp(server.mcp, 'modern', headersOf(two.keys)),
      await connectHttp(other.mcp, 'legacy', headersOf(two.keys)),
    ];
    try {
      const rows: string[] = [];
      let page = keep(await clients[0]!.callTool({ name: 'get_credit_ledger', arguments: { provider: 'synap', limit: 100, scan_limit: 100_000 } }));
      const pinnedTo = (page.structuredContent as { filters: { to: string } }).filters.to;
      for (let i = 1; ; i++) {
        const data = page.structuredContent as { entries: Array<{ ledger_id: string }>; next_cursor: string | null; complete: boolean };
        expect(page.isError, textOf(page)).toBeFalsy();
        expect(data.complete).toBe(true);
        rows.push(...data.entries.map((e) => e.ledger_id));
        if (!data.next_cursor) break;
        two.synap.insert(); // written upstream mid-chain: outside the pinned snapshot
        page = keep(await clients[i % 2]!.callTool({ name: 'get_credit_ledger', arguments: { provider: 'synap', limit: 100, cursor: data.next_cursor } }));
      }
      const truth = two.synap.query({ to: pinnedTo }).map((e) => e.ledger_id);
      expect(truth).toHaveLength(650);
      expect(rows).toEqual(truth);
      // The access-log line is written as the answer ends, so it can reach our pipe just after the answer does.
      await vi.waitFor(() => expect(other.access().filter((l) => l.tool === 'get_credit_ledger')).toHaveLength(3));
    } finally {
      for (const c of clients) await c.close();
      await other.stop();
    }
  });
});

describe("one key's cached ledger never answers another key", () => {
  it('two accounts with ledgers of one length each get their own rows and totals, walked once each, then from their own memory', async () => {
    const [one, , three] = sim.tenants;
    expect(three!.synap.entries()).toHaveLength(one!.synap.entries().length);
    const read = async (tenant: typeof one) => {
      const client = await connectHttp(server.mcp, 'modern', headersOf(tenant!.keys));
      const before = sim.stats.requests;
      const result = keep(await client.callTool({ name: 'get_credit_ledger', arguments: { provider: 'synap', limit: 50, scan_limit: 100_000 } }));
      const requests = sim.stats.requests - before;
      await client.close();
      expect(result.isError, textOf(result)).toBeFalsy();
      const data = result.structuredContent as { entries: Array<{ ledger_id: string }>; totals: { count: number; net: number; credits_used: number }; complete: boolean; filters: { to: string } };
      // The upstream's own answer for this account, as of the call's pinned end.
      const truth = tenant!.synap.query({ to: data.filters.to });
      expect(data.complete).toBe(true);
      expect(data.entries.map((e) => e.ledger_id)).toEqual(truth.slice(0, 50).map((e) => e.ledger_id));
      expect(data.totals.count).toBe(truth.length);
      expect(data.totals.net).toBeCloseTo(truth.reduce((t, e) => t + e.delta, 0), 4);
      expect(data.totals.credits_used).toBeCloseTo(truth.reduce((t, e) => t + Math.max(0, -e.delta), 0), 4);
      return requests;
    };
    // Each account's first read walks its own ledger (25 pages of 100), whatever the other key holds.
    expect(await read(one)).toBeGreaterThanOrEqual(25);
    expect(await read(three)).toBeGreaterThanOrEqual(25);
    // Each follow-up is answered from that key's memory, after one count request with that key.
    expect(await read(one)).toBe(1);
    expect(await read(three)).toBe(1);
    expect(one!.synap.entries()[0]!.ledger_id).not.toBe(three!.synap.entries()[0]!.ledger_id);
  });
});

describe('no key anywhere', () => {
  it('in any answer or in the log, at debug level', () => {
    const keys = [...sim.tenants.flatMap((t) => [t.keys.signalFoundry, t.keys.synap]), ...WRONG_KEYS, 'Zq5#w'];
    expect(answers.length).toBeGreaterThan(20);
    const seen = [server.stderr(), ...answers.map((a) => JSON.stringify(a))].join('\n');
    expect(server.access().length).toBeGreaterThan(20);
    for (const key of keys) {
      for (const form of [key, key.slice(0, 16), key.slice(-12), encodeURIComponent(key), Buffer.from(key).toString('base64').slice(0, 16)]) {
        expect(seen.includes(form), form).toBe(false);
      }
    }
    expect(seen).not.toMatch(/SECRET/);
  });
});

describe('start-up refusals (exit 2, the reason on stderr, nothing served)', () => {
  const run = (extraEnv: Record<string, string>, args: string[] = []) =>
    spawnSync(process.execPath, [CLI, 'http', '--port', '0', ...args], { env: { PATH: process.env.PATH ?? '', ...extraEnv }, encoding: 'utf8', timeout: 10_000 });

  it.each([
    ['a provider key with keys from the request', { CREDIT_MCP_KEYS_FROM_REQUEST: 'true', SYNAP_API_KEY: 'synap_SECRET_held_by_server' }, [], /mean the server holds no upstream key, but SYNAP_API_KEY is set .* X-Synap-Api-Key/],
    ['--demo with --keys-from-request', {}, ['--demo', '--keys-from-request'], /SIGNAL_FOUNDRY_API_KEY and SYNAP_API_KEY are set \(or --demo is on\)/],
    ['a host beyond loopback with no auth', { SYNAP_API_KEY: 'synap_SECRET_held_by_server' }, ['--host', '0.0.0.0'], /--host\) 0\.0\.0\.0 is not loopback, .* set CREDIT_MCP_HTTP_TOKENS .* or CREDIT_MCP_KEYS_FROM_REQUEST=true/],
    ['a host beyond loopback that no Host header names', { CREDIT_MCP_HTTP_TOKENS: 'tok_0123456789abcdef_0' }, ['--host', '0.0.0.0'], /set CREDIT_MCP_HTTP_ALLOWED_HOSTS/],
    ['a short token', { CREDIT_MCP_HTTP_TOKENS: 'tok_0123456789abcdef_0,short_SECRET' }, [], /CREDIT_MCP_HTTP_TOKENS: token 2 must be 16 to 512 printable ASCII characters/],
    ['an allowed host with a scheme', { CREDIT_MCP_HTTP_ALLOWED_HOSTS: 'https://mcp.example.com' }, [], /"https:\/\/mcp\.example\.com" is not a host name/],
    ['keys from the request, neither true nor false', { CREDIT_MCP_KEYS_FROM_REQUEST: 'yes please' }, [], /CREDIT_MCP_KEYS_FROM_REQUEST must be true or false/],
    ['a port out of range', { CREDIT_MCP_HTTP_PORT: '70000' }, ['--port', '70000'], /CREDIT_MCP_HTTP_PORT \(--port\) must be an integer from 0 to 65535/],
    ['a grace period out of range', { CREDIT_MCP_HTTP_GRACE_MS: '-1' }, [], /CREDIT_MCP_HTTP_GRACE_MS must be an integer from 0 to 600000/],
  ] as Array<[string, Record<string, string>, string[], RegExp]>)('%s', (_what, extraEnv, args, message) => {
    const result = run(extraEnv, args);
    expect(result.status, result.stderr).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toMatch(/listening on/);
    expect(result.stderr).not.toMatch(/SECRET/);
    expect(result.stdout).toBe('');
  });

  it('a port already in use', async () => {
    const taken = createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
    const port = (taken.address() as { port: number }).port;
    const result = spawnSync(process.execPath, [CLI, 'http', '--port', String(port)], { env: { PATH: process.env.PATH ?? '' }, encoding: 'utf8', timeout: 10_000 });
    taken.close();
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(new RegExp(`127\\.0\\.0\\.1:${port} is already in use`));
  });
});

describe('beyond loopback, with CREDIT_MCP_HTTP_ALLOWED_HOSTS', () => {
  it('serves the named hosts and refuses loopback names (403)', async () => {
    const token = 'tok_0123456789abcdef_0';
    const remote = await startHttpServer({ ...env, CREDIT_MCP_HTTP_TOKENS: token, CREDIT_MCP_HTTP_ALLOWED_HOSTS: 'mcp.example.test, other.example.test' }, ['--host', '0.0.0.0']);
    try {
      expect(remote.stderr()).toMatch(/listening on http:\/\/0\.0\.0\.0:\d+\/mcp/);
      const { request } = await import('node:http');
      const status = (host: string) =>
        new Promise<number>((resolve, reject) => {
          const req = request(`http://127.0.0.1:${remote.port}/mcp`, { method: 'POST', headers: { ...MCP_ACCEPT, host, authorization: `Bearer ${token}` } }, (res) => {
            res.resume();
            resolve(res.statusCode!);
          });
          req.on('error', reject);
          req.end(JSON.stringify(toolCall(1, 'check_balance', {})));
        });
      expect(await status('mcp.example.test')).toBe(200);
      expect(await status('other.example.test:443')).toBe(200);
      expect(await status(`127.0.0.1:${remote.port}`)).toBe(403);
      expect(await status('attacker.example')).toBe(403);
    } finally {
      await remote.stop();
    }
  });
});
