// Time helpers shared by both upstreams. Synap speaks Python (microseconds,
// "+00:00"); Signal Foundry speaks JavaScript (milliseconds, "Z").

export const SECOND_MS = 1000;
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

/** Signal Foundry style: `2026-11-20T10:00:00.123Z`. */
export function formatIsoZ(epochMs: number): string {
  return new Date(epochMs).toISOString();
}

// Formatting goes through here for every seeded ledger row (100k+), and
// Date#toISOString per row dominated start-up; the date part repeats, so cache it.
const datePrefixes = new Map<number, string>();
function datePrefix(day: number): string {
  let prefix = datePrefixes.get(day);
  if (prefix === undefined) {
    prefix = new Date(day * DAY_MS).toISOString().slice(0, 11);
    datePrefixes.set(day, prefix);
  }
  return prefix;
}
const pad2 = (n: number): string => (n < 10 ? `0${n}` : String(n));

/**
 * Python `datetime.isoformat()` style for an aware UTC datetime, always with six
 * fractional digits: `2026-11-20T10:00:00.123456+00:00`.
 */
export function formatPythonUtc(epochUs: number): string {
  const totalSeconds = Math.floor(epochUs / 1_000_000);
  const micros = epochUs - totalSeconds * 1_000_000;
  const day = Math.floor(totalSeconds / 86_400);
  const secondOfDay = totalSeconds - day * 86_400;
  const hours = Math.floor(secondOfDay / 3600);
  const minutes = Math.floor((secondOfDay % 3600) / 60);
  const seconds = secondOfDay % 60;
  return `${datePrefix(day)}${pad2(hours)}:${pad2(minutes)}:${pad2(seconds)}.${String(micros).padStart(6, '0')}+00:00`;
}

const ISO_PATTERN =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(?:([Zz])|([+-])(\d{2}):?(\d{2}))?)?$/;

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/**
 * Parses the ISO 8601 forms pydantic accepts for a datetime query parameter
 * (date only, optional seconds and fraction, `Z` or any `±HH:MM` offset; no offset
 * means UTC) into epoch microseconds, or null when it is not one of them.
 * Fractions finer than a microsecond are truncated, as Python does.
 */
export function parseIsoToMicros(text: string): number | null {
  const m = ISO_PATTERN.exec(text);
  if (!m) return null;
  const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '', , sign, oh = '0', om = '0'] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  const offsetHours = Number(oh);
  const offsetMinutes = Number(om);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  if (hour > 23 || minute > 59 || second > 59 || offsetHours > 23 || offsetMinutes > 59) return null;
  const micros = Number(frac.slice(0, 6).padEnd(6, '0'));
  const offsetMs = (sign === '-' ? -1 : 1) * (offsetHours * 60 + offsetMinutes) * 60_000;
  const epochMs = Date.UTC(year, month - 1, day, hour, minute, second) - (sign ? offsetMs : 0);
  return epochMs * 1000 + micros;
}

/** Start (00:00 UTC) of the calendar month containing `epochMs`, shifted by `monthDelta` months. */
export function monthStartUtc(epochMs: number, monthDelta = 0): number {
  const d = new Date(epochMs);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + monthDelta, 1);
}
