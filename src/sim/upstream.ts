// What the server needs to know about one upstream API: where it lives, its
// routes, how it authenticates, and how it phrases the errors the server itself
// produces (404, 405, 429). Everything else about the server is shared.

import type { SimRequest, SimResponse } from './http.js';

export type RouteHandler = (req: SimRequest) => SimResponse;

export type AuthResult = { ok: true; key: string } | { ok: false; response: SimResponse };

export interface Upstream {
  /** Path prefix owning this API, e.g. '/v1'. */
  readonly prefix: string;
  /** path -> method -> handler */
  readonly routes: ReadonlyMap<string, Readonly<Record<string, RouteHandler>>>;
  authenticate(req: SimRequest): AuthResult;
  notFound(req: SimRequest): SimResponse;
  methodNotAllowed(req: SimRequest): SimResponse;
  rateLimited(req: SimRequest): SimResponse;
  /** Headers added to every answer (Synap echoes the correlation id). */
  echoHeaders(req: SimRequest): Record<string, string>;
}

export function owns(upstream: Upstream, path: string): boolean {
  return path === upstream.prefix || path.startsWith(`${upstream.prefix}/`);
}
