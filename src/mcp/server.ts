// The one factory that builds the MCP server, for every transport and both protocol eras:
// the three tools, the instructions, each call's cancellation and progress wired to them, and
// the dashboard the tools link to.
import { McpServer, type ServerContext } from '@modelcontextprotocol/server';
import { DASHBOARD_LINK, registerDashboard } from './dashboard.js';
import { linkSignals } from '../http/abort.js';
import type { WalkSettings } from '../providers/provider.js';
import type { ProviderRegistry } from '../providers/registry.js';
import type { CreditTool, ToolContext } from '../tools/define-tool.js';
import { TOOLS } from '../tools/index.js';
import { VERSION } from '../version.js';

const INSTRUCTIONS =
  'Read-only credit data. check_balance is the balance to decide a write on; get_credit_summary and get_credit_ledger are history.';

export interface ServerOptions {
  /** Built on first use, so undici and the providers stay off the start-up path. */
  registry: () => Promise<ProviderRegistry>;
  walk: WalkSettings;
  /** Aborts the calls this server runs: at shutdown, and over HTTP when the request's client goes away. */
  signal?: AbortSignal;
  now?: () => number;
}

export function createCreditServer(options: ServerOptions): McpServer {
  const server = new McpServer(
    { name: 'credit-mcp', version: VERSION },
    { capabilities: { tools: { listChanged: false }, resources: { listChanged: false } }, instructions: INSTRUCTIONS },
  );
  for (const tool of TOOLS) {
    server.registerTool(
      tool.name,
      { title: tool.title, description: tool.description, inputSchema: tool.inputSchema, outputSchema: tool.outputSchema, annotations: tool.annotations, _meta: DASHBOARD_LINK },
      (args, ctx) => call(tool, args, ctx, options),
    );
  }
  registerDashboard(server);
  return server;
}

async function call(tool: CreditTool, args: unknown, ctx: ServerContext, options: ServerOptions) {
  const cancel = linkSignals([ctx.mcpReq.signal, options.signal]);
  try {
    return await tool.call(args, {
      registry: await options.registry(),
      signal: cancel.signal,
      now: options.now ?? Date.now,
      walk: options.walk,
      progress: progressOf(ctx, cancel.signal),
    });
  } finally {
    cancel.dispose();
  }
}

/** Sends notifications/progress only when the request carried a progressToken, and never after a cancel. */
function progressOf(ctx: ServerContext, signal: AbortSignal): ToolContext['progress'] {
  const progressToken = ctx.mcpReq._meta?.progressToken;
  if (progressToken === undefined) return () => {};
  return (progress, total, message) => {
    if (signal.aborted) return;
    ctx.mcpReq
      .notify({ method: 'notifications/progress', params: { progressToken, progress, ...(total !== undefined ? { total } : {}), ...(message ? { message } : {}) } })
      .catch(() => {}); // the client went away; the call's own signal ends the work
  };
}
