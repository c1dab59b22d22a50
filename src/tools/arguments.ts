// Turns a schema violation into one sentence that names the argument and what it allows,
// read off the same JSON Schema that tools/list publishes.
import type * as z from 'zod';
import { InputError } from '../core/errors.js';
import { cleanText } from '../core/text.js';
import { IDENTIFIER_PATTERN, IDENTIFIER_RULE } from './fields.js';

type JsonSchema = {
  type?: string;
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  minLength?: number;
  maxLength?: number;
  format?: string;
  pattern?: string;
  properties?: Record<string, JsonSchema>;
};

export function parseArguments<S extends z.ZodType>(schema: S, publishedSchema: () => JsonSchema, args: unknown): z.output<S> {
  const result = schema.safeParse(args ?? {});
  if (result.success) return result.data;
  const jsonSchema = publishedSchema();
  const issue = result.error.issues[0]!;
  if (issue.code === 'unrecognized_keys') {
    // A key unknown inside an object argument (estimate) is named with its path.
    const parent = issue.path.map(String).join('.');
    const allowed = Object.keys(propertyAt(jsonSchema, issue.path).properties ?? {}).join(', ');
    const keys = issue.keys.map((k) => (parent ? `${parent}.` : '') + cleanText(k, 40));
    throw new InputError(keys[0] ?? 'arguments', `unknown argument ${keys.map((k) => `"${k}"`).join(', ')}; allowed${parent ? ` in ${parent}` : ''}: ${allowed}.`);
  }
  if (issue.path.length === 0) throw new InputError('arguments', 'arguments must be an object.');
  const name = issue.path.map(String).join('.');
  const rule = ruleOf(propertyAt(jsonSchema, issue.path));
  const got = valueAt(args, issue.path);
  throw new InputError(name, `${name} must be ${rule}${got === undefined ? ' (it is required)' : ` (got ${describe(got)})`}.`);
}

function propertyAt(schema: JsonSchema, path: PropertyKey[]): JsonSchema {
  let node: JsonSchema = schema;
  for (const key of path) node = node.properties?.[String(key)] ?? {};
  return node;
}

function valueAt(args: unknown, path: PropertyKey[]): unknown {
  let node: unknown = args;
  for (const key of path) node = node && typeof node === 'object' ? (node as Record<string, unknown>)[String(key)] : undefined;
  return node;
}

export function ruleOf(p: JsonSchema): string {
  if (p.enum) return `one of ${p.enum.map((v) => `"${String(v)}"`).join(', ')}`;
  if (p.type === 'integer') {
    const min = p.minimum ?? (p.exclusiveMinimum === undefined ? undefined : Math.floor(p.exclusiveMinimum) + 1);
    if (p.maximum === undefined) return min === undefined ? 'an integer' : `an integer of at least ${min}`;
    return `an integer from ${min ?? '-∞'} to ${p.maximum}`;
  }
  if (p.type === 'number') {
    if (p.exclusiveMinimum !== undefined) return `a number greater than ${p.exclusiveMinimum}${p.maximum !== undefined ? ` and at most ${p.maximum}` : ''}`;
    return 'a number';
  }
  if (p.type === 'string' && p.pattern === IDENTIFIER_PATTERN.source) return IDENTIFIER_RULE;
  if (p.type === 'string' && p.format === 'date-time') return 'an ISO 8601 date-time with a timezone, e.g. 2026-11-01T00:00:00Z';
  if (p.type === 'string') return `a string of ${p.minLength ?? 0} to ${p.maxLength ?? '∞'} characters`;
  if (p.type === 'object') return `an object with ${Object.keys(p.properties ?? {}).join(', ')}`;
  return 'valid';
}

function describe(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return cleanText(text, 40);
}
