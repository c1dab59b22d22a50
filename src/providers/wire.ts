// What the adapters' wire schemas are built from: zod schemas that read an upstream body the
// way the contract allows (camelCase twins, numeric strings, extra fields) and a reader that
// turns the first thing that does not fit into an `unexpected_shape` error naming the field.
import * as z from 'zod';
import { UpstreamError } from '../errors.js';
import type { ProviderId } from '../model.js';
import { cleanOptional } from '../text.js';
import { toUtcInstant } from '../time.js';

type Aliases = Record<string, string[]>;

/**
 * `remainingCredits` is read as `remaining_credits` unless that is there too; a field missing
 * under its own name is read from its first alias present (`id` for `ledger_id`).
 */
function normalize(value: unknown, aliases: Aliases = {}): unknown {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return value;
  const out: Record<string, unknown> = { ...value };
  for (const [key, v] of Object.entries(value)) {
    const snake = key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
    if (snake !== key && out[snake] === undefined) out[snake] = v;
  }
  for (const [name, others] of Object.entries(aliases)) {
    const from = others.find((other) => out[other] !== undefined);
    if (out[name] === undefined && from !== undefined) out[name] = out[from];
  }
  return out;
}

/** An object whose fields may come in camelCase or under an alias; fields it does not name are ignored. */
export function wireObject<S extends z.ZodRawShape>(shape: S, aliases?: Aliases) {
  return z.preprocess((v) => normalize(v, aliases), z.object(shape));
}

/** A JSON number, or a numeric string ("12.5"). */
export const amount = z.preprocess((v) => (typeof v === 'string' && v.trim() !== '' ? Number(v) : v), z.number().finite());
export const optionalAmount = amount.nullish().transform((v) => v ?? null);

export const optionalFlag = z.boolean().nullish().transform((v) => v ?? null);

const absent = (v: unknown) => v === undefined || v === null || v === '';

/** A field read by hand: absent reads as null, anything `read` refuses is named by `what`. */
function field<T>(read: (v: unknown) => T | null, what: string) {
  return z.unknown().optional().transform((v, ctx): T | null => {
    if (absent(v)) return null;
    const value = read(v);
    if (value === null) ctx.addIssue({ code: 'custom', message: `is not ${what}` });
    return value;
  });
}

function required<T>(optional: z.ZodType<T | null>) {
  return optional.transform((v, ctx): T => {
    if (v === null) ctx.addIssue({ code: 'custom', message: 'is missing' });
    return v as T;
  });
}

/** Upstream text, cleaned and capped: it may end up in an agent's context. Numbers are read as text. */
export const optionalText = (max = 80) => field((v) => (typeof v === 'string' || typeof v === 'number' ? cleanOptional(v, max) : null), 'text');
export const text = (max = 80) => required(optionalText(max));

/** A timestamp normalized to a UTC instant with `Z`. */
export const optionalInstant = field((v) => (typeof v === 'string' ? toUtcInstant(v) : null), 'a date-time');
export const instant = required(optionalInstant);

/** A list that may be absent (null or missing reads as empty). */
export const optionalList = <T extends z.ZodType>(item: T) => z.array(item).nullish().transform((v) => v ?? []);

/** Parses `body` or throws the `unexpected_shape` error that names the first field off the contract. */
export function readWire<T extends z.ZodType>(schema: T, body: unknown, provider: ProviderId, endpoint: string): z.output<T> {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const where = ['body', ...issue.path].reduce<string>((at, key) => (typeof key === 'number' ? `${at}[${key}]` : `${at}.${String(key)}`), '').slice(1);
  throw new UpstreamError({
    provider,
    fault: 'unexpected_shape',
    code: 'unexpected_shape',
    status: 200,
    message: `${provider} answered ${endpoint} with an unexpected shape: ${where} ${describeIssue(issue, valueAt(body, issue.path))}.`,
    nextStep: 'Retry once; if it persists, the upstream API changed: update credit-mcp or report it.',
  });
}

const EXPECTED: Record<string, string> = { array: 'a list', object: 'an object', boolean: 'a boolean', number: 'a number' };

function describeIssue(issue: z.core.$ZodIssue, value: unknown): string {
  if (issue.code === 'custom') return issue.message;
  if (value === undefined || value === null) return 'is missing';
  if (issue.code === 'invalid_type') return `is not ${EXPECTED[issue.expected] ?? `a ${issue.expected}`}`;
  return 'is not a number'; // an amount that is neither a finite number nor a numeric string
}

/** The raw value at `path`, following camelCase twins as the schema did. */
function valueAt(body: unknown, path: PropertyKey[]): unknown {
  let node: unknown = body;
  for (const key of path) node = node && typeof node === 'object' ? (normalize(node) as Record<PropertyKey, unknown>)[key] : undefined;
  return node;
}
