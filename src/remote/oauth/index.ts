// Sign-in with OAuth for `credit-mcp http`, loaded only when CREDIT_MCP_OAUTH_ISSUER is set: the
// issuer's metadata and keys, the RFC 9728 document, the SDK's bearer gate over jose's
// verification, and the tenants file. The token is used here and nowhere else: it never goes
// upstream (each tenant's own keys do).
import { requireBearerAuth, type AuthInfo } from '@modelcontextprotocol/server';
import type { OAuthSettings } from './settings.js';
import { openIssuer, type Issuer } from './issuer.js';
import { resourceMetadata, type ResourceMetadata } from './resource-metadata.js';
import { TenantsFile, type TenantKeys } from './tenants-file.js';
import { CLAIMS, jwtVerifier } from './verify.js';

export interface OAuthGate {
  issuer: Issuer;
  metadata: ResourceMetadata;
  /** The caller the Authorization header proves, or the 401/403 (or 500) answer that refuses it. */
  check(authorization: string | undefined): Promise<AuthInfo | Response>;
  /** With a tenants file: the tenant the token's claim names and its keys, or undefined (403). */
  tenants: { pick(auth: AuthInfo): { name: string; keys: TenantKeys } | undefined; claim(): string } | undefined;
  close(): void;
}

export async function openOAuth(settings: OAuthSettings): Promise<OAuthGate> {
  // The tenants file first: a bad one refuses to start without a request to the issuer.
  const file = settings.tenantsFile ? new TenantsFile(settings.tenantsFile) : undefined;
  const issuer = await openIssuer(settings.issuer);
  const metadata = resourceMetadata({
    oauthMetadata: issuer.metadata,
    resourceServerUrl: settings.publicUrl,
    scopesSupported: settings.scopes,
    resourceName: 'credit-mcp',
    // The SDK takes http only for `localhost` and 127.0.0.1; the settings have already limited
    // http to loopback (127.0.0.0/8 and [::1] too), so this widens nothing beyond this machine.
    dangerouslyAllowInsecureIssuerUrl: new URL(settings.issuer).protocol === 'http:',
  });
  const gate = requireBearerAuth({
    verifier: jwtVerifier({ issuer: settings.issuer, audience: settings.publicUrl, keys: issuer.keys }),
    requiredScopes: settings.scopes,
    resourceMetadataUrl: metadata.url,
    expectedResource: settings.publicUrl,
  });
  const claims = (auth: AuthInfo) => (auth.extra?.[CLAIMS] ?? {}) as Record<string, unknown>;
  const stopWatching = file?.watchHangup();
  return {
    issuer,
    metadata,
    // Only the header: a token in the query string (or the body) counts as none.
    check: (authorization) => gate(requestWith(settings.publicUrl, authorization)),
    tenants: file && { pick: (auth) => file.pick(claims(auth)), claim: () => file.current.claim },
    close: () => stopWatching?.(),
  };
}

/** The gate reads a web Request; a header value fetch's Headers refuses is a header that carries no token. */
function requestWith(url: URL, authorization: string | undefined): Request {
  try {
    return new Request(url, authorization === undefined ? {} : { headers: { authorization } });
  } catch {
    return new Request(url);
  }
}
