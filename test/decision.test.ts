import { describe, expect, it } from 'vitest';
import { decide, nextExpiry } from '../src/core/decision.js';
import type { Balance } from '../src/core/model.js';

describe('write decision', () => {
  it('decides on available credits: equal is sufficient, shortfall is the gap', () => {
    expect(decide(100, 100)).toEqual({ decision: 'sufficient', shortfall_credits: 0 });
    expect(decide(100, 100.5)).toEqual({ decision: 'insufficient', shortfall_credits: 0.5 });
    expect(decide(100, null)).toEqual({ decision: 'not_requested', shortfall_credits: null });
    expect(decide(0.3, 0.1 + 0.2)).toEqual({ decision: 'sufficient', shortfall_credits: 0 });
  });

  it('gives a finite shortfall for a required amount near the largest double (found by the property test)', () => {
    expect(decide(100, 1.797693134862316e302)).toEqual({ decision: 'insufficient', shortfall_credits: 1.797693134862316e302 - 100 });
  });

  it('finds the earliest future expiry among grants with credits left', () => {
    const balance: Balance = {
      as_of: '2026-11-21T00:00:00.000Z',
      available_credits: 10,
      remaining_credits: 10,
      reserved_credits: 0,
      low_balance: null,
      grants: [
        { id: 'expired', source: 'free', remaining_credits: 50, expires_at: '2026-11-01T00:00:00.000Z' },
        { id: 'empty', source: 'pack', remaining_credits: 0, expires_at: '2026-11-22T00:00:00.000Z' },
        { id: 'forever', source: 'pro', remaining_credits: 5, expires_at: null },
        { id: 'later', source: 'pack', remaining_credits: 7, expires_at: '2027-01-01T00:00:00.000Z' },
        { id: 'soon', source: 'free', remaining_credits: 3, expires_at: '2026-11-30T00:00:00.000Z' },
      ],
    };
    expect(nextExpiry(balance)).toEqual({ expires_at: '2026-11-30T00:00:00.000Z', remaining_credits: 3 });
    expect(nextExpiry({ ...balance, grants: balance.grants.slice(0, 3) })).toBeNull();
  });
});
