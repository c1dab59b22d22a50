// Maximem Synap's API: the ledger, the balance and the estimate under /v1, with
// its key rules, its `{"error","code","details"}` envelope and FastAPI's
// `{"detail": ...}` answers for validation and routing.

import { bearerToken } from './auth.js';
import { header, json, type SimRequest, type SimResponse } from './http.js';
import { estimate } from './synap-estimate.js';
import type { SynapLedger } from './synap-ledger.js';
import { queryDatetime, queryInt, type ValidationItem } from './synap-validation.js';
import type { SynapPageLimit } from './types.js';
import type { AuthResult, RouteHandler, Upstream } from './upstream.js';

export const SYNAP_PREFIX = '/v1';

export function synapError(status: number, code: string, message: string): SimResponse {
  return json(status, { error: message, code, details: {} });
}

function authenticate(req: SimRequest, validKey: string): AuthResult {
  if (header(req.headers, 'authorization') === undefined) {
    return { ok: false, response: synapError(401, 'UNAUTHORIZED', 'Missing API key') };
  }
  const token = bearerToken(req.headers);
  if (token !== validKey) return { ok: false, response: synapError(401, 'CREDENTIAL_INVALID', 'Invalid API key') };
  return { ok: true, key: token };
}

const ledger =
  (store: SynapLedger, pageLimit: () => SynapPageLimit, unservedRows: () => number): RouteHandler =>
  (req) => {
    const { max, over } = pageLimit();
    const from = queryDatetime(req.query.from, 'from');
    const to = queryDatetime(req.query.to, 'to');
    const limit = queryInt(req.query.limit, 'limit', { ge: 1, ...(over === 'refuse' ? { le: max } : {}), fallback: Math.min(100, max) });
    const offset = queryInt(req.query.offset, 'offset', { ge: 0, fallback: 0 });
    const problems: ValidationItem[] = [];
    for (const checked of [from, to, limit, offset]) if (!checked.ok) problems.push(checked.item);
    if (!from.ok || !to.ok || !limit.ok || !offset.ok) return json(422, { detail: problems });
    if (from.value !== undefined && to.value !== undefined && from.value > to.value) {
      return synapError(400, 'INVALID_INPUT', 'from must not be after to');
    }
    const found = store.select({ entryType: req.query.entry_type, fromUs: from.value, toUs: to.value });
    const served = Math.min(limit.value, max);
    const echo = over === 'cap-unechoed' ? limit.value : served;
    // An upstream may count rows no page returns any more (deleted or expired, still in its count).
    return json(200, { entries: found.page(offset.value, served), total: found.total + unservedRows(), limit: echo, offset: offset.value });
  };

export function synapUpstream(store: SynapLedger, key: string, pageLimit: () => SynapPageLimit, unservedRows: () => number = () => 0): Upstream {
  return {
    prefix: SYNAP_PREFIX,
    routes: new Map<string, Record<string, RouteHandler>>([
      [`${SYNAP_PREFIX}/credits/ledger`, { GET: ledger(store, pageLimit, unservedRows) }],
      [`${SYNAP_PREFIX}/credits/balance`, { GET: () => json(200, store.balance()) }],
      [`${SYNAP_PREFIX}/credits/estimate`, { POST: (req) => estimate(req.body) }],
    ]),
    authenticate: (req) => authenticate(req, key),
    notFound: () => json(404, { detail: 'Not Found' }),
    methodNotAllowed: () => json(405, { detail: 'Method Not Allowed' }),
    rateLimited: () => synapError(429, 'RATE_LIMITED', 'Rate limit exceeded'),
    echoHeaders: (req): Record<string, string> => {
      const id = header(req.headers, 'x-correlation-id');
      return id === undefined ? {} : { 'x-correlation-id': id };
    },
  };
}
