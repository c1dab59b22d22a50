// `credit-mcp http`, built and spawned on a free port, against the simulator: the SDK's v2
// client in each era mode and the 1.x client over Streamable HTTP, every tool on both providers,
// errors exactly as on stdio, every refusal status produced for real with raw requests, and one
// access-log line per request.
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import type { Client } from '@modelcontextprotocol/client';
import { Ajv } from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERA_MODES, envFor, spawnServer, startSimulator, textOf, type EraMode, type Simulator } from './helpers.js';
import { connectHttp, connectHttpV1, INITIALIZE, MCP_ACCEPT, readMessages, startHttpServer, toolCall, type HttpServer } from './remote.js';

const TOKENS = ['tok_first_0123456789abcdef', 'tok_second_0123456789abcdef'];
const BEARER = { authorization: `Bearer ${TOKENS[1]}` };
const EXPECTED_ERA: Record<EraMode, 'modern' | 'legacy'> = { modern: 'modern', auto: 'modern', legacy: 'legacy' };
const TOOLS = ['check_balance', 'get_credit_summary', 'get_credit_ledger'];
const PROVIDERS = ['signal-foundry', 'synap'];

let sim: Simulator;
let server: HttpServer;
beforeAll(async () => {
  sim = await startSimulator();
  server = await startHttpServer(envFor(sim, { CREDIT_MCP_HTTP_TOKENS: TOKENS.join(', ') }));
});
afterAll(async () => {
  await server?.stop();
  await sim?.close();
});

const post = (body: unknown, headers: Record<string, string> = {}) =>
  fetch(server.mcp, { method: 'POST', headers: { ...MCP_ACCEPT, ...BEARER, ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });

describe.each(ERA_MODES)('the v2 client in era mode %s', (era) => {
  let client: Client;
  const ajv = new Ajv({ strict: false });
  const validators = new Map<string, ReturnType<Ajv['compile']>>();
  beforeAll(async () => {
    client = await connectHttp(server.mcp, era, BEARER);
    for (const t of (await client.listTools()).tools) validators.set(t.name, ajv.compile(t.outputSchema!));
  });
  afterAll(async () => {
    await client?.close();
  });

  it(`lands on the ${EXPECTED_ERA[era]} era and lists the three read-only tools`, async () => {
    expect(client.getProtocolEra()).toBe(EXPECTED_ERA[era]);
    expect(client.getServerVersion()?.name).toBe('credit-mcp');
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toEqual(TOOLS);
    for (const t of tools) expect(t.annotations).toMatchObject({ readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false });
  });

  for (const provider of PROVIDERS) {
    it(`calls every tool on ${provider}: text and schema-valid structured content`, async () => {
      for (const name of TOOLS) {
        const result = await client.callTool({ name, arguments: { provider } });
        expect(result.isError, textOf(result)).toBeFalsy();
        expect(validators.get(name)!(result.structuredContent), JSON.stringify(validators.get(name)!.errors)).toBe(true);
        expect((result.structuredContent as { provider: string }).provider).toBe(provider);
        expect(textOf(result).trimStart().startsWith('{')).toBe(false);
      }
      const balance = await client.callTool({ name: 'check_balance', arguments: { provider } });
      const truth = provider === 'synap' ? sim.synap.balance().balance_credits : sim.signalFoundry.balance().available_credits;
      expect((balance.structuredContent as { available_credits: number }).available_credits).toBe(truth);
    });
  }
});

describe('the 1.x client over Streamable HTTP', () => {
  it('lists the tools and calls every tool on both providers', async () => {
    const client = await connectHttpV1(server.mcp, BEARER);
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toEqual(TOOLS);
    for (const provider of PROVIDERS) {
      for (const name of TOOLS) {
        const result = await client.callTool({ name, arguments: { provider } });
        expect(result.isError).toBeFalsy();
        expect((result.structuredContent as { provider: string }).provider).toBe(provider);
      }
    }
    const seen: number[] = [];
    const walked = await client.callTool({ name: 'get_credit_ledger', arguments: { provider: 'synap', scan_limit: 1200 } }, undefined, { onprogress: (p) => seen.push(p.progress) });
    expect((walked.structuredContent as { scanned: number }).scanned).toBe(1200);
    expect(seen.length).toBeGreaterThan(0);
    expect(seen).toEqual(Array.from({ length: seen.length }, (_, i) => (i + 1) * 100));
    await client.close();
  });
});

describe('--demo', () => {
  it('serves the built-in simulator over HTTP', async () => {
    const demo = await startHttpServer({}, ['--demo']);
    const client = await connectHttp(demo.mcp, 'modern');
    const result = await client.callTool({ name: 'get_credit_ledger', arguments: { provider: 'synap', limit: 3 } });
    expect(result.isError, textOf(result)).toBeFalsy();
    expect((result.structuredContent as { entries: unknown[] }).entries).toHaveLength(3);
    await client.close();
    expect(await demo.stop()).toEqual({ code: 0, signal: null });
  });
});

describe('errors are tool results, exactly as on stdio', () => {
  it('gives the same texts for bad arguments, a missing provider and one that is off', async () => {
    const env = { SYNAP_API_KEY: sim.keys.synap, SYNAP_BASE_URL: sim.url };
    const remote = await startHttpServer(env);
    const stdio = await spawnServer(env, [], 'modern');
    const client = await connectHttp(remote.mcp, 'modern');
    try {
      const calls: Array<[string, Record<string, unknown>]> = [
        ['get_credit_summary', { days: 400 }],
        ['get_credit_ledger', { limit: 0, cursor: '' }],
        ['check_balance', { provider: 'signal-foundry' }],
        ['check_balance', { provider: 'synap', required_credits: -1 }],
      ];
      for (const [name, args] of calls) {
        const overHttp = await client.callTool({ name, arguments: args });
        const overStdio = await stdio.client.callTool({ name, arguments: args });
        expect(overHttp.isError).toBe(true);
        expect(overHttp.content).toEqual(overStdio.content);
      }
      expect(textOf(await client.callTool({ name: 'check_balance', arguments: { provider: 'signal-foundry' } }))).toBe(
        'Not configured: signal-foundry is not configured: set SIGNAL_FOUNDRY_API_KEY (configured: synap).',
      );
      sim.injectFault({ kind: 'status', status: 429, match: '/v1/credits/balance', headers: { 'retry-after': '120' }, body: { error: 'Slow down', code: 'RATE_LIMITED', details: {} } });
      const limited = await client.callTool({ name: 'check_balance', arguments: {} });
      expect(limited.isError).toBe(true);
      expect(textOf(limited)).toMatch(/^Upstream error from synap: RATE_LIMITED \(HTTP 429\)/);
      expect(textOf(limited)).toMatch(/retry_after_seconds: 120/);
    } finally {
      await client.close();
      await stdio.close();
      await remote.stop();
    }
  });
});

describe('HTTP statuses, produced for real', () => {
  it('GET /healthz: 200 {"status":"ok"}, without a token and without an upstream call', async () => {
    const before = sim.stats.requests;
    const res = await fetch(`${server.origin}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
    expect(sim.stats.requests).toBe(before);
  });

  it('401 with WWW-Authenticate: Bearer for no token, another scheme and an unknown token; 200 for each known one', async () => {
    for (const headers of [{} as Record<string, string>, { authorization: `Basic ${Buffer.from('a:b').toString('base64')}` }, { authorization: 'Bearer tok_third_0123456789abcdef' }, { authorization: `Bearer ${TOKENS[0]}x` }]) {
      const res = await fetch(server.mcp, { method: 'POST', headers: { ...MCP_ACCEPT, ...headers }, body: JSON.stringify(INITIALIZE) });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer /);
      expect(await res.json()).toMatchObject({ error: 'invalid_token' });
    }
    for (const token of TOKENS) {
      const res = await post(INITIALIZE, { authorization: `Bearer ${token}` });
      expect(res.status).toBe(200);
      expect((await readMessages(res))[0]).toMatchObject({ id: 1, result: { serverInfo: { name: 'credit-mcp' } } });
    }
  });

  it('403 for a Host that is not allowed (DNS rebinding), and for a foreign Origin, first, on every path; loopback names pass', async () => {
    const raw = (headers: Record<string, string>, method = 'POST', path = '/mcp') =>
      new Promise<number>((resolve, reject) => {
        const req = httpRequest(new URL(path, server.origin), { method, headers: { ...MCP_ACCEPT, ...headers } }, (res) => {
          res.resume();
          resolve(res.statusCode!);
        });
        req.on('error', reject);
        req.end(method === 'POST' ? JSON.stringify(INITIALIZE) : undefined);
      });
    const foreign = { host: `attacker.example:${server.port}` };
    const foreignOrigin = { host: `localhost:${server.port}`, origin: 'https://attacker.example' };
    expect(await raw({ ...BEARER, ...foreign })).toBe(403);
    expect(await raw({ ...BEARER, ...foreignOrigin })).toBe(403);
    // Before the route, the method and the token: a foreign page learns nothing, not even which paths exist.
    for (const headers of [foreign, foreignOrigin]) {
      expect(await raw(headers)).toBe(403); // no token: 403, not 401
      expect(await raw(headers, 'GET')).toBe(403); // not 405
      expect(await raw(headers, 'GET', '/healthz')).toBe(403); // not 200
      expect(await raw(headers, 'GET', '/nowhere')).toBe(403); // not 404
    }
    expect(await raw({ ...BEARER, host: `localhost:${server.port}` })).toBe(200);
    expect(await raw({ ...BEARER, host: `127.0.0.1:${server.port}`, origin: `http://localhost:${server.port}` })).toBe(200);
    expect(await raw({ host: `localhost:${server.port}` }, 'GET', '/healthz')).toBe(200);
  });

  it('404 elsewhere; 405 for GET and DELETE /mcp', async () => {
    expect((await fetch(`${server.origin}/`, { headers: BEARER })).status).toBe(404);
    expect((await fetch(`${server.origin}/mcp/tools`, { method: 'POST', headers: BEARER, body: '{}' })).status).toBe(404);
    for (const method of ['GET', 'DELETE']) {
      const res = await fetch(server.mcp, { method, headers: { ...BEARER, accept: 'text/event-stream' } });
      expect(res.status).toBe(405);
      expect(res.headers.get('allow')).toBe('POST');
    }
  });

  it('413 for a body over 1 MiB, declared or streamed, and serves the next request', async () => {
    const big = JSON.stringify({ ...toolCall(7, 'check_balance', { provider: 'synap' }), pad: 'x'.repeat(1024 * 1024) });
    expect((await post(big)).status).toBe(413);
    const streamed = new ReadableStream({
      start(controller) {
        for (let i = 0; i < 5; i++) controller.enqueue(new TextEncoder().encode(big.slice(i * 300_000, (i + 1) * 300_000)));
        controller.close();
      },
    });
    const res = await fetch(server.mcp, { method: 'POST', headers: { ...MCP_ACCEPT, ...BEARER }, body: streamed, duplex: 'half' } as RequestInit);
    expect(res.status).toBe(413);
    const justUnder = JSON.stringify(toolCall(8, 'check_balance', { provider: 'synap' }, { pad: 'x'.repeat(1000 * 1000) }));
    const ok = await post(justUnder);
    expect(ok.status).toBe(200);
    expect((await readMessages(ok)).at(-1)).toMatchObject({ id: 8, result: { structuredContent: { provider: 'synap' } } });
  });

  it('408 and a closed connection for a client that never finishes its headers', async () => {
    const socket = connect(server.port, '127.0.0.1');
    let answer = '';
    socket.on('data', (d: Buffer) => (answer += d.toString()));
    socket.write(`POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nContent-Type: application/json\r\n`);
    await new Promise((resolve) => socket.once('close', resolve));
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
  }, 25_000);

  it('writes one access-log line per request: method, path, MCP method and tool, status, client', async () => {
    const own = await startHttpServer(envFor(sim, { CREDIT_MCP_HTTP_TOKENS: TOKENS.join(',') }));
    const mcp = own.mcp;
    await fetch(`${own.origin}/healthz`);
    await (await fetch(mcp, { method: 'POST', headers: { ...MCP_ACCEPT, ...BEARER }, body: JSON.stringify(toolCall(3, 'get_credit_summary', { provider: 'synap', days: 7 })) })).text();
    await (await fetch(`${own.origin}/nowhere?key=${TOKENS[0]}`)).text();
    await (await fetch(mcp, { method: 'POST', headers: MCP_ACCEPT, body: '{}' })).text();
    await own.stop();
    const lines = own.access();
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatchObject({ method: 'GET', path: '/healthz', status: 200 });
    expect(lines[1]).toMatchObject({ method: 'POST', path: '/mcp', rpc: 'tools/call', tool: 'get_credit_summary', status: 200, client: 'token 2' });
    expect(lines[2]).toMatchObject({ method: 'GET', path: '/nowhere', status: 404 });
    expect(lines[3]).toMatchObject({ method: 'POST', path: '/mcp', status: 401 });
    for (const line of lines) expect(line.ms).toBeGreaterThanOrEqual(0);
    for (const token of TOKENS) expect(own.stderr()).not.toContain(token);
  });
});
