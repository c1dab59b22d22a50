import * as z from 'zod';
import { METER_KINDS, type MeterAmount, type NamedAmount, type UsageSummary } from '../core/model.js';
import { formatCredits, roundCredits } from '../core/format.js';
import { defineTool, READ_ONLY } from './define-tool.js';
import { DECIDE_ON_BALANCE, providerArg, providerOut } from './fields.js';
import { shortTime } from '../core/format.js';

const input = z.strictObject({
  provider: providerArg,
  days: z.number().int().min(1).max(365).default(30).describe('Days back.'),
  recent_limit: z.number().int().min(1).max(100).default(10).describe('Recent events to list.'),
});

const output = z.object({
  provider: providerOut,
  period: z.object({ start: z.string(), end: z.string(), days: z.number() }),
  used_credits: z.number(),
  by_meter: z.array(z.object({ meter: z.string(), credits: z.number(), kind: z.enum(METER_KINDS) })),
  by_usage: z.array(z.object({ usage: z.string(), credits: z.number() })),
  reservations: z.object({ held: z.number(), released: z.number(), net: z.number() }).nullable(),
  other_movements: z.array(z.object({ entry_type: z.string(), credits: z.number() })),
  recent_events: z.array(
    z.object({
      id: z.string(),
      at: z.string(),
      meter: z.string().nullable(),
      usage: z.string().nullable(),
      credits: z.number(),
      reference_type: z.string().nullable(),
      reference_id: z.string().nullable(),
    }),
  ),
  last_recorded_at: z.string().nullable(),
  balance_snapshot: z
    .object({ available_credits: z.number(), remaining_credits: z.number().nullable(), reserved_credits: z.number().nullable() })
    .nullable(),
  derived_from_ledger: z.boolean(),
  partial: z.boolean(),
  guidance: z.string(),
});

export const getCreditSummary = defineTool({
  name: 'get_credit_summary',
  title: 'Credit usage summary',
  description: 'Credits used in `days`, by meter and usage, reservations apart; recent events. History: decide writes on check_balance.',
  input,
  output,
  annotations: READ_ONLY,
  async run(args, ctx) {
    const { provider } = ctx.registry.resolve(args.provider);
    const summary = await provider.getSummary({
      days: args.days,
      recentLimit: args.recent_limit,
      signal: ctx.signal,
      walk: ctx.walk,
      onProgress: (walked, toWalk) => ctx.progress(walked, toWalk, `read ${walked} of ${toWalk} ledger entries`),
    });
    const { partial_reason, by_meter, by_usage, other_movements, ...rest } = summary;
    const guidance = partial_reason ? `${partial_reason} ${DECIDE_ON_BALANCE}` : DECIDE_ON_BALANCE;
    const data = {
      provider: provider.id,
      ...rest,
      by_meter: by_meter.map((m) => ({ meter: m.name, credits: m.credits, kind: m.kind })),
      by_usage: by_usage.map((u) => ({ usage: u.name, credits: u.credits })),
      other_movements: other_movements.map((o) => ({ entry_type: o.name, credits: o.credits })),
      guidance,
    };
    const { period } = summary;
    const lines = [
      `${provider.id} used ${formatCredits(summary.used_credits)} credits in the last ${period.days} days (${shortTime(period.start)} to ${shortTime(period.end)})` +
        `${summary.derived_from_ledger ? ', derived from the ledger' : ''}${summary.partial ? ' (partial)' : ''}.`,
      ...usageLines(provider.id, summary),
      `By usage: ${top(by_usage)}.`,
      `Last event: ${shortTime(summary.last_recorded_at)}; ${summary.recent_events.length} recent events in the data.`,
    ];
    if (summary.balance_snapshot) {
      lines.push(`Balance snapshot at read time (not for decisions): ${formatCredits(summary.balance_snapshot.available_credits)} available.`);
    }
    lines.push(guidance);
    return { text: lines.join('\n'), data };
  },
});

/** Which meters make up used_credits, and what moved credits apart from usage, in the provider's own terms. */
function usageLines(provider: string, summary: UsageSummary): string[] {
  const used = summary.by_meter.filter((m) => m.kind === 'usage');
  const lines = [`Used, by meter${summary.derived_from_ledger ? ' (debits)' : ''}: ${top(used)}.`];
  const usedSum = roundCredits(used.reduce((total, m) => total + m.credits, 0));
  // The upstream's total is the figure reported; a mismatch with its own meters (beyond each
  // meter's rounding to cents) is shown, not hidden.
  if (used.length > 0 && Math.abs(usedSum - summary.used_credits) > 0.005 * used.length) {
    lines.push(`The usage meters sum to ${formatCredits(usedSum)}; ${provider} reports ${formatCredits(summary.used_credits)} used.`);
  }
  const others = summary.by_meter.filter((m) => m.kind === 'other');
  if (others.length > 0) lines.push(`Other meters, not counted as used: ${top(others)}.`);
  const r = summary.reservations;
  const apart = summary.other_movements.length > 0 ? ` Apart from usage, by entry type: ${top(summary.other_movements, true)}.` : '';
  lines.push(
    r
      ? `Reservations, apart from usage: held ${formatCredits(r.held)}, released ${formatCredits(r.released)} (net ${formatCredits(r.net)}).${apart}`
      : `No reservations on ${provider}.${apart}`,
  );
  return lines;
}

function top(rows: Array<NamedAmount | MeterAmount>, signed = false): string {
  if (rows.length === 0) return 'none';
  const shown = rows.slice(0, 4).map((r) => `${r.name.slice(0, 40)} ${signed && r.credits > 0 ? '+' : ''}${formatCredits(r.credits)}`);
  return shown.join(', ') + (rows.length > 4 ? `, +${rows.length - 4} more` : '');
}
