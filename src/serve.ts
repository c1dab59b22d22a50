// Runs the MCP server on stdio until stdin closes or a signal arrives.
import type { Config } from './config.js';
import { log } from './logger.js';
import { startStdioServer } from './mcp/stdio-server.js';
import type { ProviderRegistry } from './providers/registry.js';
import { createServer } from './server.js';

export interface ServeOptions {
  /** Extra work to undo at shutdown (the demo's simulator). */
  onShutdown?: () => Promise<void>;
}

export function serve(config: Config, options: ServeOptions = {}): void {
  const shutdown = new AbortController();
  let registry: Promise<ProviderRegistry> | undefined;
  const getRegistry = () => (registry ??= import('./providers/registry.js').then((m) => new m.ProviderRegistry(config)));
  const server = startStdioServer(
    createServer({
      registry: getRegistry,
      walk: config.walk,
      shutdownSignal: shutdown.signal,
      onError: (error) => log.error('request failed', { error }),
    }),
    { onOutputClosed: () => void stop('stdout closed') },
  );

  let stopping = false;
  const stop = async (why: string) => {
    if (stopping) return;
    stopping = true;
    log.info('shutting down', { why });
    shutdown.abort();
    server.close();
    // Never hang on the way out: whatever is still open after a moment is dropped.
    setTimeout(() => process.exit(0), 2000).unref();
    await Promise.allSettled([registry?.then((r) => r.closeAll()), options.onShutdown?.()]);
    process.exit(0);
  };
  process.stdin.on('end', () => void stop('stdin closed'));
  process.stdin.on('close', () => void stop('stdin closed'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));

  const providers = Object.keys(config.providers);
  log.info('ready on stdio', { providers: providers.length ? providers : 'none (every tool answers "not configured")' });
}
