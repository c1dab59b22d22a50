// Where a key may travel: https base URLs, or plain http on loopback only, checked when the CLI
// starts; and a redirect is never followed, so the key never reaches the host it points at.
import { spawnSync } from 'node:child_process';
import { createServer, get, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CELLS, cellName } from './fault-matrix.js';
import { CLI, envFor, spawnServer, startSimulator, textOf, type Simulator, type SpawnedServer } from './helpers.js';

function startCli(env: Record<string, string>, args: string[] = []) {
  // Empty stdin: a server that starts ends at once, as when its host goes away.
  return spawnSync(process.execPath, [CLI, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, input: '', encoding: 'utf8', timeout: 20_000 });
}

describe('base URLs at start-up', () => {
  it.each([
    ['SIGNAL_FOUNDRY_BASE_URL', 'http://10.1.2.3'],
    ['SIGNAL_FOUNDRY_BASE_URL', 'http://signal-foundry.app'],
    ['SYNAP_BASE_URL', 'http://127.0.0.1.nip.io'],
    ['SYNAP_BASE_URL', 'http://localhost.attacker.example'],
    ['SYNAP_BASE_URL', 'http://[::ffff:127.0.0.1]'],
    ['SYNAP_BASE_URL', 'ftp://127.0.0.1'],
  ])('refuses %s=%s: exit 2, the reason on stderr, nothing on stdout', (variable, url) => {
    const run = startCli({ SYNAP_API_KEY: 'synap_k_123456', SIGNAL_FOUNDRY_API_KEY: 'sf_k_123456', [variable]: url });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain(`${variable} must use https (plain http is allowed only for loopback`);
    expect(run.stdout).toBe('');
  });

  it('refuses a plain-http base URL given as a flag', () => {
    const run = startCli({ SYNAP_API_KEY: 'synap_k_123456' }, ['--synap-base-url', 'http://synap.example']);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/SYNAP_BASE_URL must use https/);
  });

  it('refuses credentials in a base URL without echoing them', () => {
    const run = startCli({ SYNAP_API_KEY: 'synap_k_123456', SYNAP_BASE_URL: 'https://user:hunter2pass@synap.example' });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/SYNAP_BASE_URL must not contain credentials/);
    expect(run.stderr).not.toContain('hunter2pass');
  });

  it.each(['https://synap.example', 'http://127.0.0.2:9', 'http://localhost:9', 'http://[::1]:9'])('accepts %s', (url) => {
    const run = startCli({ SYNAP_API_KEY: 'synap_k_123456', SYNAP_BASE_URL: url });
    expect(run.status).toBe(0);
    expect(run.stderr).toMatch(/ready on stdio/);
  });
});

/** A second host that records every request, to show nothing is ever sent its way. */
async function startTrap(): Promise<{ server: Server; url: string; seen: Array<{ url?: string; authorization?: string }> }> {
  const seen: Array<{ url?: string; authorization?: string }> = [];
  const server = createServer((req, res) => {
    seen.push({ url: req.url, authorization: req.headers.authorization });
    res.end('{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.2', resolve));
  return { server, url: `http://127.0.0.2:${(server.address() as AddressInfo).port}`, seen };
}

describe('redirects', () => {
  let sim: Simulator;
  let server: SpawnedServer;
  let trap: Awaited<ReturnType<typeof startTrap>>;
  beforeAll(async () => {
    sim = await startSimulator({ synapLedgerSize: 50 });
    trap = await startTrap();
    server = await spawnServer(envFor(sim));
  });
  afterAll(async () => {
    await server?.close();
    await sim?.close();
    await new Promise((resolve) => trap?.server.close(resolve));
  });

  const cases = CELLS.flatMap((cell) => [301, 302, 307, 308].map((status) => [cellName(cell), status, cell] as const));
  it.each(cases)('%s answered %i to another host: not followed, reported', async (_name, status, cell) => {
    sim.injectFault({ match: cell.path, kind: 'status', status, headers: { location: `${trap.url}/steal${cell.path}` }, body: { detail: 'moved' } });
    const before = sim.stats.requests;
    const result = await server.client.callTool({ name: cell.tool, arguments: { provider: cell.provider } });
    const text = textOf(result);
    expect(result.isError, text).toBe(true);
    expect(text).toContain(`Upstream error from ${cell.provider}: redirect (HTTP ${status})`);
    expect(text).toMatch(/it was not followed, so the API key stays with 127\.0\.0\.1:\d+\.\nNext step: Set the base URL to the final address of the API\./);
    expect(sim.stats.requests - before).toBe(1);
    expect(trap.seen).toEqual([]);
    const next = await server.client.callTool({ name: cell.tool, arguments: { provider: cell.provider } });
    expect(next.isError, textOf(next)).toBeFalsy();
  });

  it('the trap was listening all along (so its silence means something)', async () => {
    await new Promise<void>((resolve, reject) => get(`${trap.url}/probe`, (res) => res.resume().on('end', resolve)).on('error', reject));
    expect(trap.seen).toEqual([{ url: '/probe', authorization: undefined }]);
  });
});
