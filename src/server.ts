// The MCP server: lists the tools and routes calls to them. The tools (and zod with them) are
// loaded on the first request that needs them, not at start-up.
import { InputError } from './errors.js';
import { linkSignals } from './http/abort.js';
import type { McpHandlers } from './mcp/stdio-server.js';
import type { WalkSettings } from './providers/provider.js';
import type { ProviderRegistry } from './providers/registry.js';
import { cleanText } from './text.js';
import { VERSION } from './version.js';

const INSTRUCTIONS =
  'Read-only credit data. check_balance is the balance to decide a write on; get_credit_summary and get_credit_ledger are history.';

export interface ServerOptions {
  registry: () => Promise<ProviderRegistry>;
  walk: WalkSettings;
  /** Aborts every in-flight call, e.g. at shutdown. */
  shutdownSignal?: AbortSignal;
  now?: () => number;
  onError?: (error: unknown) => void;
}

export function createServer(options: ServerOptions): McpHandlers {
  let tools: Promise<typeof import('./tools/index.js')> | undefined;
  const loadTools = () => (tools ??= import('./tools/index.js'));

  return {
    serverInfo: { name: 'credit-mcp', version: VERSION },
    instructions: INSTRUCTIONS,
    onError: options.onError,
    async listTools() {
      return (await loadTools()).TOOLS.map((t) => t.listing);
    },
    async callTool(name, args, ctx) {
      const { TOOLS, errorResult } = await loadTools();
      const tool = TOOLS.find((t) => t.name === name);
      if (!tool) {
        return errorResult(name, new InputError('name', `unknown tool "${cleanText(name, 40)}"; use one of ${TOOLS.map((t) => t.name).join(', ')}.`));
      }
      const cancel = linkSignals([ctx.signal, options.shutdownSignal]);
      try {
        return await tool.call(args, {
          registry: await options.registry(),
          signal: cancel.signal,
          now: options.now ?? Date.now,
          walk: options.walk,
          progress: ctx.progress,
        });
      } finally {
        cancel.dispose();
      }
    },
  };
}
