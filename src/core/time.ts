// Instants on the wire and in answers: UTC with `Z`, sub-millisecond digits kept, so an
// entry's created_at passed back as an inclusive bound still matches that entry.
export const DAY_MS = 86_400_000;

const UTC_SHAPE = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|\+00:00)$/;

/** The same instant in UTC with `Z`, or null when the text is not a date-time. */
export function toUtcInstant(text: string): string | null {
  // The common case (Synap writes +00:00) needs no Date at all.
  if (UTC_SHAPE.test(text)) return text.endsWith('Z') ? text : text.slice(0, -6) + 'Z';
  const ms = Date.parse(text.replace(/(\.\d{3})\d+/, '$1'));
  if (Number.isNaN(ms)) return null;
  const iso = new Date(ms).toISOString();
  const finer = /\.\d{3}(\d+)/.exec(text)?.[1];
  return finer ? iso.replace('Z', `${finer}Z`) : iso;
}

/**
 * Orders two instants as toUtcInstant writes them, to the last fractional digit given:
 * Date.parse stops at milliseconds, and an upstream reading microseconds would not.
 */
export function compareInstants(a: string, b: string): number {
  // Same length, both UTC with `Z`: the same shape to the digit, so text order is time order.
  if (a.length === b.length && a[4] === '-' && b[4] === '-' && a.endsWith('Z') && b.endsWith('Z')) return a < b ? -1 : a > b ? 1 : 0;
  const ms = Date.parse(a) - Date.parse(b);
  if (ms !== 0) return Math.sign(ms);
  const finer = (t: string) => (/\.\d{3}(\d*)Z$/.exec(t)?.[1] ?? '').padEnd(9, '0');
  const [x, y] = [finer(a), finer(b)];
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Digits after the second's point (0 when none). */
export function fractionDigits(instant: string): number {
  return /\.(\d+)/.exec(instant)?.[1]?.length ?? 0;
}
