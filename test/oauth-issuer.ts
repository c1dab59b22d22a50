// A small authorization server for the attack cases: its RFC 8414 metadata and a JWKS on
// loopback (every fetch of the keys counted), its signing keys, and tokens signed with jose,
// good ones and each kind of bad one.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, exportSPKI, generateKeyPair, SignJWT, type JWK, type JWTPayload, type CryptoKey } from 'jose';

export interface TestIssuer {
  /** `http://127.0.0.1:PORT`, as the tokens' `iss` and the metadata name it. */
  issuer: string;
  /** Fetches of the JWKS so far. */
  jwksFetches(): number;
  /** A token signed with the published ES256 key (`kid` es-1), with these claims over the defaults. */
  sign(claims?: JWTPayload, options?: { omit?: string[]; header?: Record<string, unknown>; key?: 'published' | 'unpublished' | 'rsa' | 'rotated' }): Promise<string>;
  /** From now on the JWKS answers 503 (true), or the keys again (false). */
  failJwks(failing: boolean): void;
  /** Publishes a second ES256 key (`kid` es-2), as an issuer rotating its keys does. */
  rotate(): Promise<void>;
  /** The published RSA key's public half, as SPKI PEM (what an HS256 forgery is keyed with). */
  rsaPublicPem: string;
  rsaPublicJwk: JWK;
  close(): Promise<void>;
}

export async function startTestIssuer(defaults: { audience: string; scope?: string }): Promise<TestIssuer> {
  const published = await generateKeyPair('ES256', { extractable: true });
  const unpublished = await generateKeyPair('ES256', { extractable: true });
  const rsa = await generateKeyPair('RS256', { extractable: true });
  const jwks = {
    keys: [
      { ...(await exportJWK(published.publicKey)), kid: 'es-1', alg: 'ES256', use: 'sig' },
      { ...(await exportJWK(rsa.publicKey)), kid: 'rsa-1', alg: 'RS256', use: 'sig' },
    ],
  };
  let fetches = 0;
  let failing = false;
  const rotated = await generateKeyPair('ES256', { extractable: true });
  let issuer = '';
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const json = (body: unknown) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (path === '/.well-known/oauth-authorization-server') {
      return json({
        issuer,
        authorization_endpoint: `${issuer}/authorize`,
        token_endpoint: `${issuer}/token`,
        jwks_uri: `${issuer}/jwks`,
        response_types_supported: ['code'],
        code_challenge_methods_supported: ['S256'],
      });
    }
    if (path === '/jwks') {
      fetches++;
      if (failing) return res.writeHead(503).end();
      return json(jwks);
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const now = () => Math.floor(Date.now() / 1000);
  return {
    issuer,
    jwksFetches: () => fetches,
    rsaPublicPem: await exportSPKI(rsa.publicKey),
    rsaPublicJwk: jwks.keys[1]!,
    async sign(claims = {}, { omit = [], header = {}, key = 'published' } = {}) {
      const payload: JWTPayload = { iss: issuer, aud: defaults.audience, sub: 'user-alice', client_id: 'client-1', scope: defaults.scope ?? 'credits:read', iat: now(), exp: now() + 300, ...claims };
      for (const name of omit) delete payload[name];
      const [signingKey, kid, alg]: [CryptoKey, string, string] =
        key === 'rsa'
          ? [rsa.privateKey, 'rsa-1', 'RS256']
          : key === 'unpublished'
            ? [unpublished.privateKey, 'es-1', 'ES256']
            : key === 'rotated'
              ? [rotated.privateKey, 'es-2', 'ES256']
              : [published.privateKey, 'es-1', 'ES256'];
      return new SignJWT(payload).setProtectedHeader({ alg, kid, typ: 'at+jwt', ...header }).sign(signingKey);
    },
    failJwks: (on) => {
      failing = on;
    },
    async rotate() {
      jwks.keys.push({ ...(await exportJWK(rotated.publicKey)), kid: 'es-2', alg: 'ES256', use: 'sig' });
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** The compact JWT's parts, base64url. */
export function b64url(value: unknown): string {
  return Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
}
