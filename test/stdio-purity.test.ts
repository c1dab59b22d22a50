// stdout carries JSON-RPC and nothing else: through every tool, progress, upstream faults, bad
// input and protocol garbage, at debug level, every line the server writes is one JSON-RPC 2.0
// message, and every request gets exactly one answer.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { envFor, startSimulator, type Simulator } from './helpers.js';
import { jsonRpcProblem, RawServer, type RpcMessage } from './raw-server.js';

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ synapLedgerSize: 1500 });
});
afterAll(async () => {
  await sim?.close();
});

const HTML = '<html><body>oops</body></html>';

it('writes only JSON-RPC 2.0 lines to stdout, whatever happens', async () => {
  const server = new RawServer(envFor(sim, { CREDIT_MCP_LOG_LEVEL: 'debug', CREDIT_MCP_TIMEOUT_MS: '1000' }));
  await server.initialize();
  let n = 0;
  const call = (name: string, args: object, meta?: object) => server.response(++n, 'tools/call', { name, arguments: args, ...(meta ? { _meta: meta } : {}) });
  const answers: Array<Promise<RpcMessage>> = [server.response('list', 'tools/list'), server.response('ping', 'ping')];

  for (const provider of ['signal-foundry', 'synap']) {
    answers.push(call('check_balance', { provider, required_credits: 10 }));
    answers.push(call('get_credit_summary', { provider, days: 30 }, { progressToken: `summary-${provider}` }));
    answers.push(call('get_credit_ledger', { provider, scan_limit: 1500 }, { progressToken: `ledger-${provider}` }));
  }
  await Promise.all(answers);

  // Faults, one at a time so each meets the request it is meant for.
  const faults = [
    { kind: 'status', status: 500, body: HTML, contentType: 'text/html', times: 3 },
    { kind: 'status', status: 200, body: '{"balance_credits": ', contentType: 'application/json' },
    { kind: 'status', status: 429, headers: { 'retry-after': '120' }, body: { error: 'slow down', code: 'RATE_LIMITED', details: {} } },
    { kind: 'status', status: 307, headers: { location: 'http://127.0.0.2:1/' } },
    { kind: 'reset-mid-body', times: 3 },
    { kind: 'hang' },
    { kind: 'oversized', bytes: 5 * 1024 * 1024 },
  ] as const;
  for (const fault of faults) {
    sim.injectFault({ match: '/v1/credits/balance', ...fault });
    const answer = await call('check_balance', { provider: 'synap' });
    expect(answer.result?.isError, JSON.stringify(answer)).toBe(true);
    sim.clearFaults();
  }

  // Bad input and protocol garbage: each answered on its own line, or ignored.
  const more = [
    call('get_credit_summary', { provider: 'synap', days: 0 }),
    call('no_such_tool', {}),
    call('check_balance', 'not an object' as unknown as object),
    server.response(9001, 'resources/list'),
    server.response('no-name', 'tools/call', { arguments: {} }),
  ];
  server.write('this is not JSON\n');
  server.write('[1, 2, 3]\n');
  server.write('\n   \n');
  server.write('{"jsonrpc":"2.0","id":{"nested":true},"method":"ping"}\n');
  server.write('{"jsonrpc":"2.0","id":77,"result":{}}\n'); // a response to nothing: ignored
  server.send({ method: 'notifications/unknown', params: { x: 1 } });
  // A request cancelled mid-walk gets no answer at all.
  const cancelled = call('get_credit_ledger', { provider: 'synap', scan_limit: 1500 });
  server.send({ method: 'notifications/cancelled', params: { requestId: n, reason: 'test' } });
  await Promise.all(more);
  const last = await server.response('last', 'ping');
  expect(last.result).toEqual({});

  server.closeStdin();
  expect(await server.exited).toEqual({ code: 0, signal: null });
  void cancelled;

  const problems = server.lines.map((line, i) => [i, jsonRpcProblem(line), line.slice(0, 200)] as const).filter(([, p]) => p !== undefined);
  expect(problems).toEqual([]);
  expect(server.unterminated).toBe('');
  // Every line is here for a reason: one answer per request, progress. Lines that are not
  // JSON-RPC requests get no answer (the SDK drops them) and are reported on stderr.
  const responses = server.lines.map((l) => JSON.parse(l) as RpcMessage).filter((m) => m.method === undefined);
  const ids = responses.map((m) => m.id);
  expect(new Set(ids).size).toBe(ids.length);
  expect(ids).not.toContain(null);
  expect(server.stderr).toMatch(/stdin: message dropped/);
  expect(server.notifications.filter((m) => m.method === 'notifications/progress').length).toBeGreaterThan(10);
  // The logs went to stderr, at debug level.
  expect(server.stderr).toMatch(/\[credit-mcp\] debug /);
});

describe('stdin framing', () => {
  it('reads a UTF-8 character split across two writes whole', async () => {
    const server = new RawServer({});
    await server.initialize();
    const request = Buffer.from(JSON.stringify({ jsonrpc: '2.0', id: 'utf8', method: 'tools/call', params: { name: 'check_balance', arguments: { 'naïve€': 1 } } }) + '\n');
    const euro = request.indexOf(Buffer.from('€'));
    const answer = server.response('utf8');
    server.write(request.subarray(0, euro + 1));
    await new Promise((r) => setTimeout(r, 50));
    server.write(request.subarray(euro + 1));
    const { result } = await answer;
    expect(JSON.stringify(result)).toContain('unknown argument \\"naïve€\\"');
    server.closeStdin();
    await server.exited;
  });
});
