// From a request to an answer, the same way for both upstreams: pick the
// upstream by path prefix, then route (404/405), authenticate, spend a
// rate-limit token, and only then run the handler.

import { json, withHeaders, type SimRequest, type SimResponse } from './http.js';
import type { RateLimiter } from './rate-limit.js';
import { owns, type Upstream } from './upstream.js';

export interface RouterContext {
  upstreams: readonly Upstream[];
  rateLimiter(): RateLimiter | undefined;
  onRateLimited(): void;
}

export function answer(req: SimRequest, ctx: RouterContext): SimResponse {
  const upstream = ctx.upstreams.find((u) => owns(u, req.path));
  if (!upstream) return json(404, { detail: 'Not Found' });
  const echo = upstream.echoHeaders(req);

  const route = upstream.routes.get(req.path);
  if (!route) return withHeaders(upstream.notFound(req), echo);
  const handler = route[req.method];
  if (!handler) return withHeaders(upstream.methodNotAllowed(req), { ...echo, allow: Object.keys(route).join(', ') });

  const auth = upstream.authenticate(req);
  if (!auth.ok) return withHeaders(auth.response, echo);

  let limitHeaders: Record<string, string> = {};
  const limiter = ctx.rateLimiter();
  if (limiter) {
    // Buckets are per upstream too: the same key string on both APIs is two clients.
    const decision = limiter.take(`${upstream.prefix} ${auth.key}`);
    limitHeaders = decision.headers;
    if (!decision.allowed) {
      ctx.onRateLimited();
      return withHeaders(upstream.rateLimited(req), { ...echo, ...limitHeaders });
    }
  }

  try {
    return withHeaders(handler(req), { ...echo, ...limitHeaders });
  } catch (error) {
    process.stderr.write(`[simulator] ${req.method} ${req.path} failed: ${error instanceof Error ? error.stack : String(error)}\n`);
    return withHeaders(json(500, { detail: 'Internal Server Error' }), echo);
  }
}
