// A remote server's calls over their lifetime, on real sockets against the simulator: progress
// streamed over SSE in order, a client that disconnects mid-walk (its upstream requests stop),
// and SIGTERM mid-call (the call is answered, then the process exits 0). The test's own timeout
// is the only clock: nothing here asserts how long anything took.
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { envFor, startSimulator, textOf, until, type Simulator } from './helpers.js';
import { connectHttp, rawToolCall, startHttpServer, toolCall, type HttpServer } from './remote.js';

let sim: Simulator;
beforeAll(async () => {
  // Slow answers and a big ledger: a full walk would take far longer than any test.
  sim = await startSimulator({ synapLedgerSize: 30_000, latencyMs: 100 });
});
afterAll(async () => {
  await sim?.close();
});

const LEDGER_PATH = '/v1/credits/ledger';

describe.each(['modern', 'legacy'] as const)('era %s', (era) => {
  let server: HttpServer;
  beforeAll(async () => {
    server = await startHttpServer(envFor(sim, { CREDIT_MCP_CONCURRENCY: '4' }));
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('streams progress over SSE, in order, before the answer', async () => {
    sim.setLatency(0);
    try {
      const client = await connectHttp(server.mcp, era);
      const seen: number[] = [];
      const result = await client.callTool({ name: 'get_credit_ledger', arguments: { provider: 'synap', scan_limit: 1500 } }, { onprogress: (p) => seen.push(p.progress) });
      expect((result.structuredContent as { scanned: number }).scanned).toBe(1500);
      expect(seen).toEqual(Array.from({ length: 15 }, (_, i) => (i + 1) * 100));
      await client.close();
    } finally {
      sim.setLatency(100);
    }
  });

  // Raw posts, cut by aborting the fetch, with and without a progress token: without one, no
  // byte is written before the answer, so only the server's own watch on the connection can
  // tell that the client left. (Not the SDK's client: how it tears a request down is its own
  // business, and it hid this case.) Counts, not clocks: the whole walk is 300 pages.
  it.each([
    ['without progress', undefined],
    ['with progress', 'p1'],
  ] as const)('a client that disconnects mid-walk (%s) stops its upstream requests', async (_what, progressToken) => {
    const { headers, body } = rawToolCall(era, 'get_credit_ledger', { provider: 'synap', scan_limit: 100_000 }, progressToken);
    const wire = new AbortController();
    sim.resetStats();
    const call = fetch(server.mcp, { method: 'POST', headers, body, signal: wire.signal }).then((res) => res.text());
    call.catch(() => undefined);
    // Walking for real: pages asked for and answered.
    await until(() => sim.stats.requests >= 4);
    wire.abort();
    // The server saw the client leave; from then on every upstream request of that call is cancelled.
    await until(() => server.access().some((l) => l.tool === 'get_credit_ledger' && l.aborted === true));
    await until(() => sim.stats.inFlight === 0);
    const asked = sim.stats.byPath[LEDGER_PATH] ?? 0;
    expect(asked).toBeLessThan(300);
    // A call served in full after that asks for the balance only: the cut walk asked nothing more meanwhile.
    const probe = await connectHttp(server.mcp, era);
    const balance = await probe.callTool({ name: 'check_balance', arguments: { provider: 'synap' } });
    expect(balance.isError, textOf(balance)).toBeFalsy();
    await probe.close();
    expect(sim.stats.byPath[LEDGER_PATH] ?? 0).toBe(asked);
    expect(sim.stats.inFlight).toBe(0);
  });
});

describe('SIGTERM', () => {
  it('answers the call in flight in full, refuses new connections, then exits 0', async () => {
    const server = await startHttpServer(envFor(sim, { CREDIT_MCP_CONCURRENCY: '4' }));
    const client = await connectHttp(server.mcp, 'modern');
    let progressed = false;
    // 20 pages of 100 at 100 ms, 4 at a time: in flight for a while, well inside the grace period.
    const call = client.callTool({ name: 'get_credit_ledger', arguments: { provider: 'synap', scan_limit: 2000 } }, { onprogress: () => (progressed = true) });
    await until(() => progressed);
    server.child.kill('SIGTERM');
    await until(() => /shutting down/.test(server.stderr()));
    // No longer accepting, while the call is still being answered.
    await expect(fetch(`${server.origin}/healthz`)).rejects.toThrow();
    const result = await call;
    expect(result.isError, textOf(result)).toBeFalsy();
    expect(result.structuredContent).toMatchObject({ scanned: 2000, complete: false, partial_reason: expect.any(String) });
    expect(await server.exited).toEqual({ code: 0, signal: null });
    expect(server.stderr()).toMatch(/shutting down: no new requests; waiting for calls in flight/);
  });

  it('answers 503 with Retry-After to a request that reaches it after SIGTERM on a connection it already had', async () => {
    const server = await startHttpServer(envFor(sim, { CREDIT_MCP_CONCURRENCY: '4' }));
    const socket = connect(server.port, '127.0.0.1');
    let seen = '';
    socket.on('data', (d: Buffer) => (seen += d.toString()));
    const post = (body: unknown) => {
      const text = JSON.stringify(body);
      return `POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nContent-Type: application/json\r\nAccept: application/json, text/event-stream\r\nContent-Length: ${Buffer.byteLength(text)}\r\n\r\n${text}`;
    };
    sim.resetStats();
    socket.write(post(toolCall(1, 'get_credit_ledger', { provider: 'synap', scan_limit: 2000 })));
    await until(() => sim.stats.requests > 0);
    server.child.kill('SIGTERM');
    await until(() => /shutting down/.test(server.stderr()));
    // Pipelined behind the call in flight: read only once that call is answered.
    socket.write(post(toolCall(2, 'check_balance', { provider: 'synap' })));
    await new Promise((resolve) => socket.once('close', resolve));
    expect(seen).toMatch(/^HTTP\/1\.1 200 /);
    expect(seen).toMatch(/"scanned":2000/);
    expect(seen).toMatch(/\r\nHTTP\/1\.1 503 Service Unavailable\r\n(?:.*\r\n)*?retry-after: 1\r\n/i);
    expect(await server.exited).toEqual({ code: 0, signal: null });
  });

  it('past the grace period, cancels what is left: the call answers "Cancelled", and the process exits 0', async () => {
    const server = await startHttpServer(envFor(sim, { CREDIT_MCP_CONCURRENCY: '4', CREDIT_MCP_HTTP_GRACE_MS: '300' }));
    const client = await connectHttp(server.mcp, 'modern');
    let progressed = false;
    const call = client.callTool({ name: 'get_credit_ledger', arguments: { provider: 'synap', scan_limit: 100_000 } }, { onprogress: () => (progressed = true) });
    await until(() => progressed);
    server.child.kill('SIGTERM');
    const result = await call;
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/^Cancelled/);
    expect(await server.exited).toEqual({ code: 0, signal: null });
    expect(server.stderr()).toMatch(/grace period over/);
  });
});
