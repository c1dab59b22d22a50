// What a tool is, and how a call becomes a result: arguments checked first, then the tool
// runs, and every typed error is turned into an `isError` result here and nowhere else.
import type { CallToolResult, StandardSchemaWithJSON } from '@modelcontextprotocol/server';
import * as z from 'zod';
import { CancelledError, InputError, NotConfiguredError, UpstreamError } from '../core/errors.js';
import { log, redact } from '../logger.js';
import type { WalkSettings } from '../providers/provider.js';
import type { ProviderRegistry } from '../providers/registry.js';
import { parseArguments } from './arguments.js';

export interface ToolContext {
  registry: ProviderRegistry;
  signal: AbortSignal;
  now: () => number;
  walk: WalkSettings;
  /** Reports progress when the client asked for it (a progressToken); otherwise does nothing. */
  progress: (progress: number, total?: number, message?: string) => void;
}

export interface ToolAnswer<O> {
  text: string;
  data: O;
}

export interface ToolAnnotations {
  readOnlyHint: boolean;
  destructiveHint: boolean;
  idempotentHint: boolean;
  openWorldHint: boolean;
}

export interface ToolSpec<I extends z.ZodObject, O extends z.ZodObject> {
  name: string;
  /** What a host shows a person; the description is what the agent reads. */
  title: string;
  description: string;
  input: I;
  output: O;
  /** Required, so no tool ships without saying what it may do. */
  annotations: ToolAnnotations;
  run(args: z.output<I>, ctx: ToolContext): Promise<ToolAnswer<z.output<O>>>;
}

export interface CreditTool {
  name: string;
  title: string;
  description: string;
  annotations: ToolAnnotations;
  /**
   * What tools/list publishes. It lets every value through: call() checks the arguments itself,
   * so a bad one is refused with a sentence naming the argument and its allowed range, the
   * same on every transport and in the terminal commands.
   */
  inputSchema: StandardSchemaWithJSON;
  /** What tools/list publishes (slimmed), validating with the full zod schema. */
  outputSchema: StandardSchemaWithJSON;
  call(args: unknown, ctx: ToolContext): Promise<CallToolResult>;
}

/** Every tool here only reads. */
export const READ_ONLY: ToolAnnotations = { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false };

export function defineTool<I extends z.ZodObject, O extends z.ZodObject>(spec: ToolSpec<I, O>): CreditTool {
  // Worked out on first use (the first tools/list, or a refused argument), not at start-up.
  const inputJson = once(() => toJsonSchema(spec.input, 'input'));
  const outputJson = once(() => slimOutputSchema(toJsonSchema(spec.output, 'output')) as Record<string, unknown>);
  return {
    name: spec.name,
    title: spec.title,
    description: spec.description,
    annotations: spec.annotations,
    inputSchema: published(inputJson, (value) => ({ value })),
    outputSchema: published(outputJson, (value) => {
      const parsed = spec.output.safeParse(value);
      return parsed.success ? { value: parsed.data } : { issues: parsed.error.issues.map((i) => ({ message: i.message, path: i.path })) };
    }),
    async call(args, ctx) {
      try {
        const parsed = parseArguments(spec.input, inputJson, args);
        const answer = await spec.run(parsed, ctx);
        return { content: [{ type: 'text', text: answer.text }], structuredContent: answer.data as Record<string, unknown> };
      } catch (error) {
        return errorResult(spec.name, error);
      }
    },
  };
}

/** Why a call failed, for a caller that acts on it (the CLI's exit code); the wire carries only the text. */
export type ErrorKind = 'invalid_argument' | 'not_configured' | 'cancelled' | 'upstream' | 'internal';

const errorKinds = new WeakMap<CallToolResult, ErrorKind>();

export function errorKindOf(result: CallToolResult): ErrorKind | undefined {
  return errorKinds.get(result);
}

export function errorResult(tool: string, error: unknown): CallToolResult {
  // Upstream messages are quoted here; an upstream that echoes the key must not reach the agent.
  const result: CallToolResult = { isError: true, content: [{ type: 'text', text: redact(describeError(tool, error)) }] };
  errorKinds.set(result, kindOf(error));
  return result;
}

function kindOf(error: unknown): ErrorKind {
  if (error instanceof InputError) return 'invalid_argument';
  if (error instanceof NotConfiguredError) return 'not_configured';
  if (error instanceof CancelledError) return 'cancelled';
  if (error instanceof UpstreamError) return 'upstream';
  return 'internal';
}

function describeError(tool: string, error: unknown): string {
  if (error instanceof InputError) return `Invalid argument: ${error.message} Nothing was sent upstream.`;
  if (error instanceof NotConfiguredError) return `Not configured: ${error.message}`;
  if (error instanceof CancelledError) return 'Cancelled: the request was cancelled before it finished.';
  if (error instanceof UpstreamError) {
    const d = error.details;
    const lines = [
      `Upstream error from ${d.provider}: ${d.code}${d.status !== undefined ? ` (HTTP ${d.status})` : ''}. ${d.message}`,
      `Next step: ${d.nextStep}`,
    ];
    const facts: string[] = [];
    if (d.retryAfterSeconds !== undefined) facts.push(`retry_after_seconds: ${d.retryAfterSeconds}`);
    if (d.correlationId) facts.push(`correlation_id: ${d.correlationId} (quote it to ${d.provider} support)`);
    if (facts.length) lines.push(facts.join('; '));
    return lines.join('\n');
  }
  log.error('tool failed unexpectedly', { tool, error });
  return `Internal error in ${tool}: ${error instanceof Error ? error.name : 'unknown'}. This is a credit-mcp bug; the server keeps running. Retry, and report it if it repeats.`;
}

type Validate = StandardSchemaWithJSON['~standard']['validate'];

/** A Standard Schema that publishes `json()` as written and validates with `validate`. */
function published(json: () => Record<string, unknown>, validate: Validate): StandardSchemaWithJSON {
  return { '~standard': { version: 1, vendor: 'credit-mcp', validate, jsonSchema: { input: json, output: json } } };
}

function once<T>(make: () => T): () => T {
  let made: { value: T } | undefined;
  return () => (made ??= { value: make() }).value;
}

function toJsonSchema(schema: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
  const json = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Record<string, unknown>;
  delete json.$schema;
  return trimPatterns(json) as Record<string, unknown>;
}

/**
 * Every tools/list byte is paid for in the agent's context. The published output schema keeps
 * every property and its type but drops `required` and `additionalProperties`: the server
 * always sends every key (tests hold each answer to the full zod schema), so they would only
 * repeat each name. Below the root, a non-null object's `type` goes too: its `properties`
 * already say it is one (the root keeps it, as MCP requires).
 */
function slimOutputSchema(node: unknown, root = true): unknown {
  if (Array.isArray(node)) return node.map((n) => slimOutputSchema(n, false));
  if (!node || typeof node !== 'object') return node;
  const { anyOf } = node as { anyOf?: Array<Record<string, unknown>> };
  if (anyOf?.length === 2 && anyOf[1]?.type === 'null' && typeof anyOf[0]?.type === 'string') {
    // {anyOf: [{type: object, ...}, {type: null}]} says the same as {type: [object, null], ...}.
    return slimOutputSchema({ ...anyOf[0], type: [anyOf[0].type, 'null'] }, false);
  }
  const implied = !root && (node as Record<string, unknown>).type === 'object' && 'properties' in node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === 'additionalProperties' || k === 'required' || (k === 'type' && implied)) continue;
    out[k] = k === 'properties' ? Object.fromEntries(Object.entries(v as object).map(([p, s]) => [p, slimOutputSchema(s, false)])) : slimOutputSchema(v, false);
  }
  return out;
}

/**
 * What zod writes that says nothing to the agent: a date-time's long regex (`format` already
 * says it) and an integer's bound at 2^53 (JSON numbers stop there anyway).
 */
function trimPatterns(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(trimPatterns);
  if (!node || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === 'pattern' && (node as Record<string, unknown>).format === 'date-time') continue;
    if (k === 'maximum' && v === Number.MAX_SAFE_INTEGER) continue;
    out[k] = trimPatterns(v);
  }
  return out;
}
