// Every remote host configuration in the README, parsed out of it and connected to a running
// `credit-mcp http` the way that host would: its URL (this server's, in place of the example
// domain) and its headers, with the user's placeholders filled in.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, textOf, type Simulator } from './helpers.js';
import { connectHttp, startHttpServer, type HttpServer } from './remote.js';

const readme = readFileSync(fileURLToPath(new URL('../README.md', import.meta.url)), 'utf8');
const TOKEN = 'tok_readme_remote_0123456789';
const EXAMPLE_URL = 'https://mcp.example.com/mcp';

function snippet(host: string): string {
  const match = new RegExp(`<!-- remote: ${host} -->\\n\`\`\`\\w+\\n([\\s\\S]*?)\\n\`\`\``).exec(readme);
  if (!match) throw new Error(`README has no remote snippet for ${host}`);
  return match[1]!;
}

interface Remote {
  url: string;
  headers: Record<string, string>;
}

/** Shell words, with double quotes grouping (all the snippet uses). */
function shellWords(line: string): string[] {
  return [...line.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2]!);
}

/** `claude mcp add --transport http NAME URL --header "K: V" ...` */
function fromClaudeCode(): Remote {
  const words = shellWords(snippet('claude-code').trim());
  expect(words.slice(0, 3)).toEqual(['claude', 'mcp', 'add']);
  const positional: string[] = [];
  const headers: Record<string, string> = {};
  let transport = '';
  for (let i = 3; i < words.length; i++) {
    if (words[i] === '--transport') transport = words[++i]!;
    else if (words[i] === '--header' || words[i] === '-H') {
      const [name, ...value] = words[++i]!.split(':');
      headers[name!.trim()] = value.join(':').trim();
    } else positional.push(words[i]!);
  }
  expect(transport).toBe('http');
  expect(positional[0]).toBe('credits');
  return { url: positional[1]!, headers };
}

function fromJson(host: string, key: 'mcpServers' | 'servers', inputs: Record<string, string> = {}): Remote {
  const config = JSON.parse(snippet(host)) as Record<string, Record<string, { type?: string; url: string; headers: Record<string, string> }>> & {
    inputs?: Array<{ id: string; password?: boolean }>;
  };
  const server = config[key]!.credits!;
  if (key === 'servers') expect(server.type).toBe('http');
  // VS Code fills ${input:ID} from a prompt; the snippet must declare each one it uses, as a password.
  const headers = Object.fromEntries(
    Object.entries(server.headers).map(([k, v]) => [
      k,
      v.replace(/\$\{input:([\w-]+)\}/g, (_m, id: string) => {
        expect(config.inputs?.find((i) => i.id === id)?.password).toBe(true);
        return inputs[id]!;
      }),
    ]),
  );
  return { url: server.url, headers };
}

let sim: Simulator;
let withTokens: HttpServer;
let keysFromRequest: HttpServer;
beforeAll(async () => {
  sim = await startSimulator();
  const base = { SYNAP_BASE_URL: sim.url, SIGNAL_FOUNDRY_BASE_URL: sim.url };
  [withTokens, keysFromRequest] = await Promise.all([
    startHttpServer({ ...base, SYNAP_API_KEY: sim.keys.synap, CREDIT_MCP_HTTP_TOKENS: TOKEN }),
    startHttpServer({ ...base, CREDIT_MCP_KEYS_FROM_REQUEST: 'true' }),
  ]);
});
afterAll(async () => {
  await Promise.all([withTokens?.stop(), keysFromRequest?.stop()]);
  await sim?.close();
});

/** The user's own values in place of the README's placeholders. */
const filled = (value: string) =>
  value.replace('your_token', TOKEN).replace('synap_your_key', sim.keys.synap).replace('your_signal_foundry_key', sim.keys.signalFoundry);

const hosts: Array<[string, () => Remote, () => HttpServer, string[]]> = [
  ['claude-code', fromClaudeCode, () => withTokens, ['synap']],
  ['cursor', () => fromJson('cursor', 'mcpServers'), () => keysFromRequest, ['synap', 'signal-foundry']],
  ['vscode', () => fromJson('vscode', 'servers', { 'credits-token': TOKEN }), () => withTokens, ['synap']],
];

describe('README remote host configurations', () => {
  it.each(hosts)('%s connects with its headers and answers', async (_host, parse, server, providers) => {
    const remote = parse();
    expect(remote.url).toBe(EXAMPLE_URL);
    const headers = Object.fromEntries(Object.entries(remote.headers).map(([k, v]) => [k, filled(v)]));
    // Without its headers the same server does not serve the host.
    const bare = await connectHttp(server().mcp, 'auto').catch((error: Error) => error);
    if (server() === withTokens) {
      expect(String(bare)).toMatch(/401/);
    } else {
      if (bare instanceof Error) throw bare;
      expect(textOf(await bare.callTool({ name: 'check_balance', arguments: {} }))).toMatch(/^Not configured/);
      await bare.close();
    }
    const client = await connectHttp(server().mcp, 'auto', headers);
    for (const provider of providers) {
      const result = await client.callTool({ name: 'check_balance', arguments: { provider } });
      expect(result.isError, textOf(result)).toBeFalsy();
      const truth = provider === 'synap' ? sim.synap.balance().balance_credits : sim.signalFoundry.balance().available_credits;
      expect((result.structuredContent as { available_credits: number }).available_credits).toBe(truth);
    }
    await client.close();
  });
});
