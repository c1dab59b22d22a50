// Reads an upstream error body in any of the envelopes the two APIs are known to use.
import { cleanText } from '../core/text.js';

export interface ErrorEnvelope {
  code?: string;
  message?: string;
  hint?: string;
  /** FastAPI `detail` object fields, e.g. a 402's `recovery_url`. */
  extra?: Record<string, unknown>;
  /**
   * The request arguments the upstream names as the problem, each with what it says about it:
   * FastAPI's `detail[].loc`, or the documented envelope's `details` (`{"limit": ...}` or
   * `{"field": "limit", ...}`). Only a refusal that names `limit` teaches a page size.
   */
  arguments?: Record<string, string>;
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}

export function readErrorEnvelope(body: unknown): ErrorEnvelope {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return {};
  const b = body as Record<string, unknown>;
  const err = b.error;
  // {"error": {"code", "message", "hint"}}
  if (err && typeof err === 'object' && !Array.isArray(err)) {
    const e = err as Record<string, unknown>;
    return { code: str(e.code), message: str(e.message), hint: str(e.hint) };
  }
  // Synap: {"error": "<message>", "code": "..."}; Signal Foundry variant: {"error": "<code>", "message"}
  if (typeof err === 'string') {
    const named = namedInDetails(b.details, err);
    if (str(b.code)) return { code: str(b.code), message: err, ...named };
    return { code: err, message: str(b.message), ...named };
  }
  // {"code", "message"}
  if (str(b.code)) return { code: str(b.code), message: str(b.message) };
  // FastAPI: {"detail": "..."} | {"detail": [{loc, msg}]} | {"detail": {...}}
  const detail = b.detail;
  if (typeof detail === 'string') return { message: detail };
  if (Array.isArray(detail)) {
    const named: Record<string, string> = {};
    const parts = detail.slice(0, 3).map((d) => {
      const item = (d ?? {}) as Record<string, unknown>;
      const path = Array.isArray(item.loc) ? item.loc.filter((x) => x !== 'query' && x !== 'body') : [];
      const loc = path.join('.');
      const name = path.at(-1);
      if (typeof name === 'string') named[name] = String(item.msg ?? '');
      return loc ? `${loc}: ${String(item.msg ?? '')}` : String(item.msg ?? '');
    });
    return { message: parts.join('; '), ...(Object.keys(named).length ? { arguments: named } : {}) };
  }
  if (detail && typeof detail === 'object') {
    const d = detail as Record<string, unknown>;
    return { code: str(d.code), message: str(d.message) ?? str(d.error), extra: d };
  }
  return {};
}

/** Arguments the envelope's `details` object names: `{"limit": "at most 500"}` or `{"field": "limit", "max": 500}`. */
function namedInDetails(details: unknown, message: string): { arguments?: Record<string, string> } {
  if (!details || typeof details !== 'object' || Array.isArray(details)) return {};
  const d = details as Record<string, unknown>;
  const named: Record<string, string> = {};
  for (const key of ['field', 'param', 'parameter', 'argument']) {
    const name = str(d[key]);
    if (name) named[name] = `${message} ${JSON.stringify(d)}`;
  }
  for (const [key, value] of Object.entries(d)) {
    if (!(key in named) && (typeof value === 'string' || typeof value === 'number')) named[key] = String(value);
  }
  return Object.keys(named).length ? { arguments: named } : {};
}

/** Codes and messages are upstream text: keep them short and printable. */
export function cleanEnvelope(e: ErrorEnvelope): ErrorEnvelope {
  return {
    ...e,
    code: e.code === undefined ? undefined : cleanText(e.code, 60),
    message: e.message === undefined ? undefined : cleanText(e.message, 240),
    hint: e.hint === undefined ? undefined : cleanText(e.hint, 240),
    arguments: e.arguments === undefined ? undefined : cleanArguments(e.arguments),
  };
}

/** A few named arguments, names and texts short and printable. */
function cleanArguments(named: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(named)
      .slice(0, 8)
      .map(([name, text]) => [cleanText(name, 60), cleanText(text, 240)]),
  );
}
