// Keys from the request, or a signed-in tenant's from the tenants file: each upstream key opens
// its own provider (connection pool, rate-limit pacing, cursor secret), kept for that key's next
// request and never used for another key. At most `capacity` are kept: taking one more closes the least recently used
// (once no request is using it), so a stream of distinct keys cannot grow memory without bound.
import type { IncomingHttpHeaders } from 'node:http';
import { PROVIDER_ENV, type LedgerSettings } from '../config.js';
import { CacheBudget } from '../ledger/cache.js';
import { MIN_SECRET_LENGTH } from '../logger.js';
import type { Fleet } from '../store/fleet.js';
import { PROVIDER_IDS, type ProviderId } from '../core/model.js';
import { openProvider, ProviderRegistry, type EnableHint, type OpenedProvider, type ResolvedProvider } from '../providers/registry.js';

/** Keys kept open at once, both providers together. */
export const MAX_HELD_KEYS = 256;
/** What an HTTP header can carry as a key: no spaces or control characters, not a novel, and long enough for the logger to redact. */
const KEY = new RegExp(`^[\\x21-\\x7e]{${MIN_SECRET_LENGTH},512}$`);

export interface TenantPoolOptions {
  baseUrls: Record<ProviderId, URL>;
  timeoutMs: number;
  ledger: LedgerSettings;
  defaultProvider?: ProviderId;
  capacity?: number;
  /** The fleet's shared store, when there is one: each key's part of it. */
  fleet?: Fleet;
}

/** A request's providers, held open until release(). */
export interface Lease {
  registry: ProviderRegistry;
  release(): void;
}

/** A key header that is present but could not be a key; answered 400, nothing opened. */
export class KeyHeaderError extends Error {
  override name = 'KeyHeaderError';
}

const FROM_REQUEST: EnableHint = {
  one: (id) => `send its key in the ${PROVIDER_ENV[id].keyHeader} header`,
  none: () => `send a key in ${PROVIDER_IDS.map((id) => PROVIDER_ENV[id].keyHeader).join(' or ')} with each request`,
};

interface Held {
  opened: OpenedProvider;
  users: number;
  evicted: boolean;
}

export class TenantPool {
  /** In use order: the least recently used first. */
  private readonly held = new Map<string, Held>();
  private readonly opened = new Set<Held>();
  /** Closes begun when evicted keys fell out of use, until each ends. */
  private readonly closing = new Set<Promise<void>>();
  private readonly capacity: number;
  /** Every key's ledger cache together stays within CREDIT_MCP_CACHE_ENTRIES, not 256 times it. */
  readonly cacheBudget: CacheBudget;

  constructor(private readonly options: TenantPoolOptions) {
    this.capacity = options.capacity ?? MAX_HELD_KEYS;
    this.cacheBudget = new CacheBudget(options.ledger.cacheEntries);
  }

  /** Keys held now (in use or kept for reuse). */
  get size(): number {
    return this.held.size;
  }

  /** The providers whose key headers these are; throws KeyHeaderError before opening anything. */
  lease(headers: IncomingHttpHeaders): Lease {
    const keys: Array<[ProviderId, string]> = [];
    for (const id of PROVIDER_IDS) {
      const raw = headers[PROVIDER_ENV[id].keyHeader.toLowerCase()];
      if (raw === undefined) continue;
      const key = Array.isArray(raw) ? undefined : raw.trim();
      if (!key || !KEY.test(key)) {
        throw new KeyHeaderError(`${PROVIDER_ENV[id].keyHeader} must be sent once, ${MIN_SECRET_LENGTH} to 512 printable ASCII characters without spaces (its value is not shown).`);
      }
      keys.push([id, key]);
    }
    return this.leaseKeys(keys, FROM_REQUEST);
  }

  /**
   * The providers of these keys (a signed-in tenant's, from the tenants file), opened or
   * reused like a request's; `enable` words the "not configured" answer for the others.
   */
  leaseKeys(keys: ReadonlyArray<readonly [ProviderId, string]>, enable: EnableHint): Lease {
    const taken = keys.map(([id, key]) => [id, this.take(id, key)] as const);
    const lent: Partial<Record<ProviderId, ResolvedProvider>> = {};
    for (const [id, held] of taken) lent[id] = held.opened;
    let released = false;
    return {
      registry: new ProviderRegistry({ lent, enable, ...(this.options.defaultProvider ? { defaultProvider: this.options.defaultProvider } : {}) }),
      release: () => {
        if (released) return;
        released = true;
        for (const [, held] of taken) this.giveBack(held);
      },
    };
  }

  /** Open providers: kept ones, and evicted ones a request still uses. */
  get open(): number {
    return this.opened.size;
  }

  async closeAll(): Promise<void> {
    const all = [...this.opened];
    this.held.clear();
    this.opened.clear();
    await Promise.all([...all.map((h) => h.opened.close()), this.whenClosed()]);
  }

  /** Resolves once every provider the pool has begun to close (evicted keys' included) is closed. */
  async whenClosed(): Promise<void> {
    await Promise.all(this.closing);
  }

  private take(id: ProviderId, key: string): Held {
    const name = `${id}\0${key}`;
    let held = this.held.get(name);
    if (held) {
      this.held.delete(name); // re-inserted below: now the most recently used
    } else {
      const settings = { timeoutMs: this.options.timeoutMs, ledger: this.options.ledger, cacheBudget: this.cacheBudget, ...(this.options.fleet ? { fleet: this.options.fleet } : {}) };
      held = { opened: openProvider({ id, apiKey: key, baseUrl: this.options.baseUrls[id] }, settings), users: 0, evicted: false };
    }
    held.users++;
    this.held.set(name, held);
    this.opened.add(held);
    // Idle keys go first, least recently used first; keys in use only when every kept key is.
    for (const idleOnly of [true, false]) {
      for (const [oldest, h] of this.held) {
        if (this.held.size <= this.capacity) return held;
        if (idleOnly && h.users > 0) continue;
        this.held.delete(oldest);
        h.evicted = true;
        if (h.users === 0) this.close(h);
      }
    }
    return held;
  }

  private giveBack(held: Held): void {
    held.users--;
    if (held.evicted && held.users === 0) this.close(held);
  }

  private close(held: Held): void {
    this.opened.delete(held);
    // No request waits for this: a provider that fails to close must not become an unhandled rejection.
    const closed: Promise<void> = held.opened
      .close()
      .catch(() => undefined)
      .finally(() => this.closing.delete(closed));
    this.closing.add(closed);
  }
}
