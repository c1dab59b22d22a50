// The MCP server: lists the tools and routes calls to them. Nothing else.
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { CallToolRequestSchema, ListToolsRequestSchema, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { InputError } from './errors.js';
import { linkSignals } from './http/abort.js';
import { DEFAULT_WALK } from './config.js';
import type { WalkSettings } from './providers/provider.js';
import type { ProviderRegistry } from './providers/registry.js';
import { errorResult } from './tools/define-tool.js';
import { TOOLS } from './tools/index.js';
import { cleanText } from './text.js';
import { VERSION } from './version.js';

const INSTRUCTIONS =
  'Read-only credit data. check_balance is the balance to decide a write on; get_credit_summary and get_credit_ledger are history.';

export interface ServerOptions {
  /** Aborts every in-flight call, e.g. at shutdown. */
  shutdownSignal?: AbortSignal;
  now?: () => number;
  walk?: WalkSettings;
}

export function createServer(registry: ProviderRegistry, options: ServerOptions = {}): Server {
  const server = new Server({ name: 'credit-mcp', version: VERSION }, { capabilities: { tools: {} }, instructions: INSTRUCTIONS });
  const byName = new Map(TOOLS.map((t) => [t.name, t]));
  const listing = TOOLS.map((t) => t.listing);

  server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: listing }));

  server.setRequestHandler(CallToolRequestSchema, async (request, extra): Promise<CallToolResult> => {
    const tool = byName.get(request.params.name);
    if (!tool) {
      return errorResult(request.params.name, new InputError('name', `unknown tool "${cleanText(request.params.name, 40)}"; use one of ${[...byName.keys()].join(', ')}.`));
    }
    const token = request.params._meta?.progressToken;
    const cancel = linkSignals([extra.signal, options.shutdownSignal]);
    return tool.call(request.params.arguments, {
      registry,
      signal: cancel.signal,
      now: options.now ?? Date.now,
      walk: options.walk ?? DEFAULT_WALK,
      progress: (progress, total, message) => {
        if (token === undefined) return;
        void extra
          .sendNotification({ method: 'notifications/progress', params: { progressToken: token, progress, total, message } })
          .catch(() => undefined);
      },
    }).finally(cancel.dispose);
  });
  return server;
}
