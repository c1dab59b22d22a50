import * as z from 'zod';
import type { NamedAmount } from '../core/model.js';
import { formatCredits } from '../core/format.js';
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
  by_meter: z.array(z.object({ meter: z.string(), credits: z.number() })),
  by_usage: z.array(z.object({ usage: z.string(), credits: z.number() })),
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
  description: 'What used credits in the last `days`: total, by meter, by usage, recent events. History: decide writes on check_balance.',
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
    const { partial_reason, by_meter, by_usage, ...rest } = summary;
    const guidance = partial_reason ? `${partial_reason} ${DECIDE_ON_BALANCE}` : DECIDE_ON_BALANCE;
    const data = {
      provider: provider.id,
      ...rest,
      by_meter: by_meter.map((m) => ({ meter: m.name, credits: m.credits })),
      by_usage: by_usage.map((u) => ({ usage: u.name, credits: u.credits })),
      guidance,
    };
    const { period } = summary;
    const lines = [
      `${provider.id} used ${formatCredits(summary.used_credits)} credits in the last ${period.days} days (${shortTime(period.start)} to ${shortTime(period.end)})` +
        `${summary.derived_from_ledger ? ', derived from the ledger' : ''}${summary.partial ? ' (partial)' : ''}.`,
      `By meter: ${top(by_meter)}.`,
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

function top(rows: NamedAmount[]): string {
  if (rows.length === 0) return 'none';
  const shown = rows.slice(0, 4).map((r) => `${r.name.slice(0, 40)} ${formatCredits(r.credits)}`);
  return shown.join(', ') + (rows.length > 4 ? `, +${rows.length - 4} more` : '');
}
