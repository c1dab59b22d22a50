// The npm package as a user gets it: a fresh clone of this checkout's HEAD (unbuilt: no dist/),
// `npm pack` there (prepack must build it), the tarball installed into an empty folder, and
// `npx credit-mcp --demo` driven over stdio by the SDK v2 client. The clone borrows this
// checkout's node_modules (a symlink) for the build: what it tests is the package, not npm ci.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const ownPackage = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { name: string; version: string; mcpName: string };

interface PackResult {
  filename: string;
  size: number;
  unpackedSize: number;
  files: Array<{ path: string }>;
}

let work: string;
let clone: string;
let installed: string;
let packed: PackResult;
const env = () => ({ PATH: process.env.PATH ?? '', HOME: work, npm_config_cache: join(work, 'npm-cache'), npm_config_update_notifier: 'false' });

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'credit-mcp-npm-'));
  clone = join(work, 'clone');
  execFileSync('git', ['clone', '--quiet', root, clone], { stdio: 'pipe' });
  expect(existsSync(join(clone, 'dist'))).toBe(false);
  symlinkSync(join(root, 'node_modules'), join(clone, 'node_modules'), 'dir');
  const out = execFileSync('npm', ['pack', '--json', '--loglevel=error'], { cwd: clone, encoding: 'utf8', env: env(), stdio: ['ignore', 'pipe', 'pipe'] });
  // npm prints the lifecycle banner ("> credit-mcp@... prepack") before the JSON.
  packed = (JSON.parse(out.slice(out.indexOf('\n[') + 1)) as PackResult[])[0]!;
  installed = join(work, 'empty');
  mkdirSync(installed);
  writeFileSync(join(installed, 'package.json'), '{ "private": true }\n');
  // --offline, with an empty cache: a package with no dependencies needs nothing from a registry.
  execFileSync('npm', ['install', '--offline', '--no-audit', '--no-fund', '--loglevel=error', join(clone, packed.filename)], { cwd: installed, env: env(), stdio: 'pipe' });
}, 180_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('the npm package, packed from a fresh clone', () => {
  it('holds the built server and nothing else: no src, no test, no dashboard page file', () => {
    const paths = packed.files.map((f) => f.path).sort();
    expect(paths.filter((p) => !p.startsWith('dist/chunks/'))).toEqual(['README.md', 'dist/cli.js', 'dist/package.json', 'package.json']);
    expect(paths.filter((p) => p.startsWith('dist/chunks/')).every((p) => /^dist\/chunks\/[\w-]+\.js$/.test(p))).toBe(true);
    expect(paths.length).toBeGreaterThan(10);
  });

  it('declares no dependencies: dist/ bundles them all', () => {
    const manifest = JSON.parse(execFileSync('tar', ['-xzOf', join(clone, packed.filename), 'package/package.json'], { encoding: 'utf8' })) as Record<string, unknown>;
    expect(manifest.dependencies).toBeUndefined();
    expect(manifest.bin).toEqual({ 'credit-mcp': 'dist/cli.js' });
    expect(manifest.mcpName).toBe(ownPackage.mcpName);
  });

  it('installs as one package, offline', () => {
    const modules = readdirSync(join(installed, 'node_modules')).filter((n) => !n.startsWith('.'));
    expect(modules).toEqual(['credit-mcp']);
    expect(readdirSync(join(installed, 'node_modules/.bin'))).toEqual(['credit-mcp']);
  });

  it('npx credit-mcp --version prints the version', () => {
    const out = execFileSync('npx', ['--no-install', 'credit-mcp', '--version'], { cwd: installed, encoding: 'utf8', env: env() });
    expect(out.trim()).toBe(ownPackage.version);
  });

  it('runs from the clone as the README says: npx inside it, node dist/cli.js, and npm link', () => {
    // prepack built the clone's dist/ above, as `npm run build` would.
    expect(execFileSync('npx', ['--no-install', 'credit-mcp', '--version'], { cwd: clone, encoding: 'utf8', env: env() }).trim()).toBe(ownPackage.version);
    expect(execFileSync(process.execPath, [join(clone, 'dist/cli.js'), '--version'], { cwd: work, encoding: 'utf8', env: env() }).trim()).toBe(ownPackage.version);
    // npm link into a global folder of the test's own, then the bare command on PATH.
    const prefix = join(work, 'global');
    execFileSync('npm', ['link', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: clone, env: { ...env(), npm_config_prefix: prefix }, stdio: 'pipe' });
    const linked = { ...env(), PATH: `${join(prefix, 'bin')}:${process.env.PATH ?? ''}` };
    expect(execFileSync('credit-mcp', ['--version'], { cwd: work, encoding: 'utf8', env: linked }).trim()).toBe(ownPackage.version);
    const balance = JSON.parse(execFileSync('credit-mcp', ['balance', '--demo', '--provider', 'synap', '--json'], { cwd: work, encoding: 'utf8', env: linked })) as { provider: string };
    expect(balance.provider).toBe('synap');
  });

  it('npx credit-mcp --demo serves the three tools over stdio and answers real calls', async () => {
    const transport = new StdioClientTransport({ command: 'npx', args: ['--no-install', 'credit-mcp', '--demo'], cwd: installed, env: env() });
    const client = new Client({ name: 'npm-package-test', version: '1' });
    await client.connect(transport);
    try {
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name).sort()).toEqual(['check_balance', 'get_credit_ledger', 'get_credit_summary']);

      const balance = await client.callTool({ name: 'check_balance', arguments: { provider: 'synap', required_credits: 500 } });
      expect(balance.isError).toBeFalsy();
      const b = balance.structuredContent as { provider: string; available_credits: number; required_credits: number; decision: string; shortfall_credits: number };
      expect(b.provider).toBe('synap');
      expect(b.available_credits).toBeGreaterThan(0);
      expect(b.required_credits).toBe(500);
      expect(b.decision).toBe(b.available_credits >= 500 ? 'sufficient' : 'insufficient');
      expect(b.shortfall_credits).toBe(Math.max(0, 500 - b.available_credits));

      // The demo's Synap ledger holds 2,500 entries: a walk of 2,000 with exact totals.
      const ledger = await client.callTool({ name: 'get_credit_ledger', arguments: { provider: 'synap', limit: 5 } });
      expect(ledger.isError).toBeFalsy();
      const l = ledger.structuredContent as {
        entries: unknown[];
        total_matching: number;
        scanned: number;
        complete: boolean;
        totals: { count: number; credits_added: number; credits_used: number; net: number };
        by_category: Array<{ count: number }>;
      };
      expect(l.entries).toHaveLength(5);
      expect(l.total_matching).toBe(2500);
      expect(l.scanned).toBe(2000);
      expect(l.complete).toBe(false);
      expect(l.totals.count).toBe(2000);
      expect(l.totals.net).toBeCloseTo(l.totals.credits_added - l.totals.credits_used, 6);
      expect(l.by_category.reduce((n, c) => n + c.count, 0)).toBe(2000);

      // The dashboard page travels inside the bundle too.
      const { contents } = await client.readResource({ uri: 'ui://credit-mcp/dashboard.html' });
      expect((contents[0] as { text: string }).text).toMatch(/^<!doctype html>/i);
    } finally {
      await client.close();
    }
  });

  it('credit-mcp http --demo serves /metrics (prom-client is in the bundle too)', async () => {
    // The bin npx ran above, started directly so that SIGTERM reaches the server itself.
    const bin = join(installed, 'node_modules/.bin/credit-mcp');
    const child = spawn(bin, ['http', '--demo', '--port', '0'], { cwd: installed, env: env(), stdio: ['ignore', 'ignore', 'pipe'] });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let err = '';
        child.stderr.on('data', (d: Buffer) => {
          err += d.toString();
          const m = /listening on (http:\/\/127\.0\.0\.1:\d+)\/mcp/.exec(err);
          if (m) resolve(m[1]!);
        });
        child.on('exit', (code) => reject(new Error(`credit-mcp http exited ${code}: ${err}`)));
      });
      const metrics = await fetch(`${url}/metrics`);
      expect(metrics.status).toBe(200);
      expect(await metrics.text()).toContain('# TYPE credit_mcp_upstream_requests_total counter');
    } finally {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
  });
});
