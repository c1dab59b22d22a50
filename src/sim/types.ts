// Wire shapes of the two upstreams and the simulator's public option types.
// Kept apart from the implementation so tests and the rest of the project can
// import them without pulling in the server.

// ---- Maximem Synap -------------------------------------------------------

export interface SynapLedgerEntry {
  ledger_id: string;
  entry_type: string;
  /** Signed, at most 2 decimals: positive adds credits, negative uses them. */
  delta: number;
  metric_type: string | null;
  category: string | null;
  /** Python isoformat: `2026-11-20T10:00:00.123456+00:00`. */
  created_at: string;
}

export interface SynapLedgerPage {
  entries: SynapLedgerEntry[];
  total: number;
  limit: number;
  offset: number;
}

export type SynapBucketSource = 'paid' | 'promo' | 'redeem';

export interface SynapBucket {
  source_type: SynapBucketSource;
  balance: number;
  expires_at: string | null;
}

export interface SynapBalance {
  client_id: string;
  balance_credits: number;
  warning_low: boolean;
  buckets: SynapBucket[];
}

export interface SynapLedgerFilter {
  entry_type?: string;
  from?: string;
  to?: string;
}

// ---- Signal Foundry ------------------------------------------------------

export interface SignalEvent {
  credit_event_id: string;
  meter_type: string;
  /** Always positive; the meter type says the direction. */
  quantity: number;
  usage_key: string | null;
  reference_type: string | null;
  reference_id: string | null;
  /** `2026-11-20T10:00:00.123Z`. */
  recorded_at: string;
}

export interface SignalGrant {
  grant_id: string;
  source: string;
  granted_credits: number;
  remaining_credits: number;
  expires_at: string | null;
}

export interface SignalBalanceBody {
  balance: {
    available_credits: number;
    remaining_credits: number;
    reserved_credits: number;
    grants: SignalGrant[];
  };
}

export interface SignalSummaryBody {
  summary: {
    totalQuantity: number;
    used_credits: number;
    remaining_credits: number;
    available_credits: number;
    reserved_credits: number;
    lastRecordedAt: string | null;
    periodStart: string;
    periodEnd: string;
    meterBreakdown: { meterType: string; quantity: number }[];
    usageBreakdown: { usageKey: string; quantity: number }[];
    recentEvents: SignalEvent[];
  };
  meta: { days: number; recent_limit: number };
}

// ---- Simulator knobs -----------------------------------------------------

/** The Synap ledger's largest page, and how it answers a `limit` above it. */
export interface SynapPageLimit {
  /** Most entries one page serves (default 100, the documented default). */
  max: number;
  /**
   * `refuse` (default): 422 in FastAPI's shape, naming `limit` and the maximum; `cap`: serves
   * `max` entries and echoes `limit: max`; `cap-unechoed`: serves `max` entries and echoes the
   * `limit` asked for, so only the page's length (against `total`) tells.
   */
  over: 'refuse' | 'cap' | 'cap-unechoed';
}

export const SYNAP_PAGE_LIMIT_MODES = ['refuse', 'cap', 'cap-unechoed'] as const;

export interface RateLimitOptions {
  limit: number;
  windowMs: number;
  /** Bucket size; defaults to `limit`. */
  burst?: number;
}

export type Fault = {
  /** Substring of the request path; default: every path. */
  match?: string;
  /** How many requests it answers; default 1. */
  times?: number;
} & (
  | {
      kind: 'status';
      status: number;
      body?: string | object;
      headers?: Record<string, string>;
      contentType?: string;
    }
  | { kind: 'reset-mid-body' }
  | { kind: 'hang' }
  | { kind: 'slow-body'; totalMs: number }
  | { kind: 'oversized'; bytes: number }
);
