import * as z from 'zod';
import { decide, nextExpiry } from '../core/decision.js';
import { InputError } from '../core/errors.js';
import { linkSignals } from '../http/abort.js';
import { formatCredits } from '../core/format.js';
import { defineTool, READ_ONLY } from './define-tool.js';
import { identifier, providerArg, providerOut } from './fields.js';
import { shortTime } from '../core/format.js';

const input = z.strictObject({
  provider: providerArg,
  required_credits: z.number().positive().optional().describe('Credits the planned write needs: adds a decision.'),
  estimate: z
    .strictObject({
      metric_type: identifier,
      units: z.number().positive(),
      item_count: z.number().int().positive().optional(),
    })
    .optional()
    .describe('Synap only: priced upstream, becomes required_credits.'),
});

const credits = z.number();
const output = z.object({
  provider: providerOut,
  as_of: z.string(),
  available_credits: credits,
  remaining_credits: credits.nullable(),
  reserved_credits: credits.nullable(),
  low_balance: z.boolean().nullable(),
  grants: z.array(z.object({ id: z.string().nullable(), source: z.string(), remaining_credits: credits, expires_at: z.string().nullable() })),
  next_expiry: z.object({ expires_at: z.string(), remaining_credits: credits }).nullable(),
  required_credits: credits.nullable(),
  decision: z.enum(['sufficient', 'insufficient', 'not_requested']),
  shortfall_credits: credits.nullable(),
  guidance: z.string(),
});

export const checkBalance = defineTool({
  name: 'check_balance',
  title: 'Check credit balance',
  description: 'Balance now (never cached): reserved, next expiry. Pass required_credits (or a synap estimate) to decide a write. Decide writes here.',
  input,
  output,
  annotations: READ_ONLY,
  async run(args, ctx) {
    const { provider } = ctx.registry.resolve(args.provider);
    if (args.estimate && args.required_credits !== undefined) {
      throw new InputError('required_credits', 'pass either required_credits or estimate, not both.');
    }
    if (args.estimate && !provider.estimate) {
      throw new InputError('estimate', `estimate is priced only by synap; on ${provider.id}, pass required_credits instead.`);
    }
    // Asked together; when one fails, the other is cancelled rather than left to run out its timeout.
    const both = linkSignals([ctx.signal]);
    const orCancelBoth = async <T>(request: Promise<T>): Promise<T> => {
      try {
        return await request;
      } catch (error) {
        both.abort();
        throw error;
      }
    };
    const [balance, estimated] = await Promise.all([
      orCancelBoth(provider.getBalance(both.signal)),
      args.estimate ? orCancelBoth(provider.estimate!(args.estimate, both.signal)) : undefined,
    ]).finally(both.dispose);
    const required = estimated ?? args.required_credits ?? null;
    const { decision, shortfall_credits } = decide(balance.available_credits, required);
    const expiry = nextExpiry(balance);
    const guidance =
      decision === 'sufficient'
        ? `Enough for this write: ${formatCredits(balance.available_credits - required!)} credits would remain. Re-check if time passes before the write.`
        : decision === 'insufficient'
          ? shortfallAdvice(shortfall_credits!, balance.reserved_credits)
          : 'Pass required_credits (or estimate on synap) to get a decision for a planned write.';
    const data = {
      provider: provider.id,
      ...balance,
      next_expiry: expiry,
      required_credits: required,
      decision,
      shortfall_credits,
      guidance,
    };
    const lines = [
      `${provider.id} balance at ${shortTime(balance.as_of)}: ${formatCredits(balance.available_credits)} credits available` +
        (balance.reserved_credits ? ` (${formatCredits(balance.reserved_credits)} reserved, ${formatCredits(balance.remaining_credits ?? 0)} remaining)` : '') +
        (balance.low_balance ? ' - LOW BALANCE warning.' : '.'),
    ];
    if (required !== null) {
      lines.push(`Required ${formatCredits(required)}${estimated !== undefined ? ' (upstream estimate)' : ''}: ${decision}${decision === 'insufficient' ? `, short by ${formatCredits(shortfall_credits!)}` : ''}.`);
    }
    if (expiry) lines.push(`Next expiry: ${formatCredits(expiry.remaining_credits)} credits on ${shortTime(expiry.expires_at)}.`);
    lines.push(guidance);
    return { text: lines.join('\n'), data };
  },
});

/** Waiting helps only where credits are held: not on a provider without reservations (null), nor with none held. */
function shortfallAdvice(shortfall: number, reserved: number | null): string {
  const short = `Short by ${formatCredits(shortfall)} credits:`;
  return reserved
    ? `${short} top up, wait for the ${formatCredits(reserved)} reserved credits to be released, or make the write smaller.`
    : `${short} top up or make the write smaller.`;
}
