// Every documented upstream error, produced for real by the simulator, comes back as an
// isError result with the upstream code, the HTTP status and the next step.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ProviderRegistry } from '../src/providers/registry.js';
import { checkBalance } from '../src/tools/check-balance.js';
import { getCreditSummary } from '../src/tools/get-credit-summary.js';
import { callTool, registryFor, startSimulator, type Simulator } from './helpers.js';

let sim: Simulator;
let registry: ProviderRegistry;

beforeAll(async () => {
  sim = await startSimulator();
  registry = registryFor(sim, { CREDIT_MCP_TIMEOUT_MS: '1500' });
});
afterEach(() => sim.clearFaults());
afterAll(async () => {
  await registry.closeAll();
  await sim.close();
});

const balance = (provider: string, reg = registry) => callTool(checkBalance, reg, { provider });

describe('Signal Foundry errors', () => {
  it.each([
    ['expired', 'api_key_expired', /Replace SIGNAL_FOUNDRY_API_KEY/],
    ['revoked', 'api_key_revoked', /Replace SIGNAL_FOUNDRY_API_KEY/],
  ])('a %s key answers 401 %s', async (suffix, code, next) => {
    const reg = registryFor(sim, { SIGNAL_FOUNDRY_API_KEY: `${sim.keys.signalFoundry}_${suffix}` });
    const { result, text } = await balance('signal-foundry', reg);
    await reg.closeAll();
    expect(result.isError).toBe(true);
    expect(text).toContain(`${code} (HTTP 401)`);
    expect(text).toMatch(next);
    expect(text).not.toContain(sim.keys.signalFoundry);
  });

  it('an unknown key answers 401 invalid_api_key', async () => {
    const reg = registryFor(sim, { SIGNAL_FOUNDRY_API_KEY: 'sf_not_a_real_key_123' });
    const { text } = await balance('signal-foundry', reg);
    await reg.closeAll();
    expect(text).toContain('invalid_api_key (HTTP 401)');
    expect(text).toMatch(/Issue a new API key/);
  });

  it.each([
    [{ error: { code: 'invalid_query', message: 'days out of range', hint: 'days 1..365' } }, 400, 'invalid_query'],
    [{ error: { code: 'api_key_conflict', message: 'two keys' } }, 400, 'api_key_conflict'],
    [{ error: 'invalid_api_key', message: 'bad key' }, 401, 'invalid_api_key'],
    [{ code: 'api_key_revoked', message: 'revoked' }, 401, 'api_key_revoked'],
  ])('reads the envelope %j', async (body, status, code) => {
    sim.injectFault({ match: '/api/signal-foundry', kind: 'status', status, body });
    const { result, text } = await balance('signal-foundry');
    expect(result.isError).toBe(true);
    expect(text).toContain(`${code} (HTTP ${status})`);
  });

  it('reports a long Retry-After at once, without waiting', async () => {
    sim.injectFault({ match: '/api/signal-foundry', kind: 'status', status: 429, times: 5, headers: { 'retry-after': '120' }, body: { error: { code: 'rate_limit_exceeded', message: 'slow down' } } });
    const before = sim.stats.requests;
    const { text } = await balance('signal-foundry');
    expect(text).toContain('rate_limit_exceeded (HTTP 429)');
    expect(text).toContain('retry_after_seconds: 120');
    expect(text).toContain('Wait 120 s');
    expect(sim.stats.requests - before).toBe(1);
  });

  it('waits out a short Retry-After and succeeds', async () => {
    sim.injectFault({ match: '/api/signal-foundry', kind: 'status', status: 429, headers: { 'retry-after': '1' }, body: { error: { code: 'rate_limit_exceeded', message: 'slow down' } } });
    const before = sim.stats.requests;
    const { result, data } = await balance('signal-foundry');
    expect(result.isError).toBeFalsy();
    expect(data!.available_credits).toBe(sim.signalFoundry.balance().available_credits);
    expect(sim.stats.requests - before).toBe(2);
  });

  it('reports an HTML error page by its status alone, never echoing it', async () => {
    sim.injectFault({ match: '/api/signal-foundry', kind: 'status', status: 502, times: 3, body: '<html><body>Bad Gateway <script>x</script></body></html>', contentType: 'text/html' });
    const { result, text } = await callTool(getCreditSummary, registry, { provider: 'signal-foundry' });
    expect(result.isError).toBe(true);
    expect(text).toContain('upstream_unavailable (HTTP 502)');
    expect(text).not.toContain('<html');
    expect(text).toMatch(/retry in a minute/);
  });
});

describe('Synap errors', () => {
  it('a wrong key answers 401 CREDENTIAL_INVALID, with the correlation id', async () => {
    const reg = registryFor(sim, { SYNAP_API_KEY: 'synap_wrong_key_000' });
    const { text } = await balance('synap', reg);
    await reg.closeAll();
    expect(text).toContain('CREDENTIAL_INVALID (HTTP 401)');
    expect(text).toMatch(/correlation_id: [0-9a-f-]{36}/);
    expect(text).toMatch(/SYNAP_API_KEY/);
  });

  it.each([
    [403, { error: 'Forbidden', code: 'FORBIDDEN', details: {} }, 'FORBIDDEN', /allowed to read credits/],
    [400, { error: 'Bad input', code: 'INVALID_INPUT', details: {} }, 'INVALID_INPUT', /allowed ranges/],
    [401, { error: 'Missing key', code: 'UNAUTHORIZED', details: {} }, 'UNAUTHORIZED', /synap_/],
    [422, { detail: [{ loc: ['query', 'limit'], msg: 'Input should be less than or equal to 100', type: 'less_than_equal' }] }, 'invalid_input', /limit: Input should be/],
    [402, { detail: { balance_credits: 1, minimum_required_credits: 5, recovery_url: 'https://example.test/topup', redeem_url: 'https://example.test/redeem' } }, 'insufficient_credits', /Top up at https:\/\/example.test\/topup/],
    [404, { detail: 'Not Found' }, 'not_found', /base URL/],
    [429, { error: 'Rate limit exceeded', code: 'RATE_LIMITED', details: {} }, 'RATE_LIMITED', /retry_after_seconds: 60/],
  ])('HTTP %i %j', async (status, body, code, next) => {
    sim.injectFault({ match: '/v1/credits', kind: 'status', status, body, headers: { 'retry-after': '60' } });
    const { result, text } = await balance('synap');
    expect(result.isError).toBe(true);
    expect(text).toContain(`${code} (HTTP ${status})`);
    expect(text).toMatch(next);
    expect(text).toMatch(/correlation_id: [0-9a-f-]{36}/);
  });

  it('retries a transient 503 and succeeds', async () => {
    sim.injectFault({ match: '/v1/credits/balance', kind: 'status', status: 503, body: '' });
    const { result, data } = await balance('synap');
    expect(result.isError).toBeFalsy();
    expect(data!.available_credits).toBe(sim.synap.balance().balance_credits);
  });

  it('gives up on a persistent 500 after a bounded number of tries', async () => {
    sim.injectFault({ match: '/v1/credits/balance', kind: 'status', status: 500, times: 10, body: { detail: 'boom' } });
    const before = sim.stats.requests;
    const { text } = await balance('synap');
    expect(text).toContain('upstream_unavailable (HTTP 500)');
    expect(sim.stats.requests - before).toBe(3);
  });

  it('times out a hung upstream with a clear error, and the next call works', async () => {
    sim.injectFault({ match: '/v1/credits/balance', kind: 'hang' });
    const { text } = await balance('synap');
    expect(text).toContain('timeout');
    expect(text).toMatch(/did not answer within 1500 ms/);
    const next = await balance('synap');
    expect(next.result.isError).toBeFalsy();
  });

  it('reports a 200 with a body that is not JSON', async () => {
    sim.injectFault({ match: '/v1/credits/balance', kind: 'status', status: 200, body: '{"balance_credits": 12', contentType: 'application/json' });
    const { text } = await balance('synap');
    expect(text).toContain('malformed_body (HTTP 200)');
  });

  it('reports a 200 of the wrong shape, naming the field', async () => {
    sim.injectFault({ match: '/v1/credits/balance', kind: 'status', status: 200, body: { balance_credits: 'lots', buckets: [] } });
    const { text } = await balance('synap');
    expect(text).toContain('unexpected_shape (HTTP 200)');
    expect(text).toContain('balance_credits is not a number');
  });
});

describe('an upstream that echoes the key', () => {
  it('never passes the key on to the agent', async () => {
    sim.injectFault({ match: '/v1/credits/balance', kind: 'status', status: 401, body: { error: `Invalid API key ${sim.keys.synap}`, code: 'CREDENTIAL_INVALID', details: {} } });
    const { text } = await balance('synap');
    expect(text).toContain('CREDENTIAL_INVALID (HTTP 401)');
    expect(text).toContain('[redacted]');
    expect(text).not.toContain(sim.keys.synap);
  });
});

describe('an upstream that cannot be reached', () => {
  it('says so, without a correlation id that no support desk could look up', async () => {
    const closed = await startSimulator();
    const url = closed.url;
    await closed.close();
    const reg = registryFor(sim, { SYNAP_BASE_URL: url });
    const { result, text } = await balance('synap', reg);
    await reg.closeAll();
    expect(result.isError).toBe(true);
    expect(text).toContain('connection_failed');
    expect(text).toContain('ECONNREFUSED');
    expect(text).not.toContain('correlation_id');
  });
});
