import type { Balance, EstimateRequest, LedgerPage, PinnedFilters, ProviderId, UsageSummary } from '../core/model.js';

/** Where ledger rows come from: Synap's real ledger, or rows derived from Signal Foundry's events. */
export interface LedgerSource {
  /** Most entries one upstream request returns. */
  readonly pageSize: number;
  fetchPage(filters: PinnedFilters, offset: number, limit: number, options?: PageOptions): Promise<LedgerPage>;
}

/**
 * One call's reading of one pinned ledger window: the pages are the ones the upstream would
 * serve now, answered from the provider's cache where it holds the window (confirmed by count).
 */
export interface LedgerWindow extends LedgerSource {
  /** Hands what the call learned to the cache; the window is not read after. */
  close(): void;
}

export interface PageOptions {
  signal?: AbortSignal;
  /** Epoch ms: the upstream's rate limit may not delay the request past this. */
  deadline?: number;
}

export interface SummaryRequest {
  days: number;
  recentLimit: number;
  signal?: AbortSignal;
  onProgress?: (scanned: number, total: number) => void;
  walk?: WalkSettings;
}

/** How a ledger walk may use the upstream. */
export interface WalkSettings {
  concurrency: number;
  /** How long one call may spend walking, waits for the rate limit included. */
  budgetMs: number;
}

export interface CreditProvider {
  readonly id: ProviderId;
  /** The ledger for one call over `filters`: through the provider's cache, where it has one. */
  openLedger(filters: PinnedFilters, options?: PageOptions): Promise<LedgerWindow>;
  getBalance(signal?: AbortSignal): Promise<Balance>;
  /** Only providers with a pricing endpoint have it. */
  estimate?(request: EstimateRequest, signal?: AbortSignal): Promise<number>;
  getSummary(request: SummaryRequest): Promise<UsageSummary>;
  close(): Promise<void>;
}
