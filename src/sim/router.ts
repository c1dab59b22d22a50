// From a request to an answer, the same way for both upstreams: pick the
// upstream by path prefix, then route (404/405), authenticate, spend a
// rate-limit token, and only then run the handler. With several accounts, each
// API is listed once per account: the key picks the account.

import { json, withHeaders, type SimRequest, type SimResponse } from './http.js';
import type { RateLimiter } from './rate-limit.js';
import { owns, type Upstream } from './upstream.js';

export interface RouterContext {
  upstreams: readonly Upstream[];
  rateLimiter(): RateLimiter | undefined;
  onRateLimited(): void;
}

export function answer(req: SimRequest, ctx: RouterContext): SimResponse {
  const owners = ctx.upstreams.filter((u) => owns(u, req.path));
  const first = owners[0];
  if (!first) return json(404, { detail: 'Not Found' });
  const echo = first.echoHeaders(req);

  const firstRoute = first.routes.get(req.path);
  if (!firstRoute) return withHeaders(first.notFound(req), echo);
  if (!firstRoute[req.method]) return withHeaders(first.methodNotAllowed(req), { ...echo, allow: Object.keys(firstRoute).join(', ') });

  // The account whose key this is; when none, the first account's refusal.
  let upstream = first;
  let auth = first.authenticate(req);
  for (const other of owners.slice(1)) {
    if (auth.ok) break;
    const tried = other.authenticate(req);
    if (tried.ok) [upstream, auth] = [other, tried];
  }
  if (!auth.ok) return withHeaders(auth.response, echo);
  const handler = upstream.routes.get(req.path)![req.method]!;

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
