// `credit-mcp http`'s own settings, read from flags and the environment like the rest of the
// configuration, and the start-up refusals that keep a remote server from opening a key to
// anyone who can reach it.
import { ConfigError, PROVIDER_ENV, integer, isLoopback, parseInteger, readBaseUrl, setting, type Config, type ConfigFlags } from '../config.js';
import { PROVIDER_IDS, type ProviderId } from '../core/model.js';
import { OAUTH_VARIABLES, readOAuthSettings, type OAuthSettings } from './oauth/settings.js';

export interface HttpSettings {
  /** Interface to bind, as listen() takes it (IPv6 without brackets). */
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** Bearer tokens clients must send; empty when no client auth is asked for. */
  tokens: string[];
  /** Each request brings its own upstream keys in headers; the server holds none. */
  keysFromRequest: boolean;
  /** Host names (lowercase, no port) clients may reach the server by, besides loopback names on a loopback bind. */
  allowedHosts: string[];
  /** How long SIGTERM waits for calls in flight. */
  graceMs: number;
  /** Where each provider's API is, for keys that come with requests. */
  baseUrls: Record<ProviderId, URL>;
  /** A port of its own for `GET /metrics` (0 picks a free one); unset: /metrics is on the main port, behind the token. */
  metricsPort: number | undefined;
  /** Sign-in with OAuth: set when CREDIT_MCP_OAUTH_ISSUER is. */
  oauth: OAuthSettings | undefined;
  /** The fleet's shared store (Redis or Valkey); unset: this instance alone, in memory. */
  redisUrl: URL | undefined;
}

export const HTTP_DEFAULTS = { host: '127.0.0.1', port: 8080, graceMs: 10_000 } as const;
/** The variables only `credit-mcp http` reads. */
export const HTTP_VARIABLES = [
  'CREDIT_MCP_HTTP_HOST',
  'CREDIT_MCP_HTTP_PORT',
  'CREDIT_MCP_HTTP_TOKENS',
  'CREDIT_MCP_KEYS_FROM_REQUEST',
  'CREDIT_MCP_HTTP_ALLOWED_HOSTS',
  'CREDIT_MCP_HTTP_GRACE_MS',
  'CREDIT_MCP_METRICS_PORT',
  ...OAUTH_VARIABLES,
  'CREDIT_MCP_REDIS_URL',
] as const;
const TOKEN = /^[\x21-\x2b\x2d-\x7e]{16,512}$/;
const HOST_NAME = /^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*$|^\[[0-9a-f:.]+\]$/;

export function readHttpSettings(env: NodeJS.ProcessEnv, flags: ConfigFlags): HttpSettings {
  const port = integer(env, flags, 'port', 'CREDIT_MCP_HTTP_PORT', 0, 65_535, HTTP_DEFAULTS.port);
  return {
    host: readHttpHost(env, flags),
    port,
    tokens: readTokens(env),
    keysFromRequest: readKeysFromRequest(env, flags),
    allowedHosts: readAllowedHosts(env),
    graceMs: readGraceMs(env),
    baseUrls: Object.fromEntries(PROVIDER_IDS.map((id) => [id, readBaseUrl(env, flags, id)])) as Record<ProviderId, URL>,
    metricsPort: readMetricsPort(env, flags, port),
    oauth: readOAuthSettings(env),
    redisUrl: readRedisUrl(env, flags),
  };
}

/** redis:// or rediss:// (TLS), with a host, and a user and password if the store wants them; the value is never echoed (it may hold a password). */
export function readRedisUrl(env: NodeJS.ProcessEnv, flags: ConfigFlags): URL | undefined {
  const raw = setting(env, flags, 'redis-url', 'CREDIT_MCP_REDIS_URL');
  if (raw === undefined) return undefined;
  const refuse = (why: string) =>
    new ConfigError(`CREDIT_MCP_REDIS_URL (--redis-url) ${why}: use redis://[user:password@]host[:port][/db] or rediss:// for TLS (its value is not shown: it may hold a password).`);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw refuse('is not a URL');
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') throw refuse(`has the scheme "${url.protocol.slice(0, 12)}"`);
  if (!url.hostname) throw refuse('names no host');
  if (url.pathname && url.pathname !== '/' && !/^\/\d{1,2}$/.test(url.pathname)) throw refuse('has a path that is not a database number');
  if (url.search || url.hash) throw refuse('has a query or a fragment');
  return url;
}

export function readMetricsPort(env: NodeJS.ProcessEnv, flags: ConfigFlags, mainPort: number): number | undefined {
  const raw = setting(env, flags, 'metrics-port', 'CREDIT_MCP_METRICS_PORT');
  if (raw === undefined) return undefined;
  const port = parseInteger(raw, 'CREDIT_MCP_METRICS_PORT (--metrics-port)', 0, 65_535);
  if (port !== 0 && port === mainPort) {
    throw new ConfigError(`CREDIT_MCP_METRICS_PORT (--metrics-port) ${port} is the MCP port too (CREDIT_MCP_HTTP_PORT, --port): pick another, or leave it unset to serve /metrics on the MCP port.`);
  }
  return port;
}

export function readGraceMs(env: NodeJS.ProcessEnv): number {
  const raw = env.CREDIT_MCP_HTTP_GRACE_MS;
  return raw === undefined || raw.trim() === '' ? HTTP_DEFAULTS.graceMs : parseInteger(raw, 'CREDIT_MCP_HTTP_GRACE_MS', 0, 600_000);
}

export function readHttpHost(env: NodeJS.ProcessEnv, flags: ConfigFlags): string {
  const raw = setting(env, flags, 'host', 'CREDIT_MCP_HTTP_HOST') ?? HTTP_DEFAULTS.host;
  const host = raw.replace(/^\[(.*)\]$/, '$1');
  if (!/^[A-Za-z0-9.:-]+$/.test(host)) throw new ConfigError(`CREDIT_MCP_HTTP_HOST (--host) must be an IP address or a host name to bind; got "${raw}".`);
  return host;
}

/** Environment only: a token on the command line would show in the process list. */
export function readTokens(env: NodeJS.ProcessEnv): string[] {
  const tokens = (env.CREDIT_MCP_HTTP_TOKENS ?? '').split(',').map((t) => t.trim()).filter(Boolean);
  tokens.forEach((token, i) => {
    if (!TOKEN.test(token)) {
      throw new ConfigError(
        `CREDIT_MCP_HTTP_TOKENS: token ${i + 1} must be 16 to 512 printable ASCII characters without spaces or commas (its value is not shown).`,
      );
    }
  });
  return tokens;
}

export function readKeysFromRequest(env: NodeJS.ProcessEnv, flags: ConfigFlags): boolean {
  if (flags['keys-from-request'] === true) return true;
  const raw = env.CREDIT_MCP_KEYS_FROM_REQUEST?.trim().toLowerCase();
  if (raw === undefined || raw === '' || raw === 'false' || raw === '0') return false;
  if (raw === 'true' || raw === '1') return true;
  throw new ConfigError(`CREDIT_MCP_KEYS_FROM_REQUEST must be true or false; got "${env.CREDIT_MCP_KEYS_FROM_REQUEST}".`);
}

export function readAllowedHosts(env: NodeJS.ProcessEnv): string[] {
  const names = (env.CREDIT_MCP_HTTP_ALLOWED_HOSTS ?? '').split(',').map((h) => h.trim().toLowerCase()).filter(Boolean);
  for (const name of names) {
    if (!HOST_NAME.test(name)) {
      throw new ConfigError(`CREDIT_MCP_HTTP_ALLOWED_HOSTS: "${name}" is not a host name; list names only, without scheme or port (e.g. mcp.example.com).`);
    }
  }
  return names;
}

/**
 * Sign-in replaces the other ways in: a static token would be a second door without expiry or
 * scope, and keys from the request would be upstream credentials riding along with the token.
 * A tenants file gives each tenant its keys, so the server's own would be a silent fallback.
 */
function checkOAuthSafety(settings: HttpSettings, oauth: OAuthSettings, held: ProviderId[]): void {
  if (settings.tokens.length) {
    throw new ConfigError('CREDIT_MCP_OAUTH_ISSUER (sign-in with OAuth) and CREDIT_MCP_HTTP_TOKENS (static bearer tokens) cannot be used together: unset CREDIT_MCP_HTTP_TOKENS; callers sign in.');
  }
  if (settings.keysFromRequest) {
    throw new ConfigError('CREDIT_MCP_OAUTH_ISSUER (sign-in with OAuth) and keys from the request (CREDIT_MCP_KEYS_FROM_REQUEST, --keys-from-request) cannot be used together: give the server its keys, or each tenant its keys in CREDIT_MCP_TENANTS_FILE.');
  }
  if (oauth.tenantsFile && held.length) {
    throw new ConfigError(
      `CREDIT_MCP_TENANTS_FILE gives each tenant its own upstream keys, but ${held.map((id) => PROVIDER_ENV[id].key).join(' and ')} ${held.length > 1 ? 'are' : 'is'} set (or --demo is on): unset ${held.length > 1 ? 'them' : 'it'}, or the tenants file.`,
    );
  }
}

/** Names a request may give in Host or Origin beyond loopback: the listed ones, and the public URL's when signing in. */
export function allowedHostsOf(settings: HttpSettings): string[] {
  const names = [...settings.allowedHosts];
  if (settings.oauth) names.push(settings.oauth.publicUrl.hostname.toLowerCase());
  return [...new Set(names)];
}

/**
 * The combinations a remote server refuses to start with (exit 2): upstream keys both held
 * and expected from requests; a bind beyond loopback that would serve the server's keys to
 * anyone; and one that no Host header could reach (every request a 403).
 */
export function checkHttpSafety(settings: HttpSettings, providers: Config['providers']): void {
  const held = Object.keys(providers) as ProviderId[];
  if (settings.oauth) return checkOAuthSafety(settings, settings.oauth, held);
  if (settings.keysFromRequest && held.length) {
    const names = held.map((id) => PROVIDER_ENV[id]);
    throw new ConfigError(
      `keys from the request (CREDIT_MCP_KEYS_FROM_REQUEST, --keys-from-request) mean the server holds no upstream key, but ${names.map((n) => n.key).join(' and ')} ${held.length > 1 ? 'are' : 'is'} set (or --demo is on): unset ${held.length > 1 ? 'them' : 'it'}; each request brings its own in ${names.map((n) => n.keyHeader).join(' / ')}.`,
    );
  }
  if (isLoopback(settings.host)) return;
  if (!settings.tokens.length && !settings.keysFromRequest) {
    throw new ConfigError(
      `CREDIT_MCP_HTTP_HOST (--host) ${settings.host} is not loopback, and nothing would stop anyone who reaches it from using the server's keys: set CREDIT_MCP_HTTP_TOKENS (clients send one as a bearer token), or CREDIT_MCP_KEYS_FROM_REQUEST=true (clients send their own upstream keys), or CREDIT_MCP_OAUTH_ISSUER with CREDIT_MCP_PUBLIC_URL (clients sign in).`,
    );
  }
  if (!settings.allowedHosts.length) {
    throw new ConfigError(
      `CREDIT_MCP_HTTP_HOST (--host) ${settings.host} is not loopback: set CREDIT_MCP_HTTP_ALLOWED_HOSTS to the host names clients reach the server by (e.g. mcp.example.com); every request would be refused (403) otherwise.`,
    );
  }
}
