// Reads an upstream error body in any of the envelopes the two APIs are known to use.
import { cleanText } from '../text.js';

export interface ErrorEnvelope {
  code?: string;
  message?: string;
  hint?: string;
  /** FastAPI `detail` object fields, e.g. a 402's `recovery_url`. */
  extra?: Record<string, unknown>;
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
    if (str(b.code)) return { code: str(b.code), message: err };
    return { code: err, message: str(b.message) };
  }
  // {"code", "message"}
  if (str(b.code)) return { code: str(b.code), message: str(b.message) };
  // FastAPI: {"detail": "..."} | {"detail": [{loc, msg}]} | {"detail": {...}}
  const detail = b.detail;
  if (typeof detail === 'string') return { message: detail };
  if (Array.isArray(detail)) {
    const parts = detail.slice(0, 3).map((d) => {
      const item = (d ?? {}) as Record<string, unknown>;
      const loc = Array.isArray(item.loc) ? item.loc.filter((x) => x !== 'query' && x !== 'body').join('.') : '';
      return loc ? `${loc}: ${String(item.msg ?? '')}` : String(item.msg ?? '');
    });
    return { message: parts.join('; ') };
  }
  if (detail && typeof detail === 'object') {
    const d = detail as Record<string, unknown>;
    return { code: str(d.code), message: str(d.message) ?? str(d.error), extra: d };
  }
  return {};
}

/** Codes and messages are upstream text: keep them short and printable. */
export function cleanEnvelope(e: ErrorEnvelope): ErrorEnvelope {
  return {
    ...e,
    code: e.code === undefined ? undefined : cleanText(e.code, 60),
    message: e.message === undefined ? undefined : cleanText(e.message, 240),
    hint: e.hint === undefined ? undefined : cleanText(e.hint, 240),
  };
}
