// FastAPI/pydantic-style validation: each problem becomes one item of a 422
// `{"detail":[...]}` list, phrased the way pydantic v2 phrases it.

import { parseIsoToMicros } from './time.js';

export interface ValidationItem {
  type: string;
  loc: (string | number)[];
  msg: string;
  input: unknown;
  ctx?: Record<string, unknown>;
}

export type Checked<T> = { ok: true; value: T } | { ok: false; item: ValidationItem };

const ok = <T>(value: T): Checked<T> => ({ ok: true, value });
const fail = (item: ValidationItem): Checked<never> => ({ ok: false, item });

/** An integer query parameter with pydantic's ge/le checks. */
export function queryInt(
  raw: string | undefined,
  name: string,
  bounds: { ge: number; le?: number; fallback: number },
): Checked<number> {
  if (raw === undefined) return ok(bounds.fallback);
  const loc = ['query', name];
  if (!/^\s*[-+]?[0-9]+\s*$/.test(raw)) {
    return fail({ type: 'int_parsing', loc, msg: 'Input should be a valid integer, unable to parse string as an integer', input: raw });
  }
  const n = Number(raw);
  if (n < bounds.ge) {
    return fail({ type: 'greater_than_equal', loc, msg: `Input should be greater than or equal to ${bounds.ge}`, input: raw, ctx: { ge: bounds.ge } });
  }
  if (bounds.le !== undefined && n > bounds.le) {
    return fail({ type: 'less_than_equal', loc, msg: `Input should be less than or equal to ${bounds.le}`, input: raw, ctx: { le: bounds.le } });
  }
  return ok(n);
}

/** An optional datetime query parameter as epoch microseconds. */
export function queryDatetime(raw: string | undefined, name: string): Checked<number | undefined> {
  if (raw === undefined) return ok(undefined);
  const us = parseIsoToMicros(raw);
  if (us === null) {
    return fail({ type: 'datetime_from_date_parsing', loc: ['query', name], msg: 'Input should be a valid datetime or date, invalid format', input: raw });
  }
  return ok(us);
}

export const missing = (loc: (string | number)[], input: unknown): ValidationItem => ({ type: 'missing', loc, msg: 'Field required', input });
