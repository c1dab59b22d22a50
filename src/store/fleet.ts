// What the rest of the server asks of a shared store (credit-mcp http with CREDIT_MCP_REDIS_URL).
// Types only: the code that reads them never loads the store's chunk (ioredis) unless a store
// is configured, and without one every hook below is simply absent.
import type { HeldRange, LedgerCache } from '../ledger/cache.js';
import type { PinnedFilters, ProviderId, RateLimitState } from '../core/model.js';
import type { PageOptions } from '../providers/provider.js';

/** The store every instance with the same URL shares. */
export interface Fleet {
  /** What one upstream key shares: its names and values derive from the key, never hold it. */
  tenant(provider: ProviderId, apiKey: string): FleetTenant;
  close(): Promise<void>;
}

export interface FleetTenant {
  pacing: FleetPacing;
  ledger: SharedLedger;
  /** Stops its heartbeats; what it wrote stays for the other instances until it expires. */
  close(): void;
}

/** The key's rate-limit state and its budget of requests in flight, across every instance. */
export interface FleetPacing {
  /**
   * Waits for a pause another instance saw (a 429's Retry-After, a Remaining of 0) and for a
   * slot among the key's requests in flight. Throws RateBudgetError when that would pass
   * `deadline`. A store that fails lets the request go (paced by this instance alone).
   */
  acquire(signal: AbortSignal | undefined, deadline: number): Promise<FleetTurn>;
}

export interface FleetTurn {
  /** The request is over: its slot goes back, and what its answer said about the rate limit is shared. */
  done(answer: { status?: number; rateLimit?: RateLimitState; retryAfterSeconds?: number }): void;
}

/** The ledger cache's held ranges, the learned page size and single flight, shared by the fleet. */
export interface SharedLedger {
  /**
   * Before a window looks in its cache: brings in the range another instance holds for it (and
   * the page size the fleet learned). When nothing covers the window's start, one call in the
   * fleet walks it and the others wait for it (bounded by their deadline), then look again.
   */
  before(cache: LedgerCache, filters: PinnedFilters, options: PageOptions): Promise<WalkClaim>;
  /** The window closed: the ranges it left in the cache are shared, then its claim ends. */
  after(claim: WalkClaim, stored: readonly HeldRange[]): void;
  /** A held range failed its count confirmation: the fleet's copies of it go too. */
  forget(range: HeldRange): void;
  /** This instance learned a smaller page size: the others take it too. */
  pageSizeLearned(size: number): void;
  /** Called with a page size the fleet learned, when it is read. */
  onPageSize(adopt: (size: number) => void): void;
}

/** A call's turn to walk a range (or none, when it needs no walk or the store is away). */
export interface WalkClaim {
  end(): void;
}

export const NO_CLAIM: WalkClaim = { end: () => undefined };
