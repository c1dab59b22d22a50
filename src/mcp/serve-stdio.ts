// Runs the MCP server on stdio (both protocol eras, through the SDK's serveStdio) until stdin
// closes, stdout breaks or a signal arrives.
import { serveStdio } from '@modelcontextprotocol/server/stdio';
import type { Config } from '../config.js';
import { log } from '../logger.js';
import { cleanText } from '../core/text.js';
import type { ProviderRegistry } from '../providers/registry.js';
import { createCreditServer } from './server.js';
import { onShutdown } from './shutdown.js';

export interface ServeOptions {
  /** Extra work to undo at shutdown (the demo's simulator). */
  onShutdown?: () => Promise<void>;
}

export function serve(config: Config, options: ServeOptions = {}): void {
  const shutdown = new AbortController();
  let registry: Promise<ProviderRegistry> | undefined;
  const getRegistry = () => (registry ??= import('../providers/registry.js').then((m) => new m.ProviderRegistry(config)));
  const handle = serveStdio(() => createCreditServer({ registry: getRegistry, walk: config.walk, signal: shutdown.signal }), {
    // A line that is not a JSON-RPC message is dropped by the SDK (no answer) and reported here,
    // on one line; a closed stdout ends us.
    onerror: (error) =>
      (error as NodeJS.ErrnoException).code === 'EPIPE' ? stop('stdout closed') : log.warn('stdin: message dropped', { reason: cleanText(`${error.name}: ${error.message}`, 160) }),
  });

  const stop = onShutdown(async (why) => {
    log.info('shutting down', { why });
    shutdown.abort();
    await Promise.allSettled([handle.close(), registry?.then((r) => r.closeAll()), options.onShutdown?.()]);
  });
  process.stdin.on('end', () => stop('stdin closed'));
  process.stdin.on('close', () => stop('stdin closed'));
  // The host closed our stdout (EPIPE): nothing more can be answered.
  process.stdout.on('error', () => stop('stdout closed'));

  const providers = Object.keys(config.providers);
  log.info('ready on stdio', { providers: providers.length ? providers : 'none (every tool answers "not configured")' });
}
