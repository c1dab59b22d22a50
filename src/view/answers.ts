// The three structured answers, as far as the view reads them (the tools' output schemas hold
// the rest), and which one a result carries: told apart by keys only the one of them has. The
// pieces they share with the credit model are the model's own types.
import type { Balance, LedgerEntry, MeterKind, ReservationTotals, UsageEvent } from '../core/model.js';

export { PROVIDER_IDS as PROVIDERS, type ProviderId } from '../core/model.js';

export interface BalanceAnswer extends Balance {
  provider: string;
  next_expiry: { expires_at: string; remaining_credits: number } | null;
  required_credits: number | null;
  decision: 'sufficient' | 'insufficient' | 'not_requested';
  shortfall_credits: number | null;
  guidance: string;
}

export interface SummaryAnswer {
  provider: string;
  period: { start: string; end: string; days: number };
  used_credits: number;
  by_meter: Array<{ meter: string; credits: number; kind: MeterKind }>;
  by_usage: Array<{ usage: string; credits: number }>;
  reservations: ReservationTotals | null;
  other_movements: Array<{ entry_type: string; credits: number }>;
  recent_events: UsageEvent[];
  last_recorded_at: string | null;
  balance_snapshot: { available_credits: number; remaining_credits: number | null; reserved_credits: number | null } | null;
  derived_from_ledger: boolean;
  partial: boolean;
  guidance: string;
}

interface Group {
  count: number;
  net: number;
}

export interface LedgerAnswer {
  provider: string;
  filters: { entry_type: string | null; from: string | null; to: string };
  entries: LedgerEntry[];
  totals: { count: number; credits_added: number; credits_used: number; net: number };
  by_category: Array<Group & { category: string | null }>;
  by_metric: Array<Group & { metric_type: string | null }>;
  total_matching: number | null;
  scanned: number;
  complete: boolean;
  next_cursor: string | null;
  partial_reason: string | null;
  guidance: string;
}

export type Answer =
  | { kind: 'balance'; tool: 'check_balance'; data: BalanceAnswer }
  | { kind: 'summary'; tool: 'get_credit_summary'; data: SummaryAnswer }
  | { kind: 'ledger'; tool: 'get_credit_ledger'; data: LedgerAnswer };

export function readAnswer(structured: unknown): Answer | null {
  if (!structured || typeof structured !== 'object') return null;
  const data = structured as Record<string, unknown>;
  if ('decision' in data) return { kind: 'balance', tool: 'check_balance', data: data as unknown as BalanceAnswer };
  if ('period' in data) return { kind: 'summary', tool: 'get_credit_summary', data: data as unknown as SummaryAnswer };
  if ('totals' in data) return { kind: 'ledger', tool: 'get_credit_ledger', data: data as unknown as LedgerAnswer };
  return null;
}
