// What the adapters' wire schemas are built from: zod schemas that read an upstream body the
// way the contract allows (camelCase twins, numeric strings, extra fields) and a reader that
// turns the first thing that does not fit into an `unexpected_shape` error naming the field.
import * as z from 'zod';
import { UpstreamError } from '../core/errors.js';
import type { ProviderId } from '../core/model.js';
import { cleanOptional } from '../core/text.js';
import { toUtcInstant } from '../core/time.js';

type Aliases = Record<string, string[]>;
const NO_ALIASES: Aliases = {};

/**
 * `remainingCredits` is read as `remaining_credits` unless that is there too; a field missing
 * under its own name is read from its first alias present (`id` for `ledger_id`).
 */
function normalize(value: unknown, aliases: Aliases = NO_ALIASES): unknown {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return value;
  // The common case, every ledger entry of every page: documented names, nothing to copy.
  if (!Object.keys(value).some((key) => /[A-Z]/.test(key)) && Object.keys(aliases).every((name) => name in value)) return value;
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

/** How a field made by `field` below reads its value: kept so an object of such fields reads in one step. */
type FieldReader = (v: unknown) => { value: unknown; problem: string | null };
const readers = new WeakMap<z.ZodType, FieldReader>();

/** An object whose fields may come in camelCase or under an alias; fields it does not name are ignored. */
export function wireObject<S extends z.ZodRawShape>(shape: S, aliases?: Aliases): z.ZodType<z.output<z.ZodObject<S>>> {
  const fields = Object.entries(shape).map(([key, schema]) => [key, readers.get(schema as z.ZodType)] as const);
  if (fields.some(([, read]) => read === undefined)) return z.preprocess((v) => normalize(v, aliases), z.object(shape)) as never;
  // Every field is read by hand (a ledger entry): one zod step per object rather than one per
  // field, which a walk of thousands of entries pays for in a fresh process (cold zod, GC).
  // Issues are those z.object would give: the object itself, then the first field off.
  return z.unknown().transform((raw, ctx) => {
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
      ctx.addIssue({ code: 'custom', message: raw === undefined || raw === null ? 'is missing' : 'is not an object' });
      return z.NEVER;
    }
    const value = normalize(raw, aliases) as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const [key, read] of fields) {
      const got = read!(value[key]);
      if (got.problem !== null) ctx.addIssue({ code: 'custom', message: got.problem, path: [key] });
      out[key] = got.value;
    }
    return out;
  }) as never;
}

const absent = (v: unknown) => v === undefined || v === null || v === '';

/**
 * A field read by hand, in one step (a ledger walk reads six per entry): absent is null, or
 * `is missing` when the field is required; anything `read` refuses is named by `what`.
 */
function field<T>(read: (v: unknown) => T | null, what: string) {
  const make = (required: boolean) => {
    const reader = (v: unknown): { value: T | null; problem: string | null } => {
      if (absent(v)) return { value: null, problem: required ? 'is missing' : null };
      const value = read(v);
      return { value, problem: value === null ? `is not ${what}` : null };
    };
    // optional() first, so a missing key reaches the transform (and reads as null) rather than
    // being refused by zod before it.
    const schema = z.unknown().optional().transform((v, ctx): T | null => {
      const { value, problem } = reader(v);
      if (problem !== null) ctx.addIssue({ code: 'custom', message: problem });
      return value;
    });
    readers.set(schema, reader);
    return schema;
  };
  return { optional: make(false), required: make(true) as unknown as z.ZodType<T> };
}

const number = (v: unknown) => {
  const n = typeof v === 'string' ? Number(v) : v;
  return typeof n === 'number' && Number.isFinite(n) ? n : null;
};

/** A JSON number, or a numeric string ("12.5"). */
const amounts = field(number, 'a number');
export const amount = amounts.required;
export const optionalAmount = amounts.optional;

export const optionalFlag = field((v) => (typeof v === 'boolean' ? v : null), 'a boolean').optional;

/** Upstream text, cleaned and capped: it may end up in an agent's context. Numbers are read as text. */
const texts = (max: number) => field((v) => (typeof v === 'string' || typeof v === 'number' ? cleanOptional(v, max) : null), 'text');
export const optionalText = (max = 80) => texts(max).optional;
export const text = (max = 80) => texts(max).required;

/** A timestamp normalized to a UTC instant with `Z`. */
const instants = field((v) => (typeof v === 'string' ? toUtcInstant(v) : null), 'a date-time');
export const optionalInstant = instants.optional;
export const instant = instants.required;

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
