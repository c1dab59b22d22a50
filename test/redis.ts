// Debian's redis-server for the fleet tests: started on a free loopback port in a throwaway
// directory (no persistence, debug commands allowed from loopback so a test can make it slow),
// probed until it answers (within a time limit), stopped and restarted on the same port to
// produce a store that goes away and comes back.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from './nginx.js';

/** redis-server from PATH or Debian's /usr/bin, or undefined. */
export function findRedis(): string | undefined {
  for (const candidate of ['redis-server', '/usr/bin/redis-server']) {
    if (spawnSync(candidate, ['--version'], { stdio: 'ignore' }).status === 0) return candidate;
  }
  return undefined;
}

/** Missing redis-server fails loudly under CI (.ci/run installs Debian's package); elsewhere the tests skip. */
export function requireRedisUnderCi(): string | undefined {
  const binary = findRedis();
  if (!binary && process.env.CI === 'true') throw new Error("redis-server is not installed: .ci/run installs Debian's redis-server package; install it (apt-get install redis-server) and run again.");
  return binary;
}

export interface RedisServer {
  port: number;
  url: string;
  /** A client of its own, for the test to look and to produce faults (DEBUG SLEEP, CONFIG SET). */
  admin(): Redis;
  /** SIGKILL: the store is gone at once, connections cut. */
  kill(): Promise<void>;
  /** Starts it again on the same port (empty: nothing was persisted). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

const START_LIMIT_MS = 10_000;

export async function startRedis(binary: string, extra: string[] = [], at?: number): Promise<RedisServer> {
  const dir = mkdtempSync(join(tmpdir(), 'credit-mcp-redis-'));
  const port = at ?? (await freePort());
  let child: ChildProcess | undefined;
  let admin: Redis | undefined;
  const launch = async () => {
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no', '--enable-debug-command', 'local', ...extra];
    const started = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child = started;
    let said = '';
    started.stdout!.on('data', (d: Buffer) => (said += d.toString()));
    started.stderr!.on('data', (d: Buffer) => (said += d.toString()));
    const probe = new Redis({ port, host: '127.0.0.1', lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => null });
    probe.on('error', () => undefined);
    const limit = Date.now() + START_LIMIT_MS;
    try {
      for (;;) {
        if (started.exitCode !== null) throw new Error(`redis-server exited (${started.exitCode}): ${said}`);
        if (Date.now() > limit) throw new Error(`redis-server did not answer within ${START_LIMIT_MS} ms: ${said}`);
        const ok = await probe
          .connect()
          .then(() => probe.ping())
          .then(
            (r) => r === 'PONG',
            () => false,
          );
        if (ok) return;
        probe.disconnect();
        await new Promise((r) => setTimeout(r, 50));
      }
    } finally {
      probe.disconnect();
    }
  };
  const stopChild = async (signal: NodeJS.Signals) => {
    const c = child;
    child = undefined;
    admin?.disconnect();
    admin = undefined;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => c.once('exit', () => resolve()));
    c.kill(signal);
    await exited;
  };
  await launch();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    admin: () => {
      if (!admin) {
        admin = new Redis({ port, host: '127.0.0.1', maxRetriesPerRequest: 1 });
        admin.on('error', () => undefined);
      }
      return admin;
    },
    kill: () => stopChild('SIGKILL'),
    restart: async () => {
      await stopChild('SIGKILL');
      await launch();
    },
    stop: async () => {
      await stopChild('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
