// The floor for `credit-mcp http`: the least an SDK v2 HTTP server can be, built only from the
// SDK's public API the same way (createMcpHandler, toNodeHandler on node:http), bundled and run
// the same way, with one trivial tool that makes the same upstream request and returns its body.
// Usage: node floor-http.mjs <upstream url> <key>; prints "listening on http://HOST:PORT/mcp".
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { toNodeHandler } from '@modelcontextprotocol/node';
import { createMcpHandler, McpServer } from '@modelcontextprotocol/server';
import { Pool } from 'undici';

const [upstream, key] = process.argv.slice(2);
const pool = new Pool(upstream!, { connections: 16 });

const handler = createMcpHandler(() => {
  const server = new McpServer({ name: 'floor', version: '1.0.0' });
  server.registerTool('balance', { description: 'The upstream balance, as it comes' }, async () => {
    const res = await pool.request({ method: 'GET', path: '/v1/credits/balance', headers: { authorization: `Bearer ${key}` } });
    return { content: [{ type: 'text', text: await res.body.text() }] };
  });
  return server;
});
const serve = toNodeHandler(handler);
const server = createServer((req, res) => void serve(req, res));
server.listen(0, '127.0.0.1', () => {
  process.stderr.write(`listening on http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp\n`);
});
process.on('SIGTERM', () => process.exit(0));
