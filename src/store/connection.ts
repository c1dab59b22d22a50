// The one connection to the shared store. Nothing waits on it for long: commands time out
// after COMMAND_TIMEOUT_MS, none queue while it is away (enableOfflineQueue off), and after a
// timeout it is left alone for a moment, so a slow or gone store costs each call at most one
// short wait, then none. Each change of state (away, slow, full, back) is logged once.
import { Redis } from 'ioredis';
import { log, registerSecret } from '../logger.js';
import { metrics } from '../metrics/record.js';

/** How long one store command may take before the call goes on without it. */
export const COMMAND_TIMEOUT_MS = 500;
/** After a timeout, the store is not asked again for this long (a slow store would slow every request). */
const BACK_OFF_MS = 1000;

type State = 'connecting' | 'up' | 'unreachable' | 'slow' | 'full' | 'failing';

export class StoreConnection {
  readonly redis: Redis;
  private state: State = 'connecting';
  private quietUntil = 0;
  private closing = false;
  /** Where the store is, for the log: host and port, never the password. */
  private readonly where: string;

  constructor(url: URL) {
    if (url.password) registerSecret(decodeURIComponent(url.password));
    this.where = `${url.protocol}//${url.hostname}:${url.port || 6379}`;
    this.redis = new Redis(url.href, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      commandTimeout: COMMAND_TIMEOUT_MS,
      connectTimeout: 1000,
      // Reconnects for as long as the server runs, at most a second apart.
      retryStrategy: (times) => Math.min(50 * times, 1000),
      lazyConnect: false,
      // INFO is the ready check; the least-rights ACL user (README) has no need of it.
      enableReadyCheck: false,
    });
    // Without a listener an 'error' event would end the process; the state says what happened.
    this.redis.on('error', (error: Error) => this.change(classify(error), error));
    this.redis.on('ready', () => this.change('up'));
    this.redis.on('close', () => {
      if (this.state === 'up' && !this.closing) this.change('unreachable');
    });
  }

  /** The store is there to be asked (connected, and not backing off after a timeout). */
  get ready(): boolean {
    return this.redis.status === 'ready' && Date.now() >= this.quietUntil;
  }

  /**
   * `op` against the store, or undefined when the store is away or fails it (counted as
   * `operation` in credit_mcp_store_errors_total): the caller goes on without the store.
   * `grows`: it adds to the store, so its success says a full store has room again (reads and
   * deletions go through on a full store, and say nothing of it).
   */
  async run<T>(operation: string, op: (redis: Redis) => Promise<T>, { grows = false } = {}): Promise<T | undefined> {
    if (!this.ready) {
      metrics.storeError(operation);
      return undefined;
    }
    try {
      const value = await op(this.redis);
      // A full store still answers reads and deletions: only an addition that goes through says it has room again.
      if (this.state !== 'up' && (grows || this.state !== 'full')) this.change('up');
      return value;
    } catch (error) {
      metrics.storeError(operation);
      // Whatever a command says while the connection is down (cut, retried, refused) is that.
      const state = this.redis.status === 'ready' ? classify(error) : 'unreachable';
      if (state === 'slow') this.quietUntil = Date.now() + BACK_OFF_MS;
      this.change(state, error);
      return undefined;
    }
  }

  async close(): Promise<void> {
    this.closing = true; // closing on purpose is no state worth a warning
    await this.redis.quit().catch(() => this.redis.disconnect());
  }

  private change(next: State, error?: unknown): void {
    if (next === this.state || this.closing) return;
    const before = this.state;
    this.state = next;
    if (next === 'up') {
      if (before !== 'connecting') log.info('shared store available again: sharing resumes', { store: this.where });
      return;
    }
    const why: Record<Exclude<State, 'up' | 'connecting'>, string> = {
      unreachable: 'unreachable',
      slow: `slower than ${COMMAND_TIMEOUT_MS} ms`,
      full: 'full (out of memory)',
      failing: 'failing commands',
    };
    const message = error instanceof Error ? error.message : undefined;
    log.warn(`shared store ${why[next as keyof typeof why]}: calls go on without it (answers unchanged, more upstream requests) until it is back`, {
      store: this.where,
      ...(message ? { error: message } : {}),
    });
  }
}

function classify(error: unknown): Exclude<State, 'up' | 'connecting'> {
  // A transaction refused as a whole (EXECABORT) says why in the errors of the commands it queued.
  const queued = (error as { previousErrors?: unknown[] } | undefined)?.previousErrors;
  if (Array.isArray(queued) && queued.some((e) => /^OOM\b/.test(e instanceof Error ? e.message : String(e)))) return 'full';
  const message = error instanceof Error ? error.message : String(error);
  if (/timed out/i.test(message)) return 'slow';
  if (/^OOM\b/.test(message)) return 'full';
  if (/ECONNREFUSED|ECONNRESET|EPIPE|ENOTFOUND|EHOSTUNREACH|ETIMEDOUT|Connection is closed|Stream isn't writeable|max retries per request|connect/i.test(message)) return 'unreachable';
  return 'failing';
}
