// Reading upstream JSON by hand: tolerant of the documented variants (camelCase twins, extra
// fields, numeric strings), loud and specific about anything else.
import { UpstreamError } from '../errors.js';
import type { ProviderId } from '../model.js';
import { cleanOptional } from '../text.js';
import { toUtcInstant } from '../time.js';

export type Json = Record<string, unknown>;

export class ShapeReader {
  constructor(private readonly provider: ProviderId, private readonly endpoint: string) {}

  fail(what: string): UpstreamError {
    return new UpstreamError({
      provider: this.provider,
      fault: 'unexpected_shape',
      code: 'unexpected_shape',
      status: 200,
      message: `${this.provider} answered ${this.endpoint} with an unexpected shape: ${what}.`,
      nextStep: 'Retry once; if it persists, the upstream API changed: update credit-mcp or report it.',
    });
  }

  object(value: unknown, where: string): Json {
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Json;
    throw this.fail(`${where} is not an object`);
  }

  array(value: unknown, where: string): unknown[] {
    if (Array.isArray(value)) return value;
    throw this.fail(`${where} is not a list`);
  }

  optionalArray(value: unknown, where: string): unknown[] {
    return value === undefined || value === null ? [] : this.array(value, where);
  }

  number(obj: Json, names: string[], where: string): number {
    const n = this.optionalNumber(obj, names, where);
    if (n === null) throw this.fail(`${where}.${names[0]} is missing`);
    return n;
  }

  optionalNumber(obj: Json, names: string[], where: string): number | null {
    const raw = pick(obj, names);
    if (raw === undefined || raw === null) return null;
    const n = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
    if (typeof n === 'number' && Number.isFinite(n)) return n;
    throw this.fail(`${where}.${names[0]} is not a number`);
  }

  optionalBoolean(obj: Json, names: string[], where: string): boolean | null {
    const raw = pick(obj, names);
    if (raw === undefined || raw === null) return null;
    if (typeof raw === 'boolean') return raw;
    throw this.fail(`${where}.${names[0]} is not a boolean`);
  }

  /** Upstream text, cleaned: it may end up in an agent's context. */
  optionalString(obj: Json, names: string[], max = 80): string | null {
    const raw = pick(obj, names);
    return typeof raw === 'string' || typeof raw === 'number' ? cleanOptional(raw, max) : null;
  }

  string(obj: Json, names: string[], where: string, max = 80): string {
    const s = this.optionalString(obj, names, max);
    if (s === null) throw this.fail(`${where}.${names[0]} is missing`);
    return s;
  }

  /** A timestamp normalized to a UTC instant with `Z`. */
  optionalTime(obj: Json, names: string[], where: string): string | null {
    const raw = pick(obj, names);
    if (raw === undefined || raw === null || raw === '') return null;
    const instant = typeof raw === 'string' ? toUtcInstant(raw) : null;
    if (instant === null) throw this.fail(`${where}.${names[0]} is not a date-time`);
    return instant;
  }

  time(obj: Json, names: string[], where: string): string {
    const t = this.optionalTime(obj, names, where);
    if (t === null) throw this.fail(`${where}.${names[0]} is missing`);
    return t;
  }
}

function pick(obj: Json, names: string[]): unknown {
  for (const name of names) if (obj[name] !== undefined) return obj[name];
  return undefined;
}
