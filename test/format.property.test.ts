// formatCredits writes what Intl.NumberFormat('en-US', { maximumFractionDigits: 2 }) writes,
// without building one (its first construction loads ICU data): checked against Intl itself.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatCredits, roundCredits } from '../src/core/format.js';

const intl = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });
const expected = (v: number) => intl.format(roundCredits(v));

describe('formatCredits', () => {
  it('matches Intl on the edges: halves, carries, signs, zeros, large and odd values', () => {
    for (const v of [0, -0, 0.001, -0.001, 0.004999, 0.005, 1.005, 2.675, -2.675, 0.125, 999.995, 999_999.999, 1234567.125, 12345678901234.56, 1e-7, -1e-7, 1e21, -1e21, NaN, Infinity, -Infinity, 0.1 + 0.2, 100, 1000, 1_000_000]) {
      expect(formatCredits(v), String(v)).toBe(expected(v));
    }
  });

  it('matches Intl on any double, and on credits with up to six decimals', () => {
    fc.assert(fc.property(fc.double(), (v) => formatCredits(v) === expected(v)), { numRuns: 5000 });
    fc.assert(
      fc.property(fc.integer({ min: -1e12, max: 1e12 }), fc.integer({ min: 0, max: 6 }), (n, places) => {
        const v = n / 10 ** places;
        return formatCredits(v) === expected(v);
      }),
      { numRuns: 5000 },
    );
  });
});
