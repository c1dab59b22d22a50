// The .mcpb as a host installs it: unpacked into a folder of its own, started from the
// manifest's own mcp_config with ${__dirname} and user_config substituted, then called.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from './helpers.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const mcpb = join(root, 'node_modules/@anthropic-ai/mcpb/dist/cli/cli.js');

interface Manifest {
  server: { mcp_config: { command: string; args: string[]; env: Record<string, string> } };
  user_config: Record<string, { sensitive?: boolean }>;
  tools: Array<{ name: string }>;
}

/** What a host does with the manifest's placeholders. */
function substitute(value: string, dir: string, userConfig: Record<string, string>): string {
  return value.replace(/\$\{__dirname\}/g, dir).replace(/\$\{user_config\.([a-z_]+)\}/g, (_m, key: string) => userConfig[key] ?? '');
}

let sim: Simulator;
let workdir: string;
let bundle: string;

beforeAll(async () => {
  sim = await startSimulator();
  execFileSync(process.execPath, [join(root, 'scripts/pack.mjs')], { cwd: root, stdio: 'ignore' });
  const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
  bundle = `credit-mcp-${version}.mcpb`;
  workdir = mkdtempSync(join(tmpdir(), 'credit-mcp-bundle-'));
  execFileSync(process.execPath, [mcpb, 'unpack', join(root, bundle), workdir], { stdio: 'ignore' });
}, 120_000);
afterAll(async () => {
  rmSync(workdir, { recursive: true, force: true });
  await sim.close();
});

/** A README figure, by the words around it: "about N kB". */
function readmeFigure(pattern: RegExp): number[] {
  const m = pattern.exec(readFileSync(join(root, 'README.md'), 'utf8'));
  if (!m) throw new Error(`README.md no longer says ${pattern}`);
  return m.slice(1).map(Number);
}
/** README figures are rounded by hand: within 5% of what was built (360 for 390 is not). */
const near = (readme: number, built: number) => expect(Math.abs(readme - built) / built, `README says ${readme}, the build gives ${built.toFixed(1)}`).toBeLessThan(0.05);

describe('the README size figures, against what was built', () => {
  it('the .mcpb', () => {
    const [kB] = readmeFigure(/`credit-mcp-<version>\.mcpb` \(about\s+(\d+) kB/);
    near(kB!, statSync(join(root, bundle)).size / 1000);
  });

  it('the dashboard page', () => {
    const [kB] = readmeFigure(/one HTML file of\s+about (\d+) kB/);
    near(kB!, statSync(join(root, 'dist/view/dashboard.html')).size / 1000);
  });

  it('the npm tarball, packed and unpacked', () => {
    const [kB, MB] = readmeFigure(/The tarball is about (\d+) kB \(([\d.]+) MB unpacked[;)]/);
    // dist/ is built already: --ignore-scripts keeps prepack from building it again under other tests.
    const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts', '--loglevel=error'], { cwd: root, encoding: 'utf8' });
    const [packed] = JSON.parse(out) as Array<{ size: number; unpackedSize: number }>;
    near(kB!, packed!.size / 1000);
    near(MB!, packed!.unpackedSize / 1e6);
  });
});

describe('the .mcpb bundle', () => {
  it('is small and ships no node_modules', () => {
    expect(statSync(join(root, bundle)).size).toBeLessThan(1024 * 1024);
    expect(readdirSync(workdir).sort()).toEqual(['README.md', 'dist', 'manifest.json']);
  });

  it('starts from its own mcp_config and answers a tool call', async () => {
    const manifest = JSON.parse(readFileSync(join(workdir, 'manifest.json'), 'utf8')) as Manifest;
    expect(manifest.user_config.synap_api_key?.sensitive).toBe(true);
    expect(manifest.user_config.signal_foundry_api_key?.sensitive).toBe(true);
    const userConfig = { synap_api_key: sim.keys.synap, synap_base_url: sim.url };
    const { command, args, env } = manifest.server.mcp_config;
    const transport = new StdioClientTransport({
      command: command === 'node' ? process.execPath : command,
      args: args.map((a) => substitute(a, workdir, userConfig)),
      env: { PATH: process.env.PATH ?? '', ...Object.fromEntries(Object.entries(env).map(([k, v]) => [k, substitute(v, workdir, userConfig)])) },
      cwd: tmpdir(),
    });
    const client = new Client({ name: 'bundle-test', version: '1' });
    await client.connect(transport);
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(manifest.tools.map((t) => t.name).sort());
    const result = await client.callTool({ name: 'check_balance', arguments: {} });
    expect(result.isError).toBeFalsy();
    expect((result.structuredContent as { available_credits: number }).available_credits).toBe(sim.synap.balance().balance_credits);
    // The dashboard page travels inside the server bundle (the .mcpb has no dist/view/).
    expect(readdirSync(join(workdir, 'dist'))).not.toContain('view');
    const { contents } = await client.readResource({ uri: 'ui://credit-mcp/dashboard.html' });
    expect((contents[0] as { text: string }).text).toBe(readFileSync(join(root, 'dist/view/dashboard.html'), 'utf8'));
    await client.close();
  });
});
