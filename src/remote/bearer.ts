// Client auth by the bearer tokens in CREDIT_MCP_HTTP_TOKENS: the SDK parses the header and
// builds the 401 challenge; the comparison is ours, in constant time.
import { createHash, timingSafeEqual } from 'node:crypto';
import { bearerAuthChallengeResponse, OAuthError, OAuthErrorCode, verifyBearerToken, type AuthInfo } from '@modelcontextprotocol/server';

/** The caller as a token names it, or the answer that refuses it (401 with `WWW-Authenticate: Bearer`). */
export type TokenCheck = (authorization: string | undefined) => Promise<AuthInfo | Response>;

/** Static tokens do not expire; the SDK wants an expiry on every token, so theirs is the far future. */
const NEVER = Number.MAX_SAFE_INTEGER;

export function tokenCheck(tokens: readonly string[]): TokenCheck {
  // Digests have one length, so timingSafeEqual compares every token the same way whatever was sent.
  const digests = tokens.map(digest);
  const verifier = {
    async verifyAccessToken(token: string): Promise<AuthInfo> {
      const presented = digest(token);
      let match = -1;
      // Every token is compared, matched or not: how long this takes says nothing about which one matched.
      digests.forEach((d, i) => {
        if (timingSafeEqual(d, presented) && match < 0) match = i;
      });
      if (match < 0) throw new OAuthError(OAuthErrorCode.InvalidToken, 'Unknown bearer token');
      return { token, clientId: `token ${match + 1}`, scopes: [], expiresAt: NEVER };
    },
  };
  return async (authorization) => {
    try {
      return await verifyBearerToken(authorization, { verifier });
    } catch (error) {
      return bearerAuthChallengeResponse(error);
    }
  };
}

function digest(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}
