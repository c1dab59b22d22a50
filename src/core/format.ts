// How credits and instants read: one place for the tool texts and the dashboard, so a number on
// the page is the number in the answer's text. No Node imports: the view bundles this file.

/** Rounds away float noise from summing decimal credits (0.1 + 0.2). */
export function roundCredits(value: number): number {
  const scaled = value * 1e6;
  // Past about 1.8e302 the scaling overflows to Infinity; a number that large has no millionths to round.
  return Number.isFinite(scaled) ? Math.round(scaled) / 1e6 : value;
}

let credits: Intl.NumberFormat | undefined;

/**
 * What `Intl.NumberFormat('en-US', { maximumFractionDigits: 2 })` writes (grouped thousands, at
 * most two decimals, half away from zero on the shortest decimal form, `-0` kept), without
 * building one: the first NumberFormat of a process loads ICU data, 60 to 80 ms here, paid by
 * the first answer of every stdio session. Forms it does not cover (exponents, NaN) go to Intl.
 */
export function formatCredits(value: number): string {
  const rounded = roundCredits(value);
  const digits = String(Math.abs(rounded));
  if (!/^\d+(\.\d+)?$/.test(digits)) return (credits ??= new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 })).format(rounded);
  let [whole = '0', fraction = ''] = digits.split('.');
  if (fraction.length > 2) {
    const up = fraction[2]! >= '5';
    fraction = fraction.slice(0, 2);
    if (up) {
      const sum = (BigInt(whole + fraction) + 1n).toString().padStart(3, '0');
      whole = sum.slice(0, -2);
      fraction = sum.slice(-2);
    }
  }
  fraction = fraction.replace(/0+$/, '');
  const negative = rounded < 0 || Object.is(rounded, -0);
  return `${negative ? '-' : ''}${whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}${fraction ? `.${fraction}` : ''}`;
}

/** `2026-12-01T21:53:28.411Z` -> `2026-12-01 21:53Z`; null -> `never`. */
export function shortTime(iso: string | null): string {
  return iso ? iso.replace(/:\d\d(\.\d+)?Z$/, 'Z').replace('T', ' ') : 'never';
}
