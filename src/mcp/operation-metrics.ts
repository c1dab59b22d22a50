// Times every MCP request a server answers, as OpenTelemetry's `mcp.server.operation.duration`
// defines it: from the request's arrival on the transport until its result (or error) is sent.
// The server's transport is watched, so every method is seen in both eras, tools/call with
// the tool's name and whether its result is an error.
import type { JSONRPCMessage, McpServer, Transport } from '@modelcontextprotocol/server';
import { metrics } from '../metrics/record.js';
import { TOOLS } from '../tools/index.js';

/**
 * Label values come from the client: anything else is counted as `_OTHER` (OpenTelemetry's
 * fallback value), so no client can grow the number of series.
 */
const METHODS = new Set([
  'initialize',
  'ping',
  'server/discover',
  'tools/list',
  'tools/call',
  'resources/list',
  'resources/templates/list',
  'resources/read',
  'resources/subscribe',
  'resources/unsubscribe',
  'prompts/list',
  'prompts/get',
  'completion/complete',
  'logging/setLevel',
]);
const TOOL_NAMES = new Set(TOOLS.map((t) => t.name));
const OTHER = '_OTHER';

type RequestId = string | number;
interface Running {
  method: string;
  tool: string | undefined;
  started: number;
}

/** Makes `server` time the requests of each transport it is connected to. */
export function observeOperations(server: McpServer): McpServer {
  const connect = server.connect.bind(server);
  server.connect = (transport) => connect(watch(transport));
  return server;
}

function watch(transport: Transport): Transport {
  const running = new Map<RequestId, Running>();
  const finish = (id: RequestId, errorType: string | undefined) => {
    const call = running.get(id);
    if (!call) return;
    running.delete(id);
    metrics.operation(call.method, call.tool, (performance.now() - call.started) / 1000, errorType);
  };
  // Set before connect(): the SDK's Protocol calls what it finds here first, then its own handling.
  transport.onmessage = (message: JSONRPCMessage) => {
    const m = message as { id?: RequestId; method?: unknown; params?: { name?: unknown; requestId?: RequestId } };
    if (typeof m.method !== 'string') return;
    if (m.id !== undefined) {
      const method = METHODS.has(m.method) ? m.method : OTHER;
      const name = method === 'tools/call' ? m.params?.name : undefined;
      const tool = name === undefined ? undefined : typeof name === 'string' && TOOL_NAMES.has(name) ? name : OTHER;
      running.set(m.id, { method, tool, started: performance.now() });
    } else if (m.method === 'notifications/cancelled' && m.params?.requestId !== undefined) {
      // A cancelled request gets no answer at all.
      finish(m.params.requestId, 'cancelled');
    }
  };
  transport.onclose = () => {
    for (const id of [...running.keys()]) finish(id, 'cancelled');
  };
  const send = transport.send.bind(transport);
  transport.send = (message, options) => {
    const m = message as { id?: RequestId; method?: unknown; error?: { code?: unknown }; result?: { isError?: unknown } };
    if (m.id !== undefined && m.method === undefined) {
      // OpenTelemetry: a JSON-RPC error by its code; a tool result with isError as `tool_error`.
      finish(m.id, m.error ? String(m.error.code) : m.result?.isError === true ? 'tool_error' : undefined);
    }
    return send(message, options);
  };
  return transport;
}
