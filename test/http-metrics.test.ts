// `GET /metrics` on the built `credit-mcp http`: real tool calls against the simulator (with
// faults it really produces), then a scrape whose counts must equal what the simulator saw and
// what the client did; the same Host check and token as /mcp; the port of its own; promtool's lint.
import { spawnSync } from 'node:child_process';
import { createServer, request as httpRequest } from 'node:http';
import type { Client } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, envFor, startSimulator, until, type Simulator } from './helpers.js';
import { connectHttp, rawToolCall, startHttpServer, type HttpServer } from './remote.js';

const TOKEN = 'tok_metrics_0123456789abcdef';
const BEARER = { authorization: `Bearer ${TOKEN}` };
const HISTOGRAM = 'mcp_server_operation_duration_seconds';
const OTEL_BUCKETS = ['0.01', '0.02', '0.05', '0.1', '0.2', '0.5', '1', '2', '5', '10', '30', '60', '120', '300', '+Inf'];

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The exposition's samples (the text format: `name{label="value",...} number`). */
function parse(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const [, k, v] of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[k!] = v!;
    samples.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return samples;
}

/** The sum of `name`'s samples whose labels include `where`. */
function total(samples: Sample[], name: string, where: Record<string, string> = {}): number {
  return samples.filter((s) => s.name === name && Object.entries(where).every(([k, v]) => s.labels[k] === v)).reduce((n, s) => n + s.value, 0);
}

function has(samples: Sample[], name: string, labels: Record<string, string>): boolean {
  return samples.some((s) => s.name === name && JSON.stringify(s.labels) === JSON.stringify(labels));
}

async function scrape(url: string, headers: Record<string, string> = BEARER): Promise<{ text: string; samples: Sample[] }> {
  const res = await fetch(url, { headers });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  const text = await res.text();
  return { text, samples: parse(text) };
}

/** A raw request, to send a Host header fetch would not. */
function raw(port: number, path: string, headers: Record<string, string>, method = 'GET'): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, method, headers }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.once('error', reject);
    req.end();
  });
}

/** Requests the simulator received, by provider (each provider's paths have their own prefix). */
function seen(sim: Simulator, provider: 'synap' | 'signal-foundry', pathPart = ''): number {
  const prefix = provider === 'synap' ? '/v1/' : '/api/signal-foundry/';
  return Object.entries(sim.stats.byPath)
    .filter(([path]) => path.startsWith(prefix) && path.includes(pathPart))
    .reduce((n, [, count]) => n + count, 0);
}

const promtool = spawnSync('promtool', ['--version'], { stdio: 'ignore' }).status === 0;
// Missing promtool fails loudly under CI (.ci/run installs Debian's prometheus package); a laptop skips that test.
if (!promtool && process.env.CI === 'true') throw new Error("promtool is not installed: .ci/run installs Debian's prometheus package; install it (apt-get install prometheus) and run again.");
if (!promtool) console.warn('promtool not found (Debian package prometheus): the promtool check is skipped');

describe('GET /metrics on the MCP port, behind the token', () => {
  let sim: Simulator;
  let server: HttpServer;
  let client: Client;
  let metricsUrl: string;
  beforeAll(async () => {
    sim = await startSimulator();
    server = await startHttpServer(envFor(sim, { CREDIT_MCP_HTTP_TOKENS: TOKEN }));
    metricsUrl = `${server.origin}/metrics`;
    client = await connectHttp(server.mcp, 'modern', BEARER);
  });
  afterAll(async () => {
    await client?.close();
    await server?.stop();
    await sim?.close();
  });

  it('before any call: the counters a dashboard alerts on exist at 0, the store ones too, and nothing secret is in it', async () => {
    const { text, samples } = await scrape(metricsUrl);
    for (const outcome of ['hit', 'confirmation', 'miss']) expect(has(samples, 'credit_mcp_ledger_cache_lookups_total', { outcome })).toBe(true);
    expect(total(samples, 'credit_mcp_ledger_cache_lookups_total')).toBe(0);
    expect(has(samples, 'credit_mcp_single_flight_joins_total', {})).toBe(true);
    expect(has(samples, 'credit_mcp_store_errors_total', {})).toBe(true);
    for (const provider of ['signal-foundry', 'synap']) expect(has(samples, 'credit_mcp_rate_limit_waits_total', { provider })).toBe(true);
    expect(total(samples, 'credit_mcp_single_flight_joins_total') + total(samples, 'credit_mcp_store_errors_total') + total(samples, 'credit_mcp_rate_limit_waits_total')).toBe(0);
    expect(total(samples, 'credit_mcp_upstream_requests_total')).toBe(0);
    expect(text).toMatch(/^# TYPE mcp_server_operation_duration_seconds histogram$/m);
    expect(text).toMatch(/^# TYPE process_resident_memory_bytes gauge$/m);
    for (const secret of [TOKEN, sim.keys.synap, sim.keys.signalFoundry]) expect(text).not.toContain(secret);
  });

  it('401 with WWW-Authenticate without the token (or with a wrong one), 403 for a foreign Host or Origin, 405 for POST', async () => {
    const bare = await fetch(metricsUrl);
    expect(bare.status).toBe(401);
    expect(bare.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect((await fetch(metricsUrl, { headers: { authorization: 'Bearer tok_wrong_0123456789abcdef' } })).status).toBe(401);
    expect(await raw(server.port, '/metrics', { ...BEARER, host: 'evil.example' })).toBe(403);
    expect(await raw(server.port, '/metrics', { host: 'evil.example' })).toBe(403); // the Host check comes before the token
    expect(await raw(server.port, '/metrics', { ...BEARER, host: `127.0.0.1:${server.port}`, origin: 'http://evil.example' })).toBe(403);
    expect(await raw(server.port, '/metrics', { ...BEARER, host: `localhost:${server.port}` })).toBe(200);
    expect(await raw(server.port, '/metrics', { ...BEARER, host: `127.0.0.1:${server.port}` }, 'POST')).toBe(405);
    // The refused scrapes were logged like any request, and none of them reached an upstream.
    expect(sim.stats.requests).toBe(0);
  });

  it('counts every upstream request by provider and status, a 500 and a 429 the simulator produced among them', async () => {
    const before = (await scrape(metricsUrl)).samples;
    const base = { synap: seen(sim, 'synap'), 'signal-foundry': seen(sim, 'signal-foundry') };
    // One 500 on Synap's balance, retried; one 429 with Retry-After: 1 on Signal Foundry's, waited out and retried.
    sim.injectFault({ kind: 'status', status: 500, match: '/v1/credits/balance', body: { error: 'boom', code: 'INTERNAL' } });
    sim.injectFault({
      kind: 'status',
      status: 429,
      match: '/api/signal-foundry/credits/balance',
      headers: { 'retry-after': '1' },
      body: { error: { code: 'rate_limit_exceeded', message: 'slow down' } },
    });
    for (const provider of ['synap', 'signal-foundry']) {
      const result = await client.callTool({ name: 'check_balance', arguments: { provider } });
      expect(result.isError, JSON.stringify(result.content)).toBeFalsy();
    }
    expect((await client.callTool({ name: 'get_credit_summary', arguments: { provider: 'signal-foundry' } })).isError).toBeFalsy();

    const after = (await scrape(metricsUrl)).samples;
    const grew = (where: Record<string, string>) => total(after, 'credit_mcp_upstream_requests_total', where) - total(before, 'credit_mcp_upstream_requests_total', where);
    expect(grew({ provider: 'synap', status: '500' })).toBe(1);
    expect(grew({ provider: 'signal-foundry', status: '429' })).toBe(1);
    // Each request the simulator received is counted once, under its provider.
    expect(grew({ provider: 'synap' })).toBe(seen(sim, 'synap') - base.synap);
    expect(grew({ provider: 'signal-foundry' })).toBe(seen(sim, 'signal-foundry') - base['signal-foundry']);
    expect(grew({ provider: 'synap', status: '200' })).toBe(1); // the balance, once the retry got through
    expect(grew({ provider: 'signal-foundry', status: '200' })).toBe(2); // the balance after its retry, and the summary
  });

  it('counts a connection broken mid-answer under its fault, not under the 200 its headers said', async () => {
    const before = (await scrape(metricsUrl)).samples;
    sim.injectFault({ kind: 'reset-mid-body', match: '/v1/credits/balance' });
    expect((await client.callTool({ name: 'check_balance', arguments: { provider: 'synap' } })).isError).toBeFalsy();
    const after = (await scrape(metricsUrl)).samples;
    const grew = (status: string) => total(after, 'credit_mcp_upstream_requests_total', { provider: 'synap', status }) - total(before, 'credit_mcp_upstream_requests_total', { provider: 'synap', status });
    expect(grew('connection_reset')).toBe(1);
    expect(grew('200')).toBe(1); // the retry
  });

  it('times every operation: the histogram counts each tool call, a refused argument as tool_error, in the convention buckets', async () => {
    const before = (await scrape(metricsUrl)).samples;
    await client.listTools();
    for (let i = 0; i < 3; i++) expect((await client.callTool({ name: 'check_balance', arguments: { provider: 'synap' } })).isError).toBeFalsy();
    const refused = await client.callTool({ name: 'check_balance', arguments: { provider: 'synap', required_credits: -5 } });
    expect(refused.isError).toBe(true);
    expect((await client.callTool({ name: 'get_credit_summary', arguments: { provider: 'synap', days: 7 } })).isError).toBeFalsy();

    const { samples, text } = await scrape(metricsUrl);
    const grew = (where: Record<string, string>) => total(samples, `${HISTOGRAM}_count`, where) - total(before, `${HISTOGRAM}_count`, where);
    expect(grew({ mcp_method_name: 'tools/call', gen_ai_tool_name: 'check_balance' })).toBe(4);
    expect(grew({ mcp_method_name: 'tools/call', gen_ai_tool_name: 'check_balance', error_type: 'tool_error' })).toBe(1);
    expect(grew({ mcp_method_name: 'tools/call', gen_ai_tool_name: 'get_credit_summary' })).toBe(1);
    expect(grew({ mcp_method_name: 'tools/call', gen_ai_tool_name: 'get_credit_ledger' })).toBe(0);
    expect(grew({ mcp_method_name: 'tools/list' })).toBe(1);
    // A successful call carries no error_type; tools/list no tool name.
    expect(samples.some((s) => s.name === `${HISTOGRAM}_count` && s.labels.mcp_method_name === 'tools/list' && 'gen_ai_tool_name' in s.labels)).toBe(false);
    const buckets = samples.filter((s) => s.name === `${HISTOGRAM}_bucket` && s.labels.gen_ai_tool_name === 'get_credit_summary').map((s) => s.labels.le);
    expect(buckets).toEqual(OTEL_BUCKETS);
    expect(text).toMatch(/^# HELP mcp_server_operation_duration_seconds .*mcp\.server\.operation\.duration/m);
  });

  it('counts ledger cache outcomes: the first walk misses every page, the same call again is one confirmation and hits', async () => {
    const lookups = (s: Sample[], outcome: string) => total(s, 'credit_mcp_ledger_cache_lookups_total', { outcome });
    // A pinned window (both bounds given), walked whole: the cache holds it from its start.
    const to = new Date(Date.now() - 60_000).toISOString();
    const args = { provider: 'synap', entry_type: 'debit', from: new Date(Date.now() - 30 * 86_400_000).toISOString(), to };
    const start = (await scrape(metricsUrl)).samples;
    const logBefore = sim.requestLog.length;
    const first = await client.callTool({ name: 'get_credit_ledger', arguments: args });
    expect(first.isError, JSON.stringify(first.content)).toBeFalsy();
    const { scanned, complete } = first.structuredContent as { scanned: number; complete: boolean };
    expect(complete).toBe(true);
    expect(scanned).toBeGreaterThan(200);
    const afterFirst = (await scrape(metricsUrl)).samples;
    // Every page it read came from the upstream: one miss per page the simulator served (the
    // first ask, for 1000 rows at once, is refused with a 422 and asked again at 100).
    const pagesServed = sim.requestLog.slice(logBefore).filter((r) => r.path === '/v1/credits/ledger' && Number(r.query.limit) <= 100).length;
    expect(pagesServed).toBe(Math.ceil(scanned / 100));
    expect(lookups(afterFirst, 'miss') - lookups(start, 'miss')).toBe(pagesServed);
    expect(lookups(afterFirst, 'hit') - lookups(start, 'hit')).toBe(0);
    expect(lookups(afterFirst, 'confirmation') - lookups(start, 'confirmation')).toBe(0);

    const second = await client.callTool({ name: 'get_credit_ledger', arguments: args });
    expect((second.structuredContent as { totals: unknown }).totals).toEqual((first.structuredContent as { totals: unknown }).totals);
    const afterSecond = (await scrape(metricsUrl)).samples;
    expect(lookups(afterSecond, 'confirmation') - lookups(afterFirst, 'confirmation')).toBe(1);
    expect(lookups(afterSecond, 'miss') - lookups(afterFirst, 'miss')).toBe(0);
    // Answered from memory: as many pages as the walk needed, none of them read.
    expect(lookups(afterSecond, 'hit') - lookups(afterFirst, 'hit')).toBe(pagesServed);
  });

  it('counts a call whose client left mid-call as cancelled, and its upstream request too', async () => {
    const before = (await scrape(metricsUrl)).samples;
    sim.injectFault({ kind: 'hang', match: '/v1/credits/balance' });
    const { headers, body } = rawToolCall('modern', 'check_balance', { provider: 'synap' });
    const wire = new AbortController();
    const inFlight = sim.stats.inFlight;
    const call = fetch(server.mcp, { method: 'POST', headers: { ...headers, ...BEARER }, body, signal: wire.signal }).then((res) => res.text());
    call.catch(() => undefined);
    await until(() => sim.stats.inFlight > inFlight); // the upstream request hangs
    wire.abort();
    await until(() => server.access().some((l) => l.tool === 'check_balance' && l.aborted === true));
    await until(() => sim.stats.inFlight === inFlight);
    const after = (await scrape(metricsUrl)).samples;
    const grew = (name: string, where: Record<string, string>) => total(after, name, where) - total(before, name, where);
    expect(grew(`${HISTOGRAM}_count`, { mcp_method_name: 'tools/call', gen_ai_tool_name: 'check_balance', error_type: 'cancelled' })).toBe(1);
    expect(grew('credit_mcp_upstream_requests_total', { provider: 'synap', status: 'cancelled' })).toBe(1);
  });

  // Last of these: the synap gate stays paced after it (it has seen rate-limit headers).
  it("counts a wait for the upstream's rate limit: the third request of a budget of two waits once, and draws no 429", async () => {
    const before = (await scrape(metricsUrl)).samples;
    sim.setRateLimit({ limit: 2, windowMs: 2000 });
    try {
      for (let i = 0; i < 3; i++) expect((await client.callTool({ name: 'check_balance', arguments: { provider: 'synap' } })).isError).toBeFalsy();
    } finally {
      sim.setRateLimit();
    }
    const after = (await scrape(metricsUrl)).samples;
    const grew = (name: string, where: Record<string, string>) => total(after, name, where) - total(before, name, where);
    expect(sim.stats.rateLimited).toBe(0);
    expect(grew('credit_mcp_upstream_requests_total', { provider: 'synap', status: '429' })).toBe(0);
    expect(grew('credit_mcp_upstream_requests_total', { provider: 'synap', status: '200' })).toBe(3);
    expect(grew('credit_mcp_rate_limit_waits_total', { provider: 'synap' })).toBe(1);
    expect(grew('credit_mcp_rate_limit_waits_total', { provider: 'signal-foundry' })).toBe(0);
  });

  it.skipIf(!promtool)('passes promtool check metrics after real traffic', async () => {
    const { text } = await scrape(metricsUrl);
    expect(text).toContain(`${HISTOGRAM}_bucket{`);
    const lint = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect(lint.stdout + lint.stderr).toBe('');
    expect(lint.status).toBe(0);
  });
});

describe('CREDIT_MCP_METRICS_PORT: /metrics on a port of its own (--demo)', () => {
  let server: HttpServer;
  let metricsPort: number;
  beforeAll(async () => {
    server = await startHttpServer({ CREDIT_MCP_HTTP_TOKENS: TOKEN, CREDIT_MCP_METRICS_PORT: '0' }, ['--demo']);
    const m = /"metrics":"http:\/\/127\.0\.0\.1:(\d+)\/metrics"/.exec(server.stderr());
    expect(m, server.stderr()).not.toBeNull();
    metricsPort = Number(m![1]);
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('serves /metrics there without the token, only /metrics, with the Host check; the MCP port answers 404 for it', async () => {
    expect(metricsPort).not.toBe(server.port);
    const client = await connectHttp(server.mcp, 'legacy', BEARER);
    expect((await client.callTool({ name: 'check_balance', arguments: { provider: 'synap' } })).isError).toBeFalsy();
    expect((await client.callTool({ name: 'get_credit_ledger', arguments: { provider: 'synap', limit: 5 } })).isError).toBeFalsy();
    await client.close();

    const { samples } = await scrape(`http://127.0.0.1:${metricsPort}/metrics`, {});
    expect(total(samples, `${HISTOGRAM}_count`, { mcp_method_name: 'tools/call', gen_ai_tool_name: 'check_balance' })).toBe(1);
    expect(total(samples, `${HISTOGRAM}_count`, { mcp_method_name: 'tools/call', gen_ai_tool_name: 'get_credit_ledger' })).toBe(1);
    expect(total(samples, `${HISTOGRAM}_count`, { mcp_method_name: 'initialize' })).toBe(1);
    expect(total(samples, 'credit_mcp_upstream_requests_total', { provider: 'synap', status: '200' })).toBeGreaterThanOrEqual(2);
    expect(total(samples, 'credit_mcp_upstream_requests_total', { provider: 'signal-foundry' })).toBe(0);

    expect(await raw(server.port, '/metrics', { ...BEARER, host: `127.0.0.1:${server.port}` })).toBe(404);
    expect(await raw(metricsPort, '/mcp', { host: `127.0.0.1:${metricsPort}` }, 'POST')).toBe(404);
    expect(await raw(metricsPort, '/healthz', { host: `127.0.0.1:${metricsPort}` })).toBe(404);
    expect(await raw(metricsPort, '/metrics', { host: `127.0.0.1:${metricsPort}` }, 'POST')).toBe(405);
    expect(await raw(metricsPort, '/metrics', { host: 'evil.example' })).toBe(403);
  });
});

describe('CREDIT_MCP_METRICS_PORT refused at start-up (exit 2, nothing served)', () => {
  const run = (env: Record<string, string>, args: string[]) =>
    spawnSync(process.execPath, [CLI, 'http', ...args], { env: { PATH: process.env.PATH ?? '', ...env }, encoding: 'utf8', timeout: 10_000 });
  const refused = (result: ReturnType<typeof run>, message: RegExp) => {
    expect(result.status, result.stderr).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toMatch(/listening on/);
  };

  it('out of range, or the MCP port itself', () => {
    refused(run({ CREDIT_MCP_METRICS_PORT: '65536' }, ['--port', '0']), /CREDIT_MCP_METRICS_PORT \(--metrics-port\) must be an integer from 0 to 65535; got "65536"/);
    refused(run({}, ['--port', '18080', '--metrics-port', '18080']), /CREDIT_MCP_METRICS_PORT \(--metrics-port\) 18080 is the MCP port too/);
  });

  it('already in use', async () => {
    const taken = createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
    const port = (taken.address() as { port: number }).port;
    const result = run({ CREDIT_MCP_METRICS_PORT: String(port) }, ['--port', '0']);
    taken.close();
    refused(result, new RegExp(`CREDIT_MCP_METRICS_PORT \\(--metrics-port\\): 127\\.0\\.0\\.1:${port} is already in use`));
  });
});
