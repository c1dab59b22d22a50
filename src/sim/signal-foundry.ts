// Signal Foundry's API: GET /api/signal-foundry/credits (summary) and
// GET /api/signal-foundry/credits/balance, with its key rules and its
// `{"error":{"code","message","hint"}}` envelope.

import { bearerToken, hasAuthorization } from './auth.js';
import { header, json, type SimRequest, type SimResponse } from './http.js';
import type { SignalFoundryAccount } from './signal-account.js';
import type { AuthResult, RouteHandler, Upstream } from './upstream.js';

export const SIGNAL_FOUNDRY_PREFIX = '/api/signal-foundry';

function sfError(status: number, code: string, message: string, hint?: string): SimResponse {
  return json(status, { error: hint === undefined ? { code, message } : { code, message, hint } });
}

const KEY_HINT = 'Issue a new API key and configure it (sf auth setup).';

function authenticate(req: SimRequest, validKey: string): AuthResult {
  const bearer = bearerToken(req.headers);
  const xApiKey = header(req.headers, 'x-api-key');
  if (bearer !== undefined && xApiKey !== undefined && bearer !== xApiKey) {
    return {
      ok: false,
      response: sfError(400, 'api_key_conflict', 'Authorization and x-api-key carry different keys.', 'Send the key in exactly one header.'),
    };
  }
  // A malformed Authorization header is not silently replaced by x-api-key.
  const presented = hasAuthorization(req.headers) ? bearer : xApiKey;
  if (presented === validKey) return { ok: true, key: presented };
  if (presented === `${validKey}_expired`) {
    return { ok: false, response: sfError(401, 'api_key_expired', 'The API key has expired.', 'Replace it with an active API key.') };
  }
  if (presented === `${validKey}_revoked`) {
    return { ok: false, response: sfError(401, 'api_key_revoked', 'The API key has been revoked.', 'Replace it with an active API key.') };
  }
  const sentAny = hasAuthorization(req.headers) || xApiKey !== undefined;
  const message = sentAny ? 'The API key is not valid.' : 'An API key is required.';
  return { ok: false, response: sfError(401, 'invalid_api_key', message, KEY_HINT) };
}

/** A decimal integer query parameter in [min, max], its default when absent, or null when invalid. */
function intInRange(raw: string | undefined, fallback: number, min: number, max: number): number | null {
  if (raw === undefined) return fallback;
  if (!/^[0-9]+$/.test(raw)) return null;
  const n = Number(raw);
  return n >= min && n <= max ? n : null;
}

const summary =
  (account: SignalFoundryAccount): RouteHandler =>
  (req) => {
    const days = intInRange(req.query.days, 30, 1, 365);
    const limit = intInRange(req.query.limit, 10, 1, 100);
    if (days === null || limit === null) {
      const what = days === null ? `days must be an integer from 1 to 365 (got "${req.query.days}")` : `limit must be an integer from 1 to 100 (got "${req.query.limit}")`;
      return sfError(400, 'invalid_query', `Invalid query: ${what}.`, 'Use days 1..365 and limit 1..100.');
    }
    return json(200, account.summary(days, limit, req.nowMs));
  };

const balance =
  (account: SignalFoundryAccount): RouteHandler =>
  (req) =>
    json(200, { balance: account.balance(req.nowMs) });

export function signalFoundryUpstream(account: SignalFoundryAccount, key: string): Upstream {
  return {
    prefix: SIGNAL_FOUNDRY_PREFIX,
    routes: new Map([
      [`${SIGNAL_FOUNDRY_PREFIX}/credits`, { GET: summary(account) }],
      [`${SIGNAL_FOUNDRY_PREFIX}/credits/balance`, { GET: balance(account) }],
    ]),
    authenticate: (req) => authenticate(req, key),
    notFound: (req) => sfError(404, 'not_found', `No route for ${req.path}.`),
    methodNotAllowed: (req) => sfError(405, 'method_not_allowed', `${req.method} is not allowed on ${req.path}.`),
    rateLimited: () => sfError(429, 'rate_limit_exceeded', 'Too many requests.', 'Wait Retry-After seconds before retrying.'),
    echoHeaders: () => ({}),
  };
}
