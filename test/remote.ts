// The built server as `credit-mcp http`: spawned on a free port, its listening line parsed,
// every stderr byte kept; clients of both SDK lines over Streamable HTTP; raw JSON-RPC posts.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { Client as V1Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport as V1Transport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { CLI, clientFor, type EraMode } from './helpers.js';

export interface HttpServer {
  /** `http://127.0.0.1:PORT` */
  origin: string;
  /** `http://127.0.0.1:PORT/mcp`, as the listening line gave it. */
  mcp: URL;
  port: number;
  child: ChildProcessWithoutNullStreams;
  stderr(): string;
  /** The access-log lines, parsed. */
  access(): AccessLine[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export interface AccessLine {
  method: string;
  path: string;
  rpc?: string;
  tool?: string;
  status: number | null;
  ms: number;
  client?: string;
  aborted?: boolean;
}

/** `node dist/cli.js http --port 0 ...args`, with only `env` (and PATH) in its environment. */
export async function startHttpServer(env: Record<string, string>, args: string[] = []): Promise<HttpServer> {
  const child = spawn(process.execPath, [CLI, 'http', '--port', '0', ...args], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const mcp = await new Promise<URL>((resolve, reject) => {
    const onData = () => {
      const m = /listening on (http:\/\/\S+\/mcp)/.exec(stderr);
      if (m) {
        child.stderr.off('data', onData);
        resolve(new URL(m[1]!));
      }
    };
    child.stderr.on('data', onData);
    void exited.then(({ code }) => reject(new Error(`server exited (${code}) before listening:\n${stderr}`)));
  });
  return {
    origin: mcp.origin,
    mcp,
    port: Number(mcp.port),
    child,
    stderr: () => stderr,
    access: () =>
      stderr
        .split('\n')
        .filter((l) => l.startsWith('[credit-mcp] info http {'))
        .map((l) => JSON.parse(l.slice('[credit-mcp] info http '.length)) as AccessLine),
    exited,
    stop: (signal = 'SIGTERM') => {
      child.kill(signal);
      return exited;
    },
  };
}

/** A v2 client over Streamable HTTP in the given era mode, sending `headers` with every request. */
export async function connectHttp(url: URL, era: EraMode, headers: Record<string, string> = {}): Promise<Client> {
  const client = clientFor(era);
  await client.connect(new StreamableHTTPClientTransport(url, { requestInit: { headers } }));
  return client;
}

/** The 1.x client hosts still ship, over Streamable HTTP (2025 handshake). */
export async function connectHttpV1(url: URL, headers: Record<string, string> = {}): Promise<V1Client> {
  const client = new V1Client({ name: 'sdk-1x-remote', version: '1.0.0' });
  await client.connect(new V1Transport(url, { requestInit: { headers } }));
  return client;
}

export const MCP_ACCEPT = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };

/** The 2025 handshake's first message, for raw posts. */
export const INITIALIZE = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
};

/** A 2025-era stateless tools/call, raw: no handshake is needed per request on a stateless server. */
export function toolCall(id: number, name: string, args: Record<string, unknown>, meta?: Record<string, unknown>) {
  return { jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: args, ...(meta ? { _meta: meta } : {}) } };
}

/** A stateless tools/call as either era puts it on the wire: headers and body, for raw posts. */
export function rawToolCall(era: 'modern' | 'legacy', name: string, args: Record<string, unknown>, progressToken?: string): { headers: Record<string, string>; body: string } {
  const meta: Record<string, unknown> = progressToken ? { progressToken } : {};
  if (era === 'legacy') return { headers: MCP_ACCEPT, body: JSON.stringify(toolCall(1, name, args, progressToken ? meta : undefined)) };
  const version = '2026-07-28';
  return {
    headers: { ...MCP_ACCEPT, 'mcp-protocol-version': version, 'mcp-method': 'tools/call', 'mcp-name': name },
    body: JSON.stringify(
      toolCall(1, name, args, {
        ...meta,
        'io.modelcontextprotocol/protocolVersion': version,
        'io.modelcontextprotocol/clientInfo': { name: 'raw', version: '1' },
        'io.modelcontextprotocol/clientCapabilities': {},
      }),
    ),
  };
}

/** Messages of a Streamable HTTP answer, JSON or SSE. */
export async function readMessages(res: Response): Promise<Array<Record<string, any>>> {
  const text = await res.text();
  if (!(res.headers.get('content-type') ?? '').includes('text/event-stream')) return text ? [JSON.parse(text)] : [];
  return text
    .split('\n')
    .filter((l) => l.startsWith('data: '))
    .map((l) => JSON.parse(l.slice(6)));
}
