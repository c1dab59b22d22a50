// Runs the MCP server on stdio (both protocol eras, through the SDK's serveStdio) until stdin
// closes, stdout breaks or a signal arrives.
import { serveStdio } from '@modelcontextprotocol/server/stdio';
import type { Config } from './config.js';
import { log } from './logger.js';
import type { ProviderRegistry } from './providers/registry.js';
import { createCreditServer } from './server.js';

export interface ServeOptions {
  /** Extra work to undo at shutdown (the demo's simulator). */
  onShutdown?: () => Promise<void>;
}

export function serve(config: Config, options: ServeOptions = {}): void {
  const shutdown = new AbortController();
  let registry: Promise<ProviderRegistry> | undefined;
  const getRegistry = () => (registry ??= import('./providers/registry.js').then((m) => new m.ProviderRegistry(config)));
  const handle = serveStdio(() => createCreditServer({ registry: getRegistry, walk: config.walk, shutdownSignal: shutdown.signal }), {
    // A line that is not JSON-RPC is dropped by the SDK and reported here; a closed stdout ends us.
    onerror: (error) => ((error as NodeJS.ErrnoException).code === 'EPIPE' ? void stop('stdout closed') : log.warn('stdin: message dropped', { error })),
  });

  let stopping = false;
  async function stop(why: string) {
    if (stopping) return;
    stopping = true;
    log.info('shutting down', { why });
    shutdown.abort();
    // Never hang on the way out: whatever is still open after a moment is dropped.
    setTimeout(() => process.exit(0), 2000).unref();
    await Promise.allSettled([handle.close(), registry?.then((r) => r.closeAll()), options.onShutdown?.()]);
    process.exit(0);
  }
  process.stdin.on('end', () => void stop('stdin closed'));
  process.stdin.on('close', () => void stop('stdin closed'));
  // The host closed our stdout (EPIPE): nothing more can be answered.
  process.stdout.on('error', () => void stop('stdout closed'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));

  const providers = Object.keys(config.providers);
  log.info('ready on stdio', { providers: providers.length ? providers : 'none (every tool answers "not configured")' });
}
