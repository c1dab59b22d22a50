// The normalized credit model: what every adapter produces and every tool consumes.

export const PROVIDER_IDS = ['signal-foundry', 'synap'] as const;
export type ProviderId = (typeof PROVIDER_IDS)[number];

export interface Grant {
  id: string | null;
  source: string;
  remaining_credits: number;
  expires_at: string | null;
}

export interface Balance {
  as_of: string;
  available_credits: number;
  remaining_credits: number | null;
  reserved_credits: number | null;
  low_balance: boolean | null;
  grants: Grant[];
}

export interface LedgerEntry {
  ledger_id: string;
  entry_type: string;
  /** Signed: positive adds credits, negative uses them. */
  delta: number;
  metric_type: string | null;
  category: string | null;
  /** UTC instant, ISO 8601 with `Z`. */
  created_at: string;
}

export interface LedgerFilters {
  entry_type?: string;
  /** UTC instants (ISO 8601 with `Z`), inclusive. */
  from?: string;
  to?: string;
}

/** Filters with the snapshot pinned: `to` is always set. */
export interface PinnedFilters extends LedgerFilters {
  to: string;
}

export interface LedgerPage {
  entries: LedgerEntry[];
  /** Matching entries in the snapshot, across pages. */
  total: number;
  /** The upstream may hold matching entries it does not expose (Signal Foundry's 100-event cap). */
  truncated: boolean;
  rateLimit?: RateLimitState;
}

export interface RateLimitState {
  remaining?: number;
  /** Epoch ms when the budget refills. */
  resetAt?: number;
}

export interface NamedAmount {
  name: string;
  credits: number;
}

export interface UsageEvent {
  id: string;
  at: string;
  meter: string | null;
  usage: string | null;
  /** Signed effect on the balance: usage and reservations are negative. */
  credits: number;
  reference_type: string | null;
  reference_id: string | null;
}

export interface UsageSummary {
  period: { start: string; end: string; days: number };
  used_credits: number;
  by_meter: NamedAmount[];
  by_usage: NamedAmount[];
  recent_events: UsageEvent[];
  last_recorded_at: string | null;
  balance_snapshot: { available_credits: number; remaining_credits: number | null; reserved_credits: number | null } | null;
  derived_from_ledger: boolean;
  partial: boolean;
  partial_reason: string | null;
}

export interface EstimateRequest {
  metric_type: string;
  units: number;
  item_count?: number;
}
