// Runs the MCP server on stdio until stdin closes or a signal arrives.
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { Config } from './config.js';
import { log } from './logger.js';
import { ProviderRegistry } from './providers/registry.js';
import { createServer } from './server.js';

export interface ServeOptions {
  /** Extra work to undo at shutdown (the demo's simulator). */
  onShutdown?: () => Promise<void>;
}

export async function serve(config: Config, options: ServeOptions = {}): Promise<void> {
  const registry = new ProviderRegistry(config);
  const shutdown = new AbortController();
  const server = createServer(registry, { shutdownSignal: shutdown.signal, walk: config.walk });
  const transport = new StdioServerTransport();

  let stopping = false;
  const stop = async (why: string) => {
    if (stopping) return;
    stopping = true;
    log.info('shutting down', { why });
    shutdown.abort();
    // Never hang on the way out: whatever is still open after a moment is dropped.
    const force = setTimeout(() => process.exit(0), 2000);
    force.unref();
    await Promise.allSettled([server.close(), registry.closeAll(), options.onShutdown?.()]);
    process.exit(0);
  };
  process.stdin.on('end', () => void stop('stdin closed'));
  process.stdin.on('close', () => void stop('stdin closed'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));

  await server.connect(transport);
  const providers = registry.configured();
  log.info('ready on stdio', { providers: providers.length ? providers : 'none (every tool answers "not configured")' });
}
