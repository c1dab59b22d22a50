import * as z from 'zod';
import { InputError } from '../core/errors.js';
import { readLedger, type LedgerResult } from '../ledger/read-ledger.js';
import type { LedgerEntry } from '../core/model.js';
import { formatCredits } from '../core/format.js';
import { compareInstants, toUtcInstant } from '../core/time.js';
import { defineTool, READ_ONLY } from './define-tool.js';
import { DECIDE_ON_BALANCE, identifier, providerArg, providerOut } from './fields.js';
import { shortTime } from '../core/format.js';

const instant = z.iso.datetime({ offset: true });

const input = z.strictObject({
  provider: providerArg,
  entry_type: identifier.optional().describe('e.g. "debit" or "credit".'),
  from: instant.optional().describe('Earliest created_at, inclusive.'),
  to: instant.optional().describe('Latest created_at, inclusive; default now.'),
  limit: z.number().int().min(1).max(100).default(20).describe('Rows to return.'),
  scan_limit: z.number().int().min(1).max(100_000).default(2000).describe('Entries to walk for the totals.'),
  // Empty is refused, not read as "no cursor": a lost next_cursor must not restart the walk unnoticed.
  cursor: z.string().min(1).optional().describe('next_cursor of a previous answer.'),
});

const group = { count: z.number(), net: z.number() };
const output = z.object({
  provider: providerOut,
  filters: z.object({ entry_type: z.string().nullable(), from: z.string().nullable(), to: z.string() }),
  entries: z.array(
    z.object({
      ledger_id: z.string(),
      entry_type: z.string(),
      delta: z.number(),
      metric_type: z.string().nullable(),
      category: z.string().nullable(),
      created_at: z.string(),
    }),
  ),
  totals: z.object({ count: z.number(), credits_added: z.number(), credits_used: z.number(), net: z.number() }),
  by_category: z.array(z.object({ category: z.string().nullable(), ...group })),
  by_metric: z.array(z.object({ metric_type: z.string().nullable(), ...group })),
  total_matching: z.number().nullable(),
  scanned: z.number(),
  complete: z.boolean(),
  next_cursor: z.string().nullable(),
  partial_reason: z.string().nullable(),
  guidance: z.string(),
});

export const getCreditLedger = defineTool({
  name: 'get_credit_ledger',
  title: 'Credit ledger',
  description: 'Rows newest first, exact totals over all scanned; next_cursor pages one pinned snapshot. History: decide writes on check_balance.',
  input,
  output,
  annotations: READ_ONLY,
  async run(args, ctx) {
    const from = utc(args.from);
    const to = utc(args.to);
    if (from && to && compareInstants(from, to) > 0) {
      throw new InputError('from', `from (${args.from}) must not be after to (${args.to}).`);
    }
    const { provider, cursorSecret } = ctx.registry.resolve(args.provider);
    const result = await readLedger(
      provider,
      { ...args, from, to },
      {
        cursorSecret,
        now: ctx.now(),
        walk: ctx.walk,
        signal: ctx.signal,
        onProgress: (walked, toWalk) => ctx.progress(walked, toWalk, `scanned ${walked} of ${toWalk} ledger entries`),
      },
    );
    const { partial_reason, note } = explain(provider.id, result);
    const guidance = [note, result.next_cursor ? 'More rows: call again with cursor set to next_cursor.' : null, DECIDE_ON_BALANCE].filter(Boolean).join(' ');
    const data = {
      provider: provider.id,
      filters: { entry_type: result.filters.entry_type ?? null, from: result.filters.from ?? null, to: result.filters.to },
      entries: result.entries,
      totals: result.totals,
      by_category: result.by_category,
      by_metric: result.by_metric,
      total_matching: result.total_matching,
      scanned: result.scanned,
      complete: result.complete,
      next_cursor: result.next_cursor,
      partial_reason,
      guidance,
    };
    const t = result.totals;
    const first = result.row_offset + 1;
    const lines = [
      `${provider.id} ledger${result.filters.entry_type ? ` (${result.filters.entry_type})` : ''}, ${result.filters.from ? `${shortTime(result.filters.from)} to` : 'up to'} ${shortTime(result.filters.to)}: ` +
        `${result.total_matching ?? `${result.scanned}+`} matching, ${result.complete ? 'all' : result.scanned} scanned.`,
      `Totals: added ${formatCredits(t.credits_added)}, used ${formatCredits(t.credits_used)}, net ${formatCredits(t.net)} over ${t.count} entries.${holdsNote(result)}`,
      `Top categories: ${result.by_category.slice(0, 3).map((c) => `${(c.category ?? '(none)').slice(0, 40)} ${formatCredits(c.net)}`).join(', ') || 'none'}.`,
      result.entries.length ? `Rows ${first}-${first + result.entries.length - 1}, newest first:` : 'No rows at this position.',
      ...result.entries.slice(0, 5).map(row),
    ];
    if (result.entries.length > 5) lines.push(`(+${result.entries.length - 5} more rows in entries)`);
    if (partial_reason) lines.push(partial_reason);
    lines.push(guidance);
    return { text: lines.join('\n'), data };
  },
});

/**
 * Why the totals are partial (null exactly when they are complete), and anything else the
 * agent should know about this page, which goes into the guidance instead.
 */
function explain(provider: string, r: LedgerResult): { partial_reason: string | null; note: string | null } {
  const moved = r.moved ? 'The upstream count changed during the walk (entries back-dated into the window, or counted but not returned); call again for totals over a settled snapshot.' : null;
  const join = (...parts: Array<string | null>) => parts.filter(Boolean).join(' ') || null;
  if (r.truncated) {
    return {
      partial_reason: join(
        `${provider} exposes only its latest 100 events of the last 365 days (30 without from), so older matching rows may exist; totals cover the ${r.scanned} it shows.`,
        moved,
      ),
      note: null,
    };
  }
  if (r.complete) {
    const cut = r.stopped
      ? `The ${r.stopped.reason === 'rate_limit' ? 'upstream rate limit' : 'time budget'} cut this page of rows short; call again with next_cursor${r.stopped.reason === 'rate_limit' ? ` after ${shortTime(new Date(r.stopped.resumeAt).toISOString())}` : ''} for the rest.`
      : null;
    return { partial_reason: null, note: join(cut, moved) };
  }
  const covered = `totals cover the newest ${r.scanned} of ${r.total_matching ?? 'an unknown number of'} matching entries`;
  const why =
    r.stopped?.reason === 'rate_limit'
      ? `The upstream rate limit paused the scan: ${covered}; call again with next_cursor after ${shortTime(new Date(r.stopped.resumeAt).toISOString())} to resume it.`
      : r.stopped?.reason === 'time_budget'
        ? `The scan used its time budget: ${covered}; call again with next_cursor to resume it.`
        : `scan_limit ${r.scan_limit} reached: ${covered}; raise scan_limit or narrow from/to for exact totals.`;
  return { partial_reason: join(why, moved), note: null };
}

/**
 * `credits_used` sums every negative delta, so on a ledger with reservations it counts holds
 * too (Signal Foundry's `reserve` rows); said where it does, so it is not read as usage.
 */
function holdsNote(r: LedgerResult): string {
  const holds = r.filters.entry_type === undefined ? r.by_metric.find((m) => m.metric_type === 'reservation.reserve') : undefined;
  if (!holds) return '';
  return ` "used" includes ${holds.count} reservation holds (${formatCredits(holds.net)}); entry_type "debit" reads usage only.`;
}

function row(e: LedgerEntry): string {
  const what = [e.metric_type, e.category].filter(Boolean).join('/').slice(0, 60);
  return `- ${shortTime(e.created_at)} ${e.entry_type} ${e.delta > 0 ? '+' : ''}${formatCredits(e.delta)}${what ? ` ${what}` : ''}`;
}

function utc(value: string | undefined): string | undefined {
  return value === undefined ? undefined : (toUtcInstant(value) ?? undefined);
}
