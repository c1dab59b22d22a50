// A usage summary derived from a ledger, for providers that have a ledger but no summary.
import { roundCredits } from '../core/format.js';
import type { MeterAmount, NamedAmount, PinnedFilters, UsageEvent, UsageSummary } from '../core/model.js';
import type { LedgerWindow, PageOptions, SummaryRequest } from '../providers/provider.js';
import { DAY_MS } from '../core/time.js';
import { byLargest } from './filters.js';
import { walkLedger } from './walk.js';

/** Rows a summary reads at most; a busier window is summarized from its newest rows, flagged partial. */
export const SUMMARY_SCAN_LIMIT = 20_000;
const NONE = '(none)';

export type LedgerOpener = (filters: PinnedFilters, options: PageOptions) => Promise<LedgerWindow>;

export async function summarizeLedger(open: LedgerOpener, request: SummaryRequest, now: number, scanLimit = SUMMARY_SCAN_LIMIT): Promise<UsageSummary> {
  const end = new Date(now).toISOString();
  const start = new Date(now - request.days * DAY_MS).toISOString();
  let used = 0;
  const meters = new Map<string, number>();
  const usages = new Map<string, number>();
  const others = new Map<string, number>();
  const recent: UsageEvent[] = [];
  let lastRecordedAt: string | null = null;

  const filters: PinnedFilters = { from: start, to: end };
  const deadline = request.walk ? now + request.walk.budgetMs : undefined;
  const window = await open(filters, { signal: request.signal, deadline });
  const outcome = await walkLedger(
    window,
    {
      filters,
      startOffset: 0,
      maxRows: scanLimit,
      concurrency: request.walk?.concurrency,
      deadline,
      signal: request.signal,
      onProgress: request.onProgress,
    },
    (entry, position) => {
      if (position === 0) lastRecordedAt = entry.created_at;
      if (position < request.recentLimit) {
        recent.push({ id: entry.ledger_id, at: entry.created_at, meter: entry.metric_type, usage: entry.category, credits: entry.delta, reference_type: null, reference_id: null });
      }
      // Usage is what debits spent; expirations and top-ups move the balance but are not usage.
      if (entry.entry_type !== 'debit') {
        add(others, entry.entry_type, entry.delta);
        return;
      }
      const size = Math.abs(entry.delta);
      used += size;
      add(meters, entry.metric_type ?? NONE, size);
      add(usages, entry.category ?? NONE, size);
    },
  ).finally(() => window.close());
  const total = outcome.totalMatching ?? outcome.walked;
  const partial = outcome.stopped !== undefined || outcome.walked < total || outcome.truncated || outcome.moved;
  const why = outcome.stopped?.reason === 'rate_limit' ? ' (the upstream rate limit paused the walk)' : outcome.stopped ? ' (the walk used its time budget)' : '';
  return {
    period: { start, end, days: request.days },
    used_credits: roundCredits(used),
    // Every meter here is a debit's: all of them make up used_credits.
    by_meter: named(meters).map((m): MeterAmount => ({ ...m, kind: 'usage' })),
    by_usage: named(usages),
    reservations: null,
    other_movements: named(others),
    recent_events: recent,
    last_recorded_at: lastRecordedAt,
    balance_snapshot: null,
    derived_from_ledger: true,
    partial,
    partial_reason: partial
      ? `The window holds ${outcome.totalMatching ?? 'an unknown number of'} ledger entries; the summary covers the newest ${outcome.walked}${why}. Ask again later or for fewer days for exact figures.`
      : null,
  };
}

function add(map: Map<string, number>, key: string, value: number): void {
  map.set(key, (map.get(key) ?? 0) + value);
}

function named(map: Map<string, number>): NamedAmount[] {
  return byLargest([...map].map(([name, credits]) => ({ name, credits: roundCredits(credits) })));
}
