// The authorization server as a resource server needs it: its metadata (RFC 8414, or OpenID
// discovery), read once at start-up, and its signing keys (the metadata's jwks_uri), cached by
// jose's createRemoteJWKSet. jose fetches the keys again for a `kid` it does not know, at most
// once per cooldown; a failed fetch is held off for as long, so a stream of forged tokens (or an
// issuer that is down) costs the issuer at most one request per interval, not one per request.
import { createRemoteJWKSet, customFetch, type JWTVerifyGetKey } from 'jose';
import type { AuthorizationServerMetadata } from '@modelcontextprotocol/server';
import { ConfigError, isLoopback } from '../../config.js';

/** How long fetched keys answer an unknown `kid` before asking the issuer again; also the hold-off after a failed fetch. */
export const JWKS_COOLDOWN_MS = 30_000;
/** Keys older than this are fetched again before use, so a key the issuer withdrew stops verifying. */
export const JWKS_MAX_AGE_MS = 10 * 60_000;
const FETCH_TIMEOUT_MS = 5000;

export interface Issuer {
  metadata: AuthorizationServerMetadata;
  /** Where the metadata was found. */
  metadataUrl: string;
  jwksUri: URL;
  keys: JWTVerifyGetKey & { reload(): Promise<void>; jwks(): { keys: unknown[] } | undefined };
}

/** The URLs RFC 8414 §3.1 and OpenID Connect Discovery put an issuer's metadata at, in the order clients try them. */
export function metadataUrls(issuer: string): string[] {
  const url = new URL(issuer);
  const path = url.pathname.replace(/\/$/, '');
  const at = (wellKnown: string, appended = false) => (appended ? `${issuer.replace(/\/$/, '')}/.well-known/${wellKnown}` : `${url.origin}/.well-known/${wellKnown}${path}`);
  return [...new Set([at('oauth-authorization-server'), ...(path ? [at('openid-configuration')] : []), at('openid-configuration', true)])];
}

/** Reads the issuer's metadata; a ConfigError says which URLs were tried and what was wrong. */
export async function discoverIssuer(issuer: string, fetchImpl: typeof fetch = fetch): Promise<{ metadata: AuthorizationServerMetadata; metadataUrl: string }> {
  const tried: string[] = [];
  for (const url of metadataUrls(issuer)) {
    let response: Response;
    try {
      // Never redirected: the metadata must come from the issuer's own URL.
      response = await fetchImpl(url, { headers: { accept: 'application/json' }, redirect: 'manual', signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
    } catch (error) {
      tried.push(`${url}: ${(error as Error).name === 'TimeoutError' ? `no answer in ${FETCH_TIMEOUT_MS} ms` : 'unreachable'}`);
      continue;
    }
    if (response.status !== 200) {
      await response.body?.cancel();
      tried.push(`${url}: HTTP ${response.status}`);
      continue;
    }
    let metadata: Record<string, unknown>;
    try {
      metadata = (await response.json()) as Record<string, unknown>;
    } catch {
      tried.push(`${url}: not JSON`);
      continue;
    }
    return { metadata: checkMetadata(metadata, issuer, url), metadataUrl: url };
  }
  throw new ConfigError(`CREDIT_MCP_OAUTH_ISSUER ${issuer}: no authorization server metadata found (${tried.join('; ')}).`);
}

function checkMetadata(metadata: Record<string, unknown>, issuer: string, url: string): AuthorizationServerMetadata {
  // RFC 8414 §3.3: the metadata must name the very issuer it was fetched for, or it is not to be used.
  if (metadata.issuer !== issuer) {
    throw new ConfigError(`CREDIT_MCP_OAUTH_ISSUER ${issuer}: the metadata at ${url} names the issuer ${JSON.stringify(String(metadata.issuer)).slice(0, 200)}; set CREDIT_MCP_OAUTH_ISSUER to exactly the issuer its tokens carry.`);
  }
  for (const field of ['authorization_endpoint', 'token_endpoint', 'jwks_uri'] as const) {
    if (typeof metadata[field] !== 'string') throw new ConfigError(`CREDIT_MCP_OAUTH_ISSUER ${issuer}: the metadata at ${url} has no ${field}.`);
  }
  const jwks = new URL(metadata.jwks_uri as string);
  if (jwks.protocol !== 'https:' && !(jwks.protocol === 'http:' && isLoopback(jwks.hostname))) {
    throw new ConfigError(`CREDIT_MCP_OAUTH_ISSUER ${issuer}: its jwks_uri ${jwks.origin} is not https (plain http only on loopback), so the keys that verify tokens could be swapped on the way.`);
  }
  return metadata as unknown as AuthorizationServerMetadata;
}

/** The issuer's metadata and its keys, fetched once here so a wrong issuer refuses to start rather than refusing every token. */
export async function openIssuer(issuer: string, fetchImpl: typeof fetch = fetch): Promise<Issuer> {
  const { metadata, metadataUrl } = await discoverIssuer(issuer, fetchImpl);
  const jwksUri = new URL(metadata.jwks_uri as string);
  let failedAt = -Infinity;
  const heldOff: typeof fetch = async (input, init) => {
    if (Date.now() - failedAt < JWKS_COOLDOWN_MS) throw new Error('the last fetch of the issuer keys failed; not asking again yet');
    try {
      const response = await fetchImpl(input, init);
      if (response.status !== 200) failedAt = Date.now();
      return response;
    } catch (error) {
      failedAt = Date.now();
      throw error;
    }
  };
  const keys = createRemoteJWKSet(jwksUri, {
    cooldownDuration: JWKS_COOLDOWN_MS,
    cacheMaxAge: JWKS_MAX_AGE_MS,
    timeoutDuration: FETCH_TIMEOUT_MS,
    [customFetch]: heldOff,
  });
  try {
    await keys.reload();
  } catch (error) {
    throw new ConfigError(`CREDIT_MCP_OAUTH_ISSUER ${issuer}: its keys at ${jwksUri.href} could not be read (${(error as Error).message}).`);
  }
  return { metadata, metadataUrl, jwksUri, keys: keys as Issuer['keys'] };
}
