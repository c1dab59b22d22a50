// Signal Foundry: a usage summary with recent events, and a balance with grants. It has no
// ledger; its recent events stand in for one, flagged partial at the upstream's 100-event cap.
import { UpstreamClient, type UpstreamProfile } from '../http/client.js';
import type { Balance, Grant, LedgerEntry, LedgerPage, PinnedFilters, UsageEvent, UsageSummary } from '../model.js';
import { ShapeReader, type Json } from './read.js';
import type { CreditProvider, LedgerSource, LedgerWindow, PageOptions, SummaryRequest } from './provider.js';
import { byLargest, matchesFilters, newestFirst } from '../ledger/filters.js';
import { uncachedWindow } from '../ledger/window.js';
import { DAY_MS } from '../time.js';

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

interface RawSummary {
  summary: Json;
}

export class SignalFoundryProvider implements CreditProvider {
  readonly id = 'signal-foundry' as const;
  readonly ledger: LedgerSource;

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
    const read = new ShapeReader(this.id, BALANCE_PATH);
    const balance = read.object(read.object(data, 'body').balance, 'balance');
    const grants = read.optionalArray(balance.grants, 'balance.grants').map((raw, i): Grant => {
      const g = read.object(raw, `balance.grants[${i}]`);
      return {
        id: read.optionalString(g, ['grant_id', 'grantId', 'id']),
        source: read.optionalString(g, ['source', 'type']) ?? 'unknown',
        remaining_credits: read.number(g, ['remaining_credits', 'remainingCredits'], `balance.grants[${i}]`),
        expires_at: read.optionalTime(g, ['expires_at', 'expiresAt'], `balance.grants[${i}]`),
      };
    });
    return {
      as_of: asOf,
      available_credits: read.number(balance, ['available_credits', 'availableCredits'], 'balance'),
      remaining_credits: read.optionalNumber(balance, ['remaining_credits', 'remainingCredits'], 'balance'),
      reserved_credits: read.optionalNumber(balance, ['reserved_credits', 'reservedCredits'], 'balance'),
      low_balance: null,
      grants,
    };
  }

  async getSummary({ days, recentLimit, signal }: SummaryRequest): Promise<UsageSummary> {
    const { summary: s } = await this.fetchSummary(days, recentLimit, signal);
    const read = new ShapeReader(this.id, SUMMARY_PATH);
    const end = read.optionalTime(s, ['periodEnd', 'period_end'], 'summary') ?? new Date(this.now()).toISOString();
    const start = read.optionalTime(s, ['periodStart', 'period_start'], 'summary') ?? new Date(Date.parse(end) - days * DAY_MS).toISOString();
    const breakdown = (key: string[], nameKeys: string[]) =>
      read.optionalArray(s[key[0]!] ?? s[key[1]!], `summary.${key[0]}`).map((raw, i) => {
        const row = read.object(raw, `summary.${key[0]}[${i}]`);
        return { name: read.optionalString(row, nameKeys) ?? 'unknown', credits: read.number(row, ['quantity'], `summary.${key[0]}[${i}]`) };
      });
    const events = read.optionalArray(s.recentEvents ?? s.recent_events, 'summary.recentEvents').map((raw, i) => toUsageEvent(read, raw, i));
    return {
      period: { start, end, days },
      used_credits: read.optionalNumber(s, ['used_credits', 'usedCredits'], 'summary') ?? read.number(s, ['totalQuantity', 'total_quantity'], 'summary'),
      by_meter: byLargest(breakdown(['meterBreakdown', 'meter_breakdown'], ['meterType', 'meter_type'])),
      by_usage: byLargest(breakdown(['usageBreakdown', 'usage_breakdown'], ['usageKey', 'usage_key'])),
      recent_events: events.slice(0, recentLimit),
      last_recorded_at: read.optionalTime(s, ['lastRecordedAt', 'last_recorded_at'], 'summary'),
      balance_snapshot: {
        available_credits: read.number(s, ['available_credits', 'availableCredits'], 'summary'),
        remaining_credits: read.optionalNumber(s, ['remaining_credits', 'remainingCredits'], 'summary'),
        reserved_credits: read.optionalNumber(s, ['reserved_credits', 'reservedCredits'], 'summary'),
      },
      derived_from_ledger: false,
      partial: false,
      partial_reason: null,
    };
  }

  async close(): Promise<void> {
    await this.client.close();
  }

  private async fetchSummary(days: number, limit: number, signal?: AbortSignal, deadline?: number): Promise<RawSummary> {
    const { data } = await this.client.get(SUMMARY_PATH, { query: { days, limit }, signal, deadline });
    const read = new ShapeReader(this.id, SUMMARY_PATH);
    return { summary: read.object(read.object(data, 'body').summary, 'summary') };
  }

  /** The upstream's recent events as ledger rows, filtered and paged here. */
  private async fetchLedgerPage(filters: PinnedFilters, offset: number, limit: number, { signal, deadline }: PageOptions = {}): Promise<LedgerPage> {
    const days = daysBack(filters.from, this.now());
    const { summary } = await this.fetchSummary(days, SIGNAL_FOUNDRY_EVENT_CAP, signal, deadline);
    const read = new ShapeReader(this.id, SUMMARY_PATH);
    const raw = read.optionalArray(summary.recentEvents ?? summary.recent_events, 'summary.recentEvents');
    const rows = raw.map((r, i) => toLedgerEntry(toUsageEvent(read, r, i))).filter((e) => matchesFilters(e, filters));
    rows.sort(newestFirst);
    return {
      entries: rows.slice(offset, offset + limit),
      total: rows.length,
      // Older matching events may exist that the upstream does not show: past a full window of
      // events, or before the days asked for when `from` is absent or beyond 365 days.
      truncated: raw.length >= SIGNAL_FOUNDRY_EVENT_CAP || !coversFrom(filters.from, days, this.now()),
    };
  }
}

function toUsageEvent(read: ShapeReader, raw: unknown, i: number): UsageEvent {
  const where = `summary.recentEvents[${i}]`;
  const e = read.object(raw, where);
  const meter = read.optionalString(e, ['meter_type', 'meterType']);
  const quantity = Math.abs(read.number(e, ['quantity'], where));
  return {
    id: read.string(e, ['credit_event_id', 'creditEventId', 'id'], where),
    at: read.time(e, ['recorded_at', 'recordedAt'], where),
    meter,
    usage: read.optionalString(e, ['usage_key', 'usageKey']),
    credits: meter === 'reservation.release' ? quantity : -quantity,
    reference_type: read.optionalString(e, ['reference_type', 'referenceType']),
    reference_id: read.optionalString(e, ['reference_id', 'referenceId'], 120),
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
