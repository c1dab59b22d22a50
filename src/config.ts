// Configuration from the environment, overridden by flags; validated once at start-up.
import { MIN_SECRET_LENGTH } from './logger.js';
import { PROVIDER_IDS, type ProviderId } from './core/model.js';
import type { WalkSettings } from './providers/provider.js';

export interface ProviderConfig {
  id: ProviderId;
  apiKey: string;
  baseUrl: URL;
}

/** How the ledger asks its upstream: the cache's bound and Synap's first page size. */
export interface LedgerSettings {
  /** Ledger entries the cache holds per provider and key; 0 turns it off. */
  cacheEntries: number;
  /** Entries a Synap ledger walk asks for per page until the upstream says it serves fewer. */
  synapPageSize: number;
}

export interface Config {
  providers: Partial<Record<ProviderId, ProviderConfig>>;
  timeoutMs: number;
  defaultProvider?: ProviderId;
  walk: WalkSettings;
  ledger: LedgerSettings;
}

/** Each provider's names: environment variables, flags, and the request header `credit-mcp http --keys-from-request` reads. */
export const PROVIDER_ENV: Record<ProviderId, { key: string; baseUrl: string; defaultBaseUrl: string; keyFlag: string; baseUrlFlag: string; keyHeader: string }> = {
  'signal-foundry': {
    key: 'SIGNAL_FOUNDRY_API_KEY',
    baseUrl: 'SIGNAL_FOUNDRY_BASE_URL',
    defaultBaseUrl: 'https://signal-foundry.app',
    keyFlag: 'signal-foundry-key',
    baseUrlFlag: 'signal-foundry-base-url',
    keyHeader: 'X-Signal-Foundry-Api-Key',
  },
  synap: {
    key: 'SYNAP_API_KEY',
    baseUrl: 'SYNAP_BASE_URL',
    defaultBaseUrl: 'https://synap-cloud-prod.maximem.ai',
    keyFlag: 'synap-key',
    baseUrlFlag: 'synap-base-url',
    keyHeader: 'X-Synap-Api-Key',
  },
};

export const DEFAULT_TIMEOUT_MS = 15_000;
export const DEFAULT_WALK: WalkSettings = { concurrency: 8, budgetMs: 30_000 };
export const DEFAULT_LEDGER: LedgerSettings = { cacheEntries: 200_000, synapPageSize: 1000 };

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Flag values win over the environment. Keys are the long flag names without dashes. */
export type ConfigFlags = Partial<Record<string, string | boolean | undefined>>;

export function loadConfig(env: NodeJS.ProcessEnv, flags: ConfigFlags = {}): Config {
  const providers: Config['providers'] = {};
  for (const id of PROVIDER_IDS) {
    const provider = readProvider(env, flags, id);
    if (provider) providers[id] = provider;
  }
  const timeoutMs = readTimeoutMs(env, flags);
  const walk = readWalk(env, flags);
  const ledger = readLedgerSettings(env, flags);
  const defaultProvider = readDefaultProvider(env, flags);
  return { providers, timeoutMs, walk, ledger, ...(defaultProvider ? { defaultProvider } : {}) };
}

// One reader per setting, each throwing its own ConfigError, so `doctor` can report every
// problem at once where loadConfig stops at the first.

/** The provider when its key is set, otherwise undefined; its base URL is checked either way. */
export function readProvider(env: NodeJS.ProcessEnv, flags: ConfigFlags, id: ProviderId): ProviderConfig | undefined {
  const names = PROVIDER_ENV[id];
  const apiKey = setting(env, flags, names.keyFlag, names.key);
  const baseUrl = readBaseUrl(env, flags, id);
  if (!apiKey) return undefined;
  // A key HTTP cannot carry (a pasted control character or space) would fail every request
  // as if the network were down; say so now, without echoing the key.
  if (!/^[\x21-\x7e]+$/.test(apiKey)) {
    throw new ConfigError(`${names.key} contains a space, a control or a non-ASCII character, which an HTTP header cannot carry; set the key again.`);
  }
  // Shorter than any real key, and too short to redact from text without mangling it.
  if (apiKey.length < MIN_SECRET_LENGTH) {
    throw new ConfigError(`${names.key} is shorter than ${MIN_SECRET_LENGTH} characters, which no real key is; set the key again.`);
  }
  return { id, apiKey, baseUrl };
}

export function readBaseUrl(env: NodeJS.ProcessEnv, flags: ConfigFlags, id: ProviderId): URL {
  const names = PROVIDER_ENV[id];
  return checkBaseUrl(setting(env, flags, names.baseUrlFlag, names.baseUrl) ?? names.defaultBaseUrl, names.baseUrl);
}

export function readTimeoutMs(env: NodeJS.ProcessEnv, flags: ConfigFlags): number {
  return integer(env, flags, 'timeout-ms', 'CREDIT_MCP_TIMEOUT_MS', 100, 600_000, DEFAULT_TIMEOUT_MS);
}

export function readWalk(env: NodeJS.ProcessEnv, flags: ConfigFlags): WalkSettings {
  return {
    concurrency: integer(env, flags, 'concurrency', 'CREDIT_MCP_CONCURRENCY', 1, 32, DEFAULT_WALK.concurrency),
    budgetMs: integer(env, flags, 'walk-budget-ms', 'CREDIT_MCP_WALK_BUDGET_MS', 1000, 600_000, DEFAULT_WALK.budgetMs),
  };
}

export function readLedgerSettings(env: NodeJS.ProcessEnv, flags: ConfigFlags): LedgerSettings {
  return {
    cacheEntries: integer(env, flags, 'cache-entries', 'CREDIT_MCP_CACHE_ENTRIES', 0, 10_000_000, DEFAULT_LEDGER.cacheEntries),
    synapPageSize: integer(env, flags, 'synap-page-size', 'CREDIT_MCP_SYNAP_PAGE_SIZE', 1, 10_000, DEFAULT_LEDGER.synapPageSize),
  };
}

export function readDefaultProvider(env: NodeJS.ProcessEnv, flags: ConfigFlags): ProviderId | undefined {
  const raw = setting(env, flags, 'default-provider', 'CREDIT_MCP_DEFAULT_PROVIDER');
  if (raw === undefined) return undefined;
  if (!(PROVIDER_IDS as readonly string[]).includes(raw)) {
    throw new ConfigError(`CREDIT_MCP_DEFAULT_PROVIDER must be one of ${PROVIDER_IDS.join(', ')}; got "${raw}".`);
  }
  return raw as ProviderId;
}

/** A flag wins over its environment variable; blank counts as unset. */
export function setting(env: NodeJS.ProcessEnv, flags: ConfigFlags, flag: string, variable: string): string | undefined {
  return nonEmpty(flags[flag]) ?? nonEmpty(env[variable]);
}

export function integer(env: NodeJS.ProcessEnv, flags: ConfigFlags, flag: string, variable: string, min: number, max: number, fallback: number): number {
  const raw = setting(env, flags, flag, variable);
  return raw === undefined ? fallback : parseInteger(raw, `${variable} (--${flag})`, min, max);
}

/** A whole number within [min, max] from a flag or variable; anything else is refused by name. */
export function parseInteger(raw: string, name: string, min: number, max: number): number {
  const value = raw.trim() === '' ? NaN : Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be an integer from ${min} to ${max}; got "${raw}".`);
  }
  return value;
}

/** https only, except loopback, so a key never travels in clear text off this machine. */
export function checkBaseUrl(raw: string, variable: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`${variable} is not a valid URL (its value is not shown: it might be a key pasted in the wrong place).`);
  }
  if (url.username || url.password) throw new ConfigError(`${variable} must not contain credentials.`);
  if (url.protocol === 'https:') return url;
  if (url.protocol === 'http:' && isLoopback(url.hostname)) return url;
  throw new ConfigError(
    `${variable} must use https (plain http is allowed only for loopback: 127.0.0.0/8, localhost, [::1]); got "${url.origin}".`,
  );
}

export function isLoopback(hostname: string): boolean {
  if (hostname === 'localhost' || hostname === '[::1]' || hostname === '::1') return true;
  const parts = hostname.split('.');
  return parts.length === 4 && parts[0] === '127' && parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255);
}

function nonEmpty(value: string | boolean | undefined): string | undefined {
  const v = typeof value === 'string' ? value.trim() : undefined;
  return v ? v : undefined;
}
