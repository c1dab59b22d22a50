// Ending a server process, for both transports: the first SIGTERM, SIGINT or end of input
// starts it, later ones change nothing, and the process exits 0 once the transport's stop is
// done. A safety timer exits anyway if closing hangs: what is still open by then is dropped.
import { log } from '../logger.js';

/** How long closing may take beyond the waiting a transport does on purpose. */
export const EXIT_BOUND_MS = 2000;

export interface ShutdownOptions {
  /** How long `stop` waits for work in flight on purpose (HTTP: its grace period). */
  waitMs?: number;
}

/** Runs `stop` once, on SIGTERM, SIGINT or a call of the returned function, then exits 0. */
export function onShutdown(stop: (why: string) => Promise<void>, { waitMs = 0 }: ShutdownOptions = {}): (why: string) => void {
  let stopping = false;
  const begin = (why: string): void => {
    if (stopping) return;
    stopping = true;
    const bound = waitMs + EXIT_BOUND_MS;
    setTimeout(() => {
      log.warn('shutting down: still closing, exiting anyway', { after_ms: bound });
      process.exit(0);
    }, bound).unref();
    stop(why)
      .catch((error: unknown) => log.error('shutting down: closing failed', { error }))
      .finally(() => process.exit(0));
  };
  process.on('SIGTERM', () => begin('SIGTERM'));
  process.on('SIGINT', () => begin('SIGINT'));
  return begin;
}
