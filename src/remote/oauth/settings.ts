// Sign-in settings of `credit-mcp http`: which authorization server's tokens it takes, the URL
// they must be issued for, the scopes they must carry, and where the tenants' keys are. Read
// with the other HTTP settings, before anything starts; the verification itself (jose, the
// issuer's metadata and keys) is loaded only when an issuer is set.
import { ConfigError, isLoopback } from '../../config.js';

export interface OAuthSettings {
  /** The authorization server's issuer, exactly as set: its metadata and its tokens' `iss` must name it so (RFC 8414 §3.3). */
  issuer: string;
  /** The server's canonical URL: the RFC 9728 resource and the audience every token must name. */
  publicUrl: URL;
  /** Scopes every token must carry. */
  scopes: string[];
  /** A JSON file naming the token claim that picks a tenant, and each tenant's upstream keys. */
  tenantsFile: string | undefined;
}

export const OAUTH_VARIABLES = ['CREDIT_MCP_OAUTH_ISSUER', 'CREDIT_MCP_PUBLIC_URL', 'CREDIT_MCP_OAUTH_SCOPES', 'CREDIT_MCP_TENANTS_FILE'] as const;
export const DEFAULT_SCOPES = ['credits:read'];
/** RFC 6749's scope-token grammar. */
const SCOPE = /^[\x21\x23-\x5b\x5d-\x7e]{1,128}$/;

/** Undefined when no issuer is set; throws when the sign-in settings are half there or unsafe. */
export function readOAuthSettings(env: NodeJS.ProcessEnv): OAuthSettings | undefined {
  const issuerRaw = nonEmpty(env.CREDIT_MCP_OAUTH_ISSUER);
  const publicRaw = nonEmpty(env.CREDIT_MCP_PUBLIC_URL);
  const others = (['CREDIT_MCP_PUBLIC_URL', 'CREDIT_MCP_OAUTH_SCOPES', 'CREDIT_MCP_TENANTS_FILE'] as const).filter((v) => nonEmpty(env[v]) !== undefined);
  if (!issuerRaw) {
    if (others.length) throw new ConfigError(`${others.join(' and ')} ${others.length > 1 ? 'are' : 'is'} for sign-in with OAuth: set CREDIT_MCP_OAUTH_ISSUER to the authorization server's issuer as well, or unset ${others.length > 1 ? 'them' : 'it'}.`);
    return undefined;
  }
  const issuerUrl = readUrl(issuerRaw, 'CREDIT_MCP_OAUTH_ISSUER', 'https://login.example.com/');
  if (issuerUrl.search || issuerUrl.hash) throw new ConfigError('CREDIT_MCP_OAUTH_ISSUER must have no query string or fragment (RFC 8414).');
  if (!publicRaw) {
    throw new ConfigError('CREDIT_MCP_OAUTH_ISSUER is set but CREDIT_MCP_PUBLIC_URL is not: set it to the URL clients reach this server by (e.g. https://mcp.example.com/mcp); tokens must be issued for it.');
  }
  const publicUrl = readUrl(publicRaw, 'CREDIT_MCP_PUBLIC_URL', 'https://mcp.example.com/mcp');
  if (publicUrl.search || publicUrl.hash) throw new ConfigError('CREDIT_MCP_PUBLIC_URL must have no query string or fragment (RFC 8707 resource identifier).');
  const scopes = readScopes(env.CREDIT_MCP_OAUTH_SCOPES);
  return { issuer: issuerRaw, publicUrl, scopes, tenantsFile: nonEmpty(env.CREDIT_MCP_TENANTS_FILE) };
}

function readScopes(raw: string | undefined): string[] {
  if (nonEmpty(raw) === undefined) return [...DEFAULT_SCOPES];
  const scopes = [...new Set(raw!.split(/[\s,]+/).filter(Boolean))];
  for (const scope of scopes) {
    if (!SCOPE.test(scope)) throw new ConfigError(`CREDIT_MCP_OAUTH_SCOPES: "${scope.slice(0, 40)}" is not a scope (printable ASCII without spaces, quotes or backslashes, up to 128 characters).`);
  }
  return scopes;
}

/** https, or http on loopback: the keys that verify tokens, and the tokens, must not travel in clear text. */
function readUrl(raw: string, variable: string, example: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`${variable} is not a valid URL (e.g. ${example}).`);
  }
  if (url.username || url.password) throw new ConfigError(`${variable} must not contain credentials.`);
  if (url.protocol === 'https:') return url;
  if (url.protocol === 'http:' && isLoopback(url.hostname)) return url;
  throw new ConfigError(`${variable} must use https (plain http is allowed only on loopback: 127.0.0.0/8, localhost, [::1]); got "${url.origin}".`);
}

function nonEmpty(value: string | undefined): string | undefined {
  const v = value?.trim();
  return v ? v : undefined;
}
