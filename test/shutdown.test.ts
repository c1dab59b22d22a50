// Closing stdin, or SIGTERM, ends the server while a long ledger walk is in flight: the process
// exits cleanly, its upstream requests are closed, and no new ones are sent. The test's own
// timeout is the only clock: nothing here asserts how long anything took.
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, envFor, startSimulator, until, type Simulator } from './helpers.js';
import { jsonRpcProblem, RawServer } from './raw-server.js';

let sim: Simulator;
beforeAll(async () => {
  // Slow answers and a big ledger: a full walk would take far longer than any test.
  sim = await startSimulator({ synapLedgerSize: 30_000, latencyMs: 150 });
});
afterAll(async () => {
  await sim?.close();
});

describe.each([
  ['stdin closes', (s: RawServer) => s.closeStdin()],
  ['SIGTERM arrives', (s: RawServer) => s.kill('SIGTERM')],
])('when %s mid-walk', (_when, stop) => {
  it('the server exits 0, and the upstream sees its requests closed and no new ones', async () => {
    const server = new RawServer(envFor(sim, { CREDIT_MCP_CONCURRENCY: '4' }));
    await server.initialize();
    sim.resetStats();
    void server.response('walk', 'tools/call', { name: 'get_credit_ledger', arguments: { provider: 'synap', scan_limit: 100_000 }, _meta: { progressToken: 'walk' } });
    // In flight for real: pages have arrived and more are being fetched.
    await until(() => server.notifications.some((m) => m.method === 'notifications/progress') && sim.stats.inFlight > 0);

    stop(server);
    expect(await server.exited).toEqual({ code: 0, signal: null });

    await until(() => sim.stats.inFlight === 0);
    const requests = sim.stats.requests;
    await new Promise((r) => setTimeout(r, 500));
    expect(sim.stats.requests).toBe(requests);
    // The walk was cut short, not finished: 300 pages at 150 ms each were never all asked for.
    expect(requests).toBeLessThan(300);
    expect(server.lines.every((l) => jsonRpcProblem(l) === undefined)).toBe(true);
    expect(server.stderr).toMatch(/shutting down/);
  }, 20_000);
});

describe('a host that closes our stdout first', () => {
  it('ends the server cleanly instead of crashing on EPIPE', async () => {
    const child = spawn(process.execPath, [CLI], { env: { PATH: process.env.PATH ?? '' }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.destroy();
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    for (let i = 1; i <= 3; i++) {
      child.stdin.write(JSON.stringify({ jsonrpc: '2.0', id: i, method: 'ping' }) + '\n');
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(await exited).toBe(0);
    expect(stderr).not.toMatch(/Unhandled|EPIPE/);
  });
});
