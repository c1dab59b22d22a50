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
