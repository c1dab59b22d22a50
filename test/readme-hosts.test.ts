// Every host configuration in the README, parsed out of it and started as that host would.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from './helpers.js';

const root = fileURLToPath(new URL('..', import.meta.url)).replace(/\/$/, '');
const readme = readFileSync(`${root}/README.md`, 'utf8');

interface Launch {
  command: string;
  args: string[];
  env: Record<string, string>;
}

function snippet(host: string): string {
  const match = new RegExp(`<!-- host: ${host} -->\\n\`\`\`\\w+\\n([\\s\\S]*?)\\n\`\`\``).exec(readme);
  if (!match) throw new Error(`README has no snippet for ${host}`);
  return match[1]!;
}

function fromJson(host: string, key: 'mcpServers' | 'servers'): Launch {
  const config = JSON.parse(snippet(host)) as Record<string, Record<string, Launch>>;
  const server = config[key]!.credits!;
  return { command: server.command, args: server.args, env: server.env };
}

/** `claude mcp add NAME --env K=V ... -- COMMAND ARGS...` */
function fromClaudeCode(): Launch {
  const words = snippet('claude-code').trim().split(/\s+/);
  expect(words.slice(0, 4)).toEqual(['claude', 'mcp', 'add', 'credits']);
  const split = words.indexOf('--');
  const env: Record<string, string> = {};
  for (let i = 4; i < split; i++) {
    if (words[i] === '--env' || words[i] === '-e') {
      const [k, v] = words[++i]!.split('=');
      env[k!] = v!;
    }
  }
  return { command: words[split + 1]!, args: words.slice(split + 2), env };
}

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator();
});
afterAll(async () => {
  await sim.close();
});

const hosts: Array<[string, () => Launch]> = [
  ['claude-desktop', () => fromJson('claude-desktop', 'mcpServers')],
  ['claude-code', fromClaudeCode],
  ['cursor', () => fromJson('cursor', 'mcpServers')],
  ['vscode', () => fromJson('vscode', 'servers')],
];

describe('README host configurations', () => {
  it.each(hosts)('%s starts the server and answers', async (_host, parse) => {
    const launch = parse();
    expect(launch.command).toBe('node');
    // The user's own values: this checkout, and the simulator in place of the real key.
    const args = launch.args.map((a) => a.replace('/absolute/path/to/credit-mcp', root));
    const env = Object.fromEntries(Object.keys(launch.env).map((k) => [k, k === 'SYNAP_API_KEY' ? sim.keys.synap : sim.keys.signalFoundry]));
    const transport = new StdioClientTransport({
      command: process.execPath,
      args,
      env: { PATH: process.env.PATH ?? '', ...env, SYNAP_BASE_URL: sim.url, SIGNAL_FOUNDRY_BASE_URL: sim.url, CREDIT_MCP_DEFAULT_PROVIDER: 'synap' },
    });
    const client = new Client({ name: 'readme-host', version: '1' });
    await client.connect(transport);
    const result = await client.callTool({ name: 'check_balance', arguments: { provider: 'synap' } });
    expect(result.isError).toBeFalsy();
    expect((result.structuredContent as { available_credits: number }).available_credits).toBe(sim.synap.balance().balance_credits);
    await client.close();
  });
});
