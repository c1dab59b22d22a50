// The issuer's keys as the server caches them (src/remote/oauth/issuer.ts over jose's
// createRemoteJWKSet), against the test issuer on loopback, the clock moved by hand: a flood of
// tokens under unknown kids costs the issuer at most one fetch per cooldown, healthy or down; a
// rotated-in key is picked up on its first token once the cooldown is over; keys that cannot be
// read make verification a server error (500), not a refused token.
import { OAuthError, OAuthErrorCode } from '@modelcontextprotocol/server';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { JWKS_COOLDOWN_MS, openIssuer, type Issuer } from '../src/remote/oauth/issuer.js';
import { jwtVerifier } from '../src/remote/oauth/verify.js';
import { startTestIssuer, type TestIssuer } from './oauth-issuer.js';

const AUDIENCE = 'https://mcp.example.com/mcp';
let idp: TestIssuer;
let issuer: Issuer;
let verify: (token: string) => Promise<unknown>;

beforeAll(async () => {
  idp = await startTestIssuer({ audience: AUDIENCE });
  start = Date.now();
  issuer = await openIssuer(idp.issuer);
  const verifier = jwtVerifier({ issuer: idp.issuer, audience: new URL(AUDIENCE), keys: issuer.keys });
  verify = (token) => verifier.verifyAccessToken(token);
});
afterAll(() => idp?.close());
afterEach(() => {
  vi.useRealTimers();
  idp.failJwks(false);
});

/** The clock jose and the hold-off read, set to `ms` after the keys were first read (never back). */
let start = 0;
function later(ms: number): void {
  vi.useFakeTimers({ toFake: ['Date'], now: start + ms });
}

async function codeOf(token: string): Promise<string> {
  const error = await verify(token).then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(OAuthError);
  return (error as OAuthError).code;
}

describe('the issuer keys cache', () => {
  it('read once at start-up', () => {
    expect(idp.jwksFetches()).toBe(1);
    expect((issuer.keys.jwks()?.keys ?? []).length).toBe(2);
  });

  it('a known kid verifies from the cache, no fetch', async () => {
    const before = idp.jwksFetches();
    for (let i = 0; i < 10; i++) await verify(await idp.sign());
    expect(idp.jwksFetches()).toBe(before);
  });

  it('forged kids within the cooldown: no fetch at all; after it: one, however many come', async () => {
    const before = idp.jwksFetches();
    for (let i = 0; i < 20; i++) expect(await codeOf(await idp.sign({}, { header: { kid: `forged-a${i}` } }))).toBe(OAuthErrorCode.InvalidToken);
    expect(idp.jwksFetches()).toBe(before);
    later(JWKS_COOLDOWN_MS + 1000);
    for (let i = 0; i < 20; i++) expect(await codeOf(await idp.sign({}, { header: { kid: `forged-b${i}` } }))).toBe(OAuthErrorCode.InvalidToken);
    expect(idp.jwksFetches()).toBe(before + 1);
  });

  it('an issuer that is down: one fetch per cooldown, each token a server error (500), not a 401', async () => {
    later(JWKS_COOLDOWN_MS * 3);
    idp.failJwks(true);
    const before = idp.jwksFetches();
    for (let i = 0; i < 20; i++) expect(await codeOf(await idp.sign({}, { header: { kid: `forged-c${i}` } }))).toBe(OAuthErrorCode.ServerError);
    expect(idp.jwksFetches()).toBe(before + 1);
    later(JWKS_COOLDOWN_MS * 5);
    for (let i = 0; i < 20; i++) await codeOf(await idp.sign({}, { header: { kid: `forged-d${i}` } }));
    expect(idp.jwksFetches()).toBe(before + 2);
  });

  it('a key rotated in verifies on its first token once the cooldown is over', async () => {
    await idp.rotate();
    later(JWKS_COOLDOWN_MS * 7);
    const before = idp.jwksFetches();
    await expect(verify(await idp.sign({}, { key: 'rotated' }))).resolves.toMatchObject({ scopes: ['credits:read'] });
    expect(idp.jwksFetches()).toBe(before + 1);
    await verify(await idp.sign({}, { key: 'rotated' }));
    await verify(await idp.sign());
    expect(idp.jwksFetches()).toBe(before + 1);
  });
});
