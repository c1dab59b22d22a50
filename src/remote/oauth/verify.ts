// An access token, checked by jose: a JWT signed with one of the issuer's published asymmetric
// keys (never `none`, never an HMAC, whose "key" an attacker could take from the JWKS), from
// that issuer, for this server (RFC 8707: `aud` holds the public URL), with an expiry, and not
// before its `nbf`. What it grants becomes the SDK's AuthInfo; the SDK's bearer gate then checks
// the scopes, the resource and the expiry again and answers 401 or 403.
import { errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { OAuthError, OAuthErrorCode, type AuthInfo, type OAuthTokenVerifier } from '@modelcontextprotocol/server';
import { log } from '../../logger.js';
import { SUBJECT } from '../access-log.js';
import { JWKS_COOLDOWN_MS } from './issuer.js';

/** Asymmetric JWS algorithms only (RFC 7518, RFC 8037). */
export const ALLOWED_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519'];
/** Clocks of the issuer and this server may differ this much (seconds) on `nbf` (the SDK's gate checks `exp` again, strictly). */
export const CLOCK_TOLERANCE_S = 5;

/** The claims kept on AuthInfo.extra for the server's own use (the tenant's claim, the access log). */
export const CLAIMS = 'credit-mcp/claims';

export interface VerifierOptions {
  issuer: string;
  audience: URL;
  keys: JWTVerifyGetKey;
}

export function jwtVerifier({ issuer, audience, keys }: VerifierOptions): OAuthTokenVerifier {
  return {
    async verifyAccessToken(token: string): Promise<AuthInfo> {
      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(token, keys, {
          issuer,
          audience: audience.href,
          algorithms: ALLOWED_ALGORITHMS,
          requiredClaims: ['exp'],
          clockTolerance: CLOCK_TOLERANCE_S,
        }));
      } catch (error) {
        throw refusal(error);
      }
      return {
        token,
        clientId: stringClaim(payload.client_id) ?? stringClaim(payload.azp) ?? 'unknown',
        scopes: scopesOf(payload),
        expiresAt: payload.exp!,
        // jose has checked `aud` holds it; the SDK's gate compares this with the public URL once more.
        resource: audience,
        extra: { [CLAIMS]: payload, ...(stringClaim(payload.sub) ? { [SUBJECT]: stringClaim(payload.sub) } : {}) },
      };
    },
  };
}

/** `scope` (RFC 9068: space-separated), or `scp` as some providers write it (a list, or a string). */
function scopesOf(payload: JWTPayload): string[] {
  const raw = payload.scope ?? payload.scp;
  if (typeof raw === 'string') return raw.split(' ').filter(Boolean);
  if (Array.isArray(raw)) return raw.filter((s): s is string => typeof s === 'string');
  return [];
}

function stringClaim(value: unknown): string | undefined {
  return typeof value === 'string' && value ? value.slice(0, 128) : undefined;
}

/**
 * A bad token is a 401 whose description says which check failed, never echoing what the token
 * held; keys that could not be fetched are the server's failure (500), not the caller's.
 */
function refusal(error: unknown): OAuthError {
  if (error instanceof errors.JWTExpired) return new OAuthError(OAuthErrorCode.InvalidToken, 'The token has expired');
  if (error instanceof errors.JWTClaimValidationFailed) return new OAuthError(OAuthErrorCode.InvalidToken, `The token's ${error.claim} claim is not valid here`);
  if (error instanceof errors.JOSEAlgNotAllowed) return new OAuthError(OAuthErrorCode.InvalidToken, 'The token is not signed with an allowed algorithm');
  if (error instanceof errors.JWSSignatureVerificationFailed) return new OAuthError(OAuthErrorCode.InvalidToken, 'The token signature does not verify');
  if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys) {
    return new OAuthError(OAuthErrorCode.InvalidToken, 'The token is not signed with a key the issuer publishes');
  }
  if (error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid || !(error instanceof errors.JOSEError) || error.code === 'ERR_JOSE_GENERIC') {
    warnKeysUnreadable((error as Error).message);
    return new OAuthError(OAuthErrorCode.ServerError, 'The issuer keys could not be read');
  }
  return new OAuthError(OAuthErrorCode.InvalidToken, 'The token is not a valid signed JWT');
}

let lastWarned = -Infinity;
/** Once per cooldown, not once per request: requests during an outage would otherwise flood the log. */
function warnKeysUnreadable(reason: string): void {
  if (Date.now() - lastWarned < JWKS_COOLDOWN_MS) return;
  lastWarned = Date.now();
  log.warn('oauth: the issuer keys could not be read; tokens cannot be verified (500) until they can', { reason });
}
