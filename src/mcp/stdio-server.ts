// A minimal MCP server over stdio: newline-delimited JSON-RPC 2.0, the lifecycle and the
// tools methods. The SDK's Server loads every protocol schema (zod) and a JSON Schema
// validator (ajv) before it can answer `initialize`; this loads nothing, so a host's session
// starts about as fast as Node itself (see the README's Performance section).
import type { CallToolResult, Tool } from '@modelcontextprotocol/sdk/types.js';

export const LATEST_PROTOCOL_VERSION = '2025-11-25';
export const SUPPORTED_PROTOCOL_VERSIONS = [LATEST_PROTOCOL_VERSION, '2025-06-18', '2025-03-26', '2024-11-05'];

const PARSE_ERROR = -32700;
const INVALID_REQUEST = -32600;
const METHOD_NOT_FOUND = -32601;
const INVALID_PARAMS = -32602;
const INTERNAL_ERROR = -32603;
const MAX_LINE_CHARS = 16 * 1024 * 1024;

type Id = string | number;
type ProgressToken = string | number;

export interface CallContext {
  signal: AbortSignal;
  /** Sends notifications/progress when the request carried a progressToken. */
  progress(progress: number, total?: number, message?: string): void;
}

export interface McpHandlers {
  serverInfo: { name: string; version: string };
  instructions?: string;
  listTools(): Promise<Tool[]>;
  callTool(name: string, args: unknown, ctx: CallContext): Promise<CallToolResult>;
  /** Reports a failure the protocol layer cannot answer on (a handler that threw). */
  onError?(error: unknown): void;
}

export interface StdioServer {
  close(): void;
}

export interface StdioOptions {
  input?: NodeJS.ReadableStream & { setEncoding(encoding: BufferEncoding): unknown };
  output?: NodeJS.WritableStream;
  /** The host closed our stdout (EPIPE): nothing more can be answered. */
  onOutputClosed?: () => void;
}

export function startStdioServer(handlers: McpHandlers, options: StdioOptions = {}): StdioServer {
  const input = options.input ?? process.stdin;
  const output = options.output ?? process.stdout;
  const inFlight = new Map<Id, AbortController>();
  let buffer = '';
  let discarding = false;
  let closed = false;

  const send = (message: object) => {
    if (!closed) output.write(JSON.stringify(message) + '\n');
  };
  const reply = (id: Id, result: object) => send({ jsonrpc: '2.0', id, result });
  const fail = (id: Id | null, code: number, message: string) => send({ jsonrpc: '2.0', id, error: { code, message } });

  const onRequest = async (id: Id, method: string, params: Record<string, unknown>) => {
    switch (method) {
      case 'initialize': {
        const asked = typeof params.protocolVersion === 'string' ? params.protocolVersion : '';
        return reply(id, {
          protocolVersion: SUPPORTED_PROTOCOL_VERSIONS.includes(asked) ? asked : LATEST_PROTOCOL_VERSION,
          capabilities: { tools: { listChanged: false } },
          serverInfo: handlers.serverInfo,
          ...(handlers.instructions ? { instructions: handlers.instructions } : {}),
        });
      }
      case 'ping':
        return reply(id, {});
      case 'tools/list':
        return reply(id, { tools: await handlers.listTools() });
      case 'tools/call': {
        if (typeof params.name !== 'string') return fail(id, INVALID_PARAMS, 'tools/call needs params.name (a string)');
        const meta = params._meta as { progressToken?: ProgressToken } | undefined;
        const token = meta?.progressToken;
        const controller = new AbortController();
        inFlight.set(id, controller);
        try {
          const result = await handlers.callTool(params.name, params.arguments, {
            signal: controller.signal,
            progress: (progress, total, message) => {
              if (token === undefined || controller.signal.aborted) return;
              send({ jsonrpc: '2.0', method: 'notifications/progress', params: { progressToken: token, progress, total, message } });
            },
          });
          // A cancelled request gets no answer: the client has already moved on.
          if (!controller.signal.aborted) reply(id, result);
        } finally {
          inFlight.delete(id);
        }
        return;
      }
      default:
        return fail(id, METHOD_NOT_FOUND, `Method not found: ${method.slice(0, 80)}`);
    }
  };

  const onNotification = (method: string, params: Record<string, unknown>) => {
    if (method === 'notifications/cancelled') {
      const id = params.requestId as Id;
      inFlight.get(id)?.abort(params.reason);
    }
    // notifications/initialized and anything else need no action.
  };

  const onLine = (line: string) => {
    if (line.trim() === '') return;
    let message: unknown;
    try {
      message = JSON.parse(line);
    } catch {
      return fail(null, PARSE_ERROR, 'Parse error: a line on stdin is not JSON');
    }
    if (!message || typeof message !== 'object' || Array.isArray(message)) {
      return fail(null, INVALID_REQUEST, 'Invalid request: expected one JSON-RPC object per line');
    }
    const m = message as { id?: unknown; method?: unknown; params?: unknown };
    const params = (m.params && typeof m.params === 'object' ? m.params : {}) as Record<string, unknown>;
    if (typeof m.method !== 'string') return; // a response to a request we never send
    const id = m.id;
    if (id === undefined || id === null) return onNotification(m.method, params);
    if (typeof id !== 'string' && typeof id !== 'number') return fail(null, INVALID_REQUEST, 'Invalid request: id must be a string or number');
    onRequest(id, m.method, params).catch((error: unknown) => {
      handlers.onError?.(error);
      fail(id, INTERNAL_ERROR, 'Internal error');
    });
  };

  const onData = (chunk: string) => {
    buffer += chunk;
    if (buffer.length > MAX_LINE_CHARS && !buffer.includes('\n')) {
      // A line this long is no request of ours to answer; drop it rather than hold it all.
      buffer = '';
      discarding = true;
      return;
    }
    let newline: number;
    while ((newline = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, newline).replace(/\r$/, '');
      buffer = buffer.slice(newline + 1);
      if (discarding) {
        discarding = false;
        fail(null, INVALID_REQUEST, `Invalid request: a line longer than ${MAX_LINE_CHARS} characters was dropped`);
        continue;
      }
      onLine(line);
    }
  };
  // Without a listener, a write to a closed pipe would crash the process.
  output.on('error', () => {
    closed = true;
    options.onOutputClosed?.();
  });
  // Decoded as a stream, so a character split across two reads arrives whole.
  input.setEncoding('utf8');
  input.on('data', onData);

  return {
    close() {
      closed = true;
      input.off('data', onData);
      for (const controller of inFlight.values()) controller.abort();
    },
  };
}
