// The write decision, made on available credits and nothing else.
import type { Balance, Grant } from './model.js';
import { roundCredits } from './format.js';

export type Decision = 'sufficient' | 'insufficient' | 'not_requested';

export interface BalanceDecision {
  decision: Decision;
  /** 0 when sufficient, null when nothing was asked. */
  shortfall_credits: number | null;
}

export function decide(available: number, required: number | null): BalanceDecision {
  if (required === null) return { decision: 'not_requested', shortfall_credits: null };
  // Compared at micro-credit precision, so float noise (0.1 + 0.2) never flips a decision.
  if (roundCredits(required) <= roundCredits(available)) return { decision: 'sufficient', shortfall_credits: 0 };
  return { decision: 'insufficient', shortfall_credits: roundCredits(required - available) };
}

/** The earliest future expiry among grants that still hold credits. */
export function nextExpiry(balance: Balance): { expires_at: string; remaining_credits: number } | null {
  const now = Date.parse(balance.as_of);
  let best: Grant | null = null;
  for (const g of balance.grants) {
    if (g.expires_at === null || g.remaining_credits <= 0 || Date.parse(g.expires_at) <= now) continue;
    if (!best || Date.parse(g.expires_at) < Date.parse(best.expires_at!)) best = g;
  }
  return best ? { expires_at: best.expires_at!, remaining_credits: best.remaining_credits } : null;
}
