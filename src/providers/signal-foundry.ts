// Signal Foundry: a usage summary with recent events, and a balance with grants. It has no
// ledger; its recent events stand in for one, flagged partial at the upstream's 100-event cap.
import { UpstreamClient, type UpstreamProfile } from '../http/client.js';
import type * as z from 'zod';
import type { Balance, LedgerEntry, LedgerPage, MeterAmount, MeterKind, PinnedFilters, ReservationTotals, UsageEvent, UsageSummary } from '../core/model.js';
import { roundCredits } from '../core/format.js';
import type { CreditProvider, LedgerSource, LedgerWindow, PageOptions, SummaryRequest } from './provider.js';
import { SignalFoundryBalance, SignalFoundrySummary } from './signal-foundry-wire.js';
import { readWire } from './wire.js';
import { byLargest, matchesFilters, newestFirst } from '../ledger/filters.js';
import { uncachedWindow } from '../ledger/window.js';
import { DAY_MS } from '../core/time.js';

const SUMMARY_PATH = '/api/signal-foundry/credits';
const BALANCE_PATH = '/api/signal-foundry/credits/balance';
/** The most recent events the upstream exposes at all. */
export const SIGNAL_FOUNDRY_EVENT_CAP = 100;

const NEXT_STEPS: Record<string, string> = {
  invalid_query: 'Use days 1..365 and limit 1..100.',
  api_key_conflict: 'Send exactly one auth header (this is a credit-mcp bug if you see it: please report it).',
  invalid_api_key: 'Issue a new API key in Signal Foundry and set SIGNAL_FOUNDRY_API_KEY.',
  api_key_expired: 'Replace SIGNAL_FOUNDRY_API_KEY with an active key.',
  api_key_revoked: 'Replace SIGNAL_FOUNDRY_API_KEY with an active key.',
  rate_limit_exceeded: 'Wait for the Retry-After period, then retry.',
};

export function signalFoundryProfile(base: Omit<UpstreamProfile, 'provider' | 'sendCorrelationId' | 'nextStep'>): UpstreamProfile {
  return { ...base, provider: 'signal-foundry', sendCorrelationId: false, nextStep: (code) => (code ? NEXT_STEPS[code] : undefined) };
}

type WireSummary = z.output<typeof SignalFoundrySummary>['summary'];
type WireEvent = WireSummary['recent_events'][number];

export class SignalFoundryProvider implements CreditProvider {
  readonly id = 'signal-foundry' as const;
  /** The upstream's pages, uncached. */
  private readonly ledger: LedgerSource;

  constructor(private readonly client: UpstreamClient, private readonly now: () => number = Date.now) {
    this.ledger = { pageSize: SIGNAL_FOUNDRY_EVENT_CAP, fetchPage: (f, o, l, s) => this.fetchLedgerPage(f, o, l, s) };
  }

  /** One summary request holds every event there is: nothing to cache. */
  openLedger(): Promise<LedgerWindow> {
    return Promise.resolve(uncachedWindow(this.ledger));
  }

  async getBalance(signal?: AbortSignal): Promise<Balance> {
    const asOf = new Date(this.now()).toISOString();
    const { data } = await this.client.get(BALANCE_PATH, { signal });
    const { balance } = readWire(SignalFoundryBalance, data, this.id, BALANCE_PATH);
    return {
      as_of: asOf,
      available_credits: balance.available_credits,
      remaining_credits: balance.remaining_credits,
      reserved_credits: balance.reserved_credits,
      low_balance: null,
      grants: balance.grants.map((g) => ({ id: g.grant_id, source: g.source ?? 'unknown', remaining_credits: g.remaining_credits, expires_at: g.expires_at })),
    };
  }

  async getSummary({ days, recentLimit, signal }: SummaryRequest): Promise<UsageSummary> {
    const s = await this.fetchSummary(days, recentLimit, signal);
    const end = s.period_end ?? new Date(this.now()).toISOString();
    const start = s.period_start ?? new Date(Date.parse(end) - days * DAY_MS).toISOString();
    const byMeter = byLargest(s.meter_breakdown.map((m): MeterAmount => ({ name: m.meter_type ?? 'unknown', credits: m.quantity, kind: meterKindOf(m.meter_type) })));
    return {
      period: { start, end, days },
      used_credits: s.used_credits,
      by_meter: byMeter,
      by_usage: byLargest(s.usage_breakdown.map((u) => ({ name: u.usage_key ?? 'unknown', credits: u.quantity }))),
      reservations: reservationTotals(byMeter),
      other_movements: [],
      recent_events: s.recent_events.slice(0, recentLimit).map(toUsageEvent),
      last_recorded_at: s.last_recorded_at,
      balance_snapshot: { available_credits: s.available_credits, remaining_credits: s.remaining_credits, reserved_credits: s.reserved_credits },
      derived_from_ledger: false,
      partial: false,
      partial_reason: null,
    };
  }

  async close(): Promise<void> {
    await this.client.close();
  }

  private async fetchSummary(days: number, limit: number, signal?: AbortSignal, deadline?: number): Promise<WireSummary> {
    const { data } = await this.client.get(SUMMARY_PATH, { query: { days, limit }, signal, deadline });
    return readWire(SignalFoundrySummary, data, this.id, SUMMARY_PATH).summary;
  }

  /** The upstream's recent events as ledger rows, filtered and paged here. */
  private async fetchLedgerPage(filters: PinnedFilters, offset: number, limit: number, { signal, deadline }: PageOptions = {}): Promise<LedgerPage> {
    const days = daysBack(filters.from, this.now());
    const events = (await this.fetchSummary(days, SIGNAL_FOUNDRY_EVENT_CAP, signal, deadline)).recent_events;
    const rows = events.map((e) => toLedgerEntry(toUsageEvent(e))).filter((e) => matchesFilters(e, filters));
    rows.sort(newestFirst);
    return {
      entries: rows.slice(offset, offset + limit),
      total: rows.length,
      // Older matching events may exist that the upstream does not show: past a full window of
      // events, or before the days asked for when `from` is absent or beyond 365 days.
      truncated: events.length >= SIGNAL_FOUNDRY_EVENT_CAP || !coversFrom(filters.from, days, this.now()),
    };
  }
}

function toUsageEvent(e: WireEvent): UsageEvent {
  const quantity = Math.abs(e.quantity);
  return {
    id: e.credit_event_id,
    at: e.recorded_at,
    meter: e.meter_type,
    usage: e.usage_key,
    credits: e.meter_type === 'reservation.release' ? quantity : -quantity,
    reference_type: e.reference_type,
    reference_id: e.reference_id,
  };
}

function toLedgerEntry(event: UsageEvent): LedgerEntry {
  return {
    ledger_id: event.id,
    entry_type: entryTypeOf(event.meter),
    delta: event.credits,
    metric_type: event.meter,
    category: event.usage,
    created_at: event.at,
  };
}

/**
 * What a Signal Foundry meter counts as. Its `totalQuantity` (used_credits) is consumption: the
 * `usage.*` meters. A reservation holds credits before a run and releases what the run left.
 */
export function meterKindOf(meter: string | null): MeterKind {
  if (meter === 'reservation.reserve') return 'reservation_hold';
  if (meter === 'reservation.release') return 'reservation_release';
  return meter?.startsWith('usage.') ? 'usage' : 'other';
}

function reservationTotals(meters: MeterAmount[]): ReservationTotals {
  const sum = (kind: MeterKind) => roundCredits(meters.filter((m) => m.kind === kind).reduce((total, m) => total + m.credits, 0));
  const held = sum('reservation_hold');
  const released = sum('reservation_release');
  return { held, released, net: roundCredits(held - released) };
}

/** Ledger vocabulary for Signal Foundry meters, so `entry_type: "debit"` means the same on both providers. */
export function entryTypeOf(meter: string | null): string {
  if (meter === 'reservation.reserve') return 'reserve';
  if (meter === 'reservation.release') return 'release';
  return 'debit';
}

/** Whole days back from now to `from`, rounded up, within the upstream's 1..365. */
/** Whether `days` back from now reaches `from` (no `from` means all history: it never does). */
function coversFrom(from: string | undefined, days: number, now: number): boolean {
  return from !== undefined && now - days * DAY_MS <= Date.parse(from);
}

export function daysBack(from: string | undefined, now: number): number {
  if (!from) return 30;
  return Math.min(365, Math.max(1, Math.ceil((now - Date.parse(from)) / DAY_MS)));
}
