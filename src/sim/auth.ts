// Reading API keys off a request. Which keys are valid, and what an upstream
// answers when they are not, is each upstream's business.

import type { IncomingHttpHeaders } from 'node:http';
import { header } from './http.js';

/** The token of an `Authorization: Bearer <token>` header (scheme case-insensitive), else undefined. */
export function bearerToken(headers: IncomingHttpHeaders): string | undefined {
  const value = header(headers, 'authorization');
  if (value === undefined) return undefined;
  const match = /^\s*bearer\s+(\S+)\s*$/i.exec(value);
  return match?.[1];
}

/** True when an Authorization header was sent at all, well-formed or not. */
export function hasAuthorization(headers: IncomingHttpHeaders): boolean {
  return header(headers, 'authorization') !== undefined;
}
