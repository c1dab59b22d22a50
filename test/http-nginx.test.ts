// Scale-out for real: the README's nginx configuration, TLS and all, in front of three
// `credit-mcp http` instances. A cursor chain whose pages land on different instances holds,
// and instances killed (SIGKILL) or stopped (SIGTERM) under a steady load of concurrent calls
// lose no call: nginx sends each cut or refused request on to the next instance.
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, StreamableHTTPClientTransport, type FetchLike } from '@modelcontextprotocol/client';
import { Agent, fetch as undiciFetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientFor, envFor, startSimulator, textOf, until, type EraMode, type Simulator } from './helpers.js';
import { startHttpServer, type HttpServer } from './remote.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const TOKEN = 'tok_behind_nginx_0123456789';

/** nginx from PATH or Debian's /usr/sbin; missing is a failure under CI, a skip on a laptop. */
function findNginx(): string | undefined {
  for (const candidate of ['nginx', '/usr/sbin/nginx']) {
    if (spawnSync(candidate, ['-v'], { stdio: 'ignore' }).status === 0) return candidate;
  }
  if (process.env.CI === 'true') throw new Error('nginx is not installed: .ci/run installs Debian\'s nginx package; install it (apt-get install nginx) and run again.');
  return undefined;
}
const nginx = findNginx();

/** The README's nginx configuration, with this machine's ports and a throwaway certificate. */
function readmeConfig(listenPort: number, instances: number[], dir: string): string {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const match = /<!-- nginx: credit-mcp -->\n```nginx\n([\s\S]*?)\n```/.exec(readme);
  if (!match) throw new Error('README has no nginx configuration');
  let config = match[1]!;
  const ports = [...config.matchAll(/server 127\.0\.0\.1:(\d+)/g)].map((m) => m[1]!);
  expect(ports).toHaveLength(instances.length);
  ports.forEach((port, i) => (config = config.replace(`127.0.0.1:${port}`, `127.0.0.1:${instances[i]}`)));
  config = config.replace('listen 443 ssl', `listen 127.0.0.1:${listenPort} ssl`);
  config = config.replace(/ssl_certificate\s+\S+;/, `ssl_certificate ${dir}/cert.pem;`).replace(/ssl_certificate_key\s+\S+;/, `ssl_certificate_key ${dir}/key.pem;`);
  return [
    'worker_processes 1;',
    'daemon off;',
    `pid ${dir}/nginx.pid;`,
    `error_log ${dir}/error.log info;`,
    'events { worker_connections 1024; }',
    'http {',
    `  access_log ${dir}/access.log;`,
    ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `  ${t}_temp_path ${dir}/${t};`),
    config,
    '}',
  ].join('\n');
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

describe.skipIf(!nginx)('nginx in front of three instances', () => {
  let sim: Simulator;
  let dir: string;
  let proxy: ChildProcess;
  let url: URL;
  let instances: HttpServer[];
  let tls: Agent;
  const over: FetchLike = (u, init) => undiciFetch(u, { ...(init as object), dispatcher: tls }) as unknown as Promise<Response>;
  const connect = async (era: EraMode) => {
    const client = clientFor(era);
    await client.connect(new StreamableHTTPClientTransport(url, { fetch: over, requestInit: { headers: { authorization: `Bearer ${TOKEN}` } } }));
    return client;
  };
  const errorLog = () => readFileSync(join(dir, 'error.log'), 'utf8');

  beforeAll(async () => {
    sim = await startSimulator({ synapLedgerSize: 2500 });
    instances = await Promise.all([0, 1, 2].map(() => startHttpServer(envFor(sim, { CREDIT_MCP_HTTP_TOKENS: TOKEN }))));
    dir = mkdtempSync(join(tmpdir(), 'credit-mcp-nginx-'));
    chmodSync(dir, 0o755); // nginx's workers may run as another user
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', `${dir}/key.pem`, '-out', `${dir}/cert.pem`], { stdio: 'ignore' });
    tls = new Agent({ connect: { ca: readFileSync(`${dir}/cert.pem`) } });
    const port = await freePort();
    writeFileSync(`${dir}/nginx.conf`, readmeConfig(port, instances.map((i) => i.port), dir));
    proxy = spawn(nginx!, ['-p', dir, '-e', `${dir}/error.log`, '-c', `${dir}/nginx.conf`], { stdio: ['ignore', 'ignore', 'pipe'] });
    let said = '';
    proxy.stderr!.on('data', (d: Buffer) => (said += d.toString()));
    url = new URL(`https://127.0.0.1:${port}/mcp`);
    for (;;) {
      if (proxy.exitCode !== null) throw new Error(`nginx exited: ${said}\n${existsSync(`${dir}/error.log`) ? errorLog() : ''}`);
      const ok = await over(`https://127.0.0.1:${port}/healthz`).then((r) => r.status === 200, () => false);
      if (ok) break;
      await new Promise((r) => setTimeout(r, 50));
    }
  }, 30_000);
  afterAll(async () => {
    proxy?.kill('SIGTERM');
    await Promise.all(instances?.map((i) => (i.child.exitCode === null && i.child.signalCode === null ? i.stop() : undefined)) ?? []);
    await tls?.close();
    await sim?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('carries a cursor chain across instances: every row of the snapshot once', async () => {
    const client = await connect('modern');
    const rows: string[] = [];
    let cursor: string | null = null;
    let to = '';
    do {
      const page = await client.callTool({ name: 'get_credit_ledger', arguments: { provider: 'synap', entry_type: 'debit', limit: 100, ...(cursor ? { cursor } : {}) } });
      expect(page.isError, textOf(page)).toBeFalsy();
      const data = page.structuredContent as { entries: Array<{ ledger_id: string }>; next_cursor: string | null; filters: { to: string } };
      to ||= data.filters.to;
      rows.push(...data.entries.map((e) => e.ledger_id));
      cursor = data.next_cursor;
      if (cursor) sim.synap.insert(); // arrives upstream meanwhile: outside the snapshot
    } while (cursor);
    await client.close();
    expect(rows).toEqual(sim.synap.query({ entry_type: 'debit', to }).map((e) => e.ledger_id));
    // Round robin put the pages on every instance.
    for (const instance of instances) expect(instance.access().filter((l) => l.tool === 'get_credit_ledger').length).toBeGreaterThan(3);
  });

  it('loses no call when instances are killed and stopped under load', async () => {
    sim.setLatency(150); // every instance has calls in flight at any moment
    const clients = await Promise.all((['modern', 'legacy', 'modern', 'legacy', 'modern', 'legacy', 'modern', 'legacy'] as const).map(connect));
    const truth = sim.signalFoundry.balance().available_credits;
    let answered = 0;
    const failures: string[] = [];
    let running = true;
    const workers = clients.map(async (client) => {
      while (running) {
        try {
          const result = await client.callTool({ name: 'check_balance', arguments: { provider: 'signal-foundry' } });
          if (result.isError || (result.structuredContent as { available_credits: number }).available_credits !== truth) failures.push(textOf(result));
          else answered++;
        } catch (error) {
          failures.push(String(error));
        }
      }
    });
    try {
      await until(() => answered >= 40);
      const [, killed, stopped] = instances;
      const servedBefore = killed!.access().length;
      // Eight calls always in flight, spread round robin: the victim is in the middle of some.
      await until(() => sim.stats.inFlight >= 7);
      killed!.child.kill('SIGKILL');
      expect(await killed!.exited).toEqual({ code: null, signal: 'SIGKILL' });
      const afterKill = answered;
      await until(() => answered >= afterKill + 60);
      stopped!.child.kill('SIGTERM');
      expect(await stopped!.exited).toEqual({ code: 0, signal: null });
      const afterStop = answered;
      await until(() => answered >= afterStop + 60);
      expect(servedBefore).toBeGreaterThan(0);
    } finally {
      running = false;
      await Promise.all(workers);
      sim.setLatency(0);
      for (const c of clients) await c.close();
    }
    expect(failures).toEqual([]);
    // The kill cut calls in flight (and each one still got its answer above: nginx sent it on).
    expect(errorLog()).toMatch(/upstream prematurely closed connection while reading response header from upstream/);
    expect(instances[0]!.access().filter((l) => l.tool === 'check_balance').length).toBeGreaterThan(60);
  }, 60_000);
});
