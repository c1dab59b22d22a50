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

/**
 * What a meter's credits are: `usage` makes up `used_credits`; a reservation holds credits
 * before a run and releases what it did not use, so neither is usage; `other` is a meter the
 * upstream names that credit-mcp does not know.
 */
export const METER_KINDS = ['usage', 'reservation_hold', 'reservation_release', 'other'] as const;
export type MeterKind = (typeof METER_KINDS)[number];

export interface MeterAmount extends NamedAmount {
  kind: MeterKind;
}

/** Reservation movements in a period, apart from usage: `net` is what stayed held (held - released). */
export interface ReservationTotals {
  held: number;
  released: number;
  net: number;
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
  by_meter: MeterAmount[];
  by_usage: NamedAmount[];
  /** Null where the provider has no reservations (Synap). */
  reservations: ReservationTotals | null;
  /** Non-usage ledger movements by entry type, signed as they moved the balance (Synap's credits, expirations...). */
  other_movements: NamedAmount[];
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
