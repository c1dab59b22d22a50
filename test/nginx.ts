// nginx as the README configures it, in front of instances on this machine: the README's
// snippet with local ports, in a throwaway prefix (config, pid, logs, temp files), optionally
// with a self-signed certificate. For test/http-nginx.test.ts and the bench.
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Agent, fetch as undiciFetch } from 'undici';

/** nginx from PATH or Debian's /usr/sbin, or undefined. */
export function findNginx(): string | undefined {
  for (const candidate of ['nginx', '/usr/sbin/nginx']) {
    if (spawnSync(candidate, ['-v'], { stdio: 'ignore' }).status === 0) return candidate;
  }
  return undefined;
}

export interface Nginx {
  /** `https://127.0.0.1:PORT/mcp` (or http without TLS) */
  url: URL;
  /** fetch that trusts the throwaway certificate. */
  fetch: typeof fetch;
  errorLog(): string;
  stop(): Promise<void>;
}

/** The README's configuration, its upstream servers pointed at `instancePorts`, listening on a free port. */
export function readmeNginxConfig(listenPort: number, instancePorts: number[], dir: string, tls: boolean): string {
  const readme = readFileSync(fileURLToPath(new URL('../README.md', import.meta.url)), 'utf8');
  const match = /<!-- nginx: credit-mcp -->\n```nginx\n([\s\S]*?)\n```/.exec(readme);
  if (!match) throw new Error('README has no nginx configuration');
  let config = match[1]!;
  // As many upstream servers as instances: the README's lines, then copies of its last one.
  const serverLines = config.split('\n').filter((l) => /^\s*server 127\.0\.0\.1:\d+/.test(l));
  if (serverLines.length === 0) throw new Error('README nginx configuration names no upstream server');
  const rewritten = instancePorts.map((port, i) => serverLines[Math.min(i, serverLines.length - 1)]!.replace(/127\.0\.0\.1:\d+/, `127.0.0.1:${port}`));
  config = config.replace(serverLines.join('\n'), rewritten.join('\n'));
  if (tls) {
    config = config.replace(/listen 443 ssl/, `listen 127.0.0.1:${listenPort} ssl`);
    config = config.replace(/ssl_certificate\s+\S+;/, `ssl_certificate ${dir}/cert.pem;`).replace(/ssl_certificate_key\s+\S+;/, `ssl_certificate_key ${dir}/key.pem;`);
  } else {
    config = config.replace(/listen 443 ssl[^;]*;/, `listen 127.0.0.1:${listenPort};`).replace(/\n\s*ssl_certificate(_key)?\s+\S+;/g, '');
  }
  return [
    'worker_processes 1;',
    'daemon off;',
    `pid ${dir}/nginx.pid;`,
    `error_log ${dir}/error.log info;`,
    'events { worker_connections 4096; }',
    'http {',
    `  access_log off;`,
    ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `  ${t}_temp_path ${dir}/${t};`),
    config,
    '}',
  ].join('\n');
}

export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/** `port`: where nginx listens (a free one when unset), for instances that must know their public URL before it starts. */
export async function startNginx(binary: string, instancePorts: number[], { tls, port: listenPort }: { tls: boolean; port?: number }): Promise<Nginx> {
  const dir = mkdtempSync(join(tmpdir(), 'credit-mcp-nginx-'));
  chmodSync(dir, 0o755); // nginx's workers may run as another user
  let agent: Agent | undefined;
  if (tls) {
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', `${dir}/key.pem`, '-out', `${dir}/cert.pem`],
      { stdio: 'ignore' },
    );
    agent = new Agent({ connect: { ca: readFileSync(`${dir}/cert.pem`) } });
  }
  const port = listenPort ?? (await freePort());
  writeFileSync(`${dir}/nginx.conf`, readmeNginxConfig(port, instancePorts, dir, tls));
  const child: ChildProcess = spawn(binary, ['-p', dir, '-e', `${dir}/error.log`, '-c', `${dir}/nginx.conf`], { stdio: ['ignore', 'ignore', 'pipe'] });
  let said = '';
  child.stderr!.on('data', (d: Buffer) => (said += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const errorLog = () => {
    try {
      return readFileSync(`${dir}/error.log`, 'utf8');
    } catch {
      return '';
    }
  };
  const viaProxy = (agent ? (u: string | URL, init?: RequestInit) => undiciFetch(u, { ...(init as object), dispatcher: agent }) : fetch) as typeof fetch;
  const origin = `${tls ? 'https' : 'http'}://127.0.0.1:${port}`;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`nginx exited: ${said}\n${errorLog()}`);
    if (await viaProxy(`${origin}/healthz`).then((r) => r.status === 200, () => false)) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url: new URL(`${origin}/mcp`),
    fetch: viaProxy,
    errorLog,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
      await agent?.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
