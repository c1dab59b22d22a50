// The newcomer's first command: starts the built server in demo mode with a real MCP client
// and prints what an agent would see for each tool on each provider.
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const transport = new StdioClientTransport({ command: process.execPath, args: [cli, '--demo', '--log-level', 'warn'], stderr: 'inherit' });
// 'auto' asks the server which protocol revision it speaks (2026-07-28 here) before connecting.
const client = new Client({ name: 'credit-mcp-demo', version: '1.0.0' }, { versionNegotiation: { mode: 'auto' } });
await client.connect(transport);

const out = (s = '') => process.stdout.write(s + '\n');
const { tools } = await client.listTools();
out(`Connected to ${client.getServerVersion()?.name} ${client.getServerVersion()?.version} over stdio, ${client.getProtocolEra()} protocol era (demo: built-in simulator).`);
out(`Tools: ${tools.map((t) => t.name).join(', ')}`);

async function show(name, args) {
  const result = await client.callTool({ name, arguments: args });
  const shown = JSON.stringify(args, (k, v) => (k === 'cursor' ? '<next_cursor>' : v));
  out(`\n> ${name} ${shown}${result.isError ? '   [isError]' : ''}`);
  for (const c of result.content) if (c.type === 'text') out(c.text.replace(/^/gm, '  '));
  return result;
}

for (const provider of ['signal-foundry', 'synap']) {
  out(`\n=== ${provider} ===`);
  await show('check_balance', { provider, required_credits: 500 });
  await show('get_credit_summary', { provider, days: 30, recent_limit: 5 });
  const first = await show('get_credit_ledger', { provider, entry_type: 'debit', limit: 5 });
  const cursor = first.structuredContent?.next_cursor;
  if (cursor) await show('get_credit_ledger', { provider, cursor, limit: 5 });
}
out('\n=== what a mistake looks like ===');
await show('get_credit_summary', { provider: 'synap', days: 400 });
await show('check_balance', {});

await client.close();
