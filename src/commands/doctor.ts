// doctor: every setting the server reads, then one balance read per configured upstream, one
// line per check. A key is never printed: at most its first 4 characters and its length.
import {
  ConfigError,
  PROVIDER_ENV,
  isLoopback,
  readBaseUrl,
  readDefaultProvider,
  readLedgerSettings,
  readProvider,
  readTimeoutMs,
  readWalk,
  type Config,
  type ConfigFlags,
} from '../config.js';
import { PROVIDER_IDS, type ProviderId } from '../core/model.js';
import { formatCredits } from '../core/format.js';
import type { OAuthSettings } from '../remote/oauth/settings.js';
import { checkHttpSafety, HTTP_VARIABLES, readHttpSettings, type HttpSettings } from '../remote/settings.js';
import { checkBalance } from '../tools/check-balance.js';
import type { Outcome } from './command-line.js';
import { openToolSession, printOut, startDemoIf } from './tool-session.js';

type Status = 'ok' | 'off' | 'warn' | 'FAIL';

const FAILED = Symbol('failed');

function report(status: Status, text: string): void {
  // Continuation lines (an upstream error's next step) line up under the first line's text.
  printOut(`${status.padEnd(4)}  ${text.replace(/\n/g, '\n      ')}`);
}

export async function runDoctor(flags: ConfigFlags, env: NodeJS.ProcessEnv): Promise<Outcome> {
  const demo = await startDemoIf(flags.demo === true);
  try {
    return await diagnose(flags, env, demo?.providers);
  } finally {
    await demo?.stop();
  }
}

async function diagnose(flags: ConfigFlags, env: NodeJS.ProcessEnv, demoProviders: Config['providers'] | undefined): Promise<Outcome> {
  let configValid = true;
  const read = <T>(label: string, reader: () => T): T | typeof FAILED => {
    try {
      return reader();
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      configValid = false;
      report('FAIL', `${label}: ${error.message}`);
      return FAILED;
    }
  };

  // `credit-mcp http`'s settings, when any is set: a remote server's keys may come with each request.
  const http = HTTP_VARIABLES.some((v) => env[v] !== undefined) ? read('http', () => readHttpSettings(env, flags)) : undefined;
  const keysFromRequest = http !== undefined && http !== FAILED && http.keysFromRequest;

  const providers: Config['providers'] = {};
  for (const id of PROVIDER_IDS) {
    const provider = demoProviders ? demoProviders[id] : read(id, () => readProvider(env, flags, id));
    if (provider === FAILED) continue;
    if (!provider && keysFromRequest) {
      report('ok', `${id}: no key here; its key comes with each request in ${PROVIDER_ENV[id].keyHeader} (credit-mcp http), base URL ${readBaseUrl(env, flags, id).href}`);
    } else if (provider) {
      providers[id] = provider;
      const where = demoProviders ? ' (the demo simulator)' : provider.baseUrl.protocol === 'http:' ? ' (loopback, so plain http is allowed)' : '';
      report('ok', `${id}: on, key ${keyHint(provider.apiKey)}, base URL ${provider.baseUrl.href}${where}`);
    } else {
      report('off', `${id}: no key; set ${PROVIDER_ENV[id].key} (or --${PROVIDER_ENV[id].keyFlag}) to turn it on`);
    }
  }

  const timeoutMs = read('timeout', () => readTimeoutMs(env, flags));
  if (timeoutMs !== FAILED) report('ok', `timeout: ${timeoutMs} ms per upstream request`);
  const walk = read('ledger walk', () => readWalk(env, flags));
  if (walk !== FAILED) report('ok', `ledger walk: ${walk.concurrency} pages at once, ${walk.budgetMs} ms per call`);
  const ledger = read('ledger', () => readLedgerSettings(env, flags));
  if (ledger !== FAILED) {
    report(
      ledger.cacheEntries > 0 ? 'ok' : 'off',
      ledger.cacheEntries > 0
        ? `ledger cache: up to ${ledger.cacheEntries} entries ${keysFromRequest ? "for all the requests' keys together, each key's its own" : 'per provider and key'}`
        : 'ledger cache: off (CREDIT_MCP_CACHE_ENTRIES=0): every ledger question walks the upstream again',
    );
    report('ok', `synap page size: asks ${ledger.synapPageSize} entries per page, less once the upstream shows it serves fewer`);
  }
  const defaultProvider = read('default provider', () => readDefaultProvider(env, flags));
  if (defaultProvider !== FAILED) reportDefaultProvider(defaultProvider, Object.keys(providers) as ProviderId[]);

  if (http !== undefined && http !== FAILED) {
    try {
      checkHttpSafety(http, providers);
      report('ok', `http: ${describeHttp(http)}`);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      configValid = false;
      report('FAIL', `http: ${error.message}`);
    }
  }

  if (http !== undefined && http !== FAILED && http.oauth && configValid) {
    if (!(await checkSignIn(http.oauth))) configValid = false;
  }

  if (!configValid || http === FAILED || timeoutMs === FAILED || walk === FAILED || ledger === FAILED || defaultProvider === FAILED) {
    report('FAIL', 'upstreams not checked: fix the configuration above first (the server would not start with it)');
    return 'usage';
  }
  const on = Object.keys(providers) as ProviderId[];
  if (keysFromRequest) {
    report('ok', 'upstreams not checked: no key is held here (a request with a key reaches them)');
    return 'ok';
  }
  if (http?.oauth?.tenantsFile) {
    report('ok', "upstreams not checked: each tenant's keys are in the tenants file");
    return 'ok';
  }
  if (on.length === 0) {
    report('FAIL', `no provider is on: set ${PROVIDER_IDS.map((id) => PROVIDER_ENV[id].key).join(' or ')}, or try credit-mcp doctor --demo`);
    return 'notConfigured';
  }

  const session = openToolSession({ providers, timeoutMs, walk, ledger, ...(defaultProvider ? { defaultProvider } : {}) });
  try {
    // Concurrently, so a hung upstream costs one timeout, not one per provider.
    const results = await Promise.all(
      on.map(async (provider) => {
        const started = performance.now();
        const result = await checkBalance.call({ provider }, session.context);
        return { provider, result, ms: Math.round(performance.now() - started) };
      }),
    );
    let failed = false;
    for (const { provider, result, ms } of results) {
      if (result.isError) {
        failed = true;
        report('FAIL', `${provider} upstream: ${result.content.map((c) => (c.type === 'text' ? c.text : '')).join('\n')}`);
      } else {
        const available = (result.structuredContent as { available_credits: number }).available_credits;
        report('ok', `${provider} upstream: balance read in ${ms} ms, ${formatCredits(available)} credits available`);
      }
    }
    return failed ? 'failed' : 'ok';
  } finally {
    await session.close();
  }
}

function reportDefaultProvider(chosen: ProviderId | undefined, on: ProviderId[]): void {
  if (chosen && on.includes(chosen)) return report('ok', `default provider: ${chosen}`);
  if (chosen) {
    return report('warn', `default provider: ${chosen} has no key, so it is never used; set ${PROVIDER_ENV[chosen].key}, or unset CREDIT_MCP_DEFAULT_PROVIDER`);
  }
  if (on.length > 1) {
    return report('ok', `default provider: none, so every call names its provider (CREDIT_MCP_DEFAULT_PROVIDER would pick one)`);
  }
  report('ok', on.length === 1 ? `default provider: none needed, ${on[0]} is the only one on` : 'default provider: none');
}

/** What a remote server would do with these settings, in one line. */
function describeHttp(h: HttpSettings): string {
  const auth = h.oauth
    ? `sign-in with OAuth (issuer ${h.oauth.issuer})`
    : h.tokens.length
      ? `${h.tokens.length} bearer token${h.tokens.length > 1 ? 's' : ''}`
      : 'no client auth (loopback only)';
  const hosts = [...(isLoopback(h.host) ? ['loopback names'] : []), ...h.allowedHosts].join(', ');
  return `would listen on ${h.host}:${h.port}, ${auth}, upstream keys ${h.keysFromRequest ? 'from each request' : h.oauth?.tenantsFile ? "each tenant's, from the tenants file" : "the server's"}, allowed hosts ${hosts}, SIGTERM grace ${h.graceMs} ms, GET /metrics ${h.metricsPort === undefined ? 'on the same port, behind the same token' : `on port ${h.metricsPort} alone`}, shared store ${h.redisUrl ? `${h.redisUrl.protocol}//${h.redisUrl.hostname}:${h.redisUrl.port || 6379} (not reached by doctor)` : 'none (this instance alone)'}`;
}

/**
 * Sign-in with OAuth: the issuer's metadata and keys as the server would read them at start-up,
 * what a client needs of the issuer to sign in (PKCE, registration), and the tenants file.
 */
async function checkSignIn(oauth: OAuthSettings): Promise<boolean> {
  let ok = true;
  if (oauth.tenantsFile) {
    try {
      const { readTenantsFile } = await import('../remote/oauth/tenants-file.js');
      const table = readTenantsFile(oauth.tenantsFile);
      report('ok', `tenants file: ${table.tenants.size} tenant${table.tenants.size === 1 ? '' : 's'} (${[...table.tenants.keys()].slice(0, 10).join(', ')}), picked by the token's ${table.claim} claim`);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      report('FAIL', `tenants file: ${error.message}`);
      ok = false;
    }
  }
  const { openIssuer } = await import('../remote/oauth/issuer.js');
  let issuer;
  try {
    issuer = await openIssuer(oauth.issuer);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    report('FAIL', `oauth issuer: ${error.message}`);
    return false;
  }
  report('ok', `oauth issuer: ${oauth.issuer}, metadata at ${issuer.metadataUrl}`);
  const keys = (issuer.keys.jwks()?.keys ?? []) as Array<{ kty?: string; alg?: string; kid?: string }>;
  const usable = keys.filter((k) => k.kty !== 'oct');
  if (usable.length) {
    report('ok', `oauth keys: ${usable.length} at ${issuer.jwksUri.href} (${usable.map((k) => `${k.kid ?? 'no kid'} ${k.alg ?? k.kty}`).join(', ')})`);
  } else {
    report('FAIL', `oauth keys: ${issuer.jwksUri.href} publishes no asymmetric key, so no token could verify`);
    ok = false;
  }
  const metadata = issuer.metadata as Record<string, unknown>;
  const pkce = metadata.code_challenge_methods_supported;
  if (Array.isArray(pkce) && pkce.includes('S256')) report('ok', 'oauth PKCE: S256 advertised');
  else report('warn', 'oauth PKCE: the metadata lists no S256 in code_challenge_methods_supported; MCP clients refuse to sign in without it');
  report(
    metadata.registration_endpoint ? 'ok' : 'warn',
    metadata.registration_endpoint
      ? 'oauth registration: dynamic client registration offered'
      : 'oauth registration: none offered; each host needs a client registered in advance (or client ID metadata documents)',
  );
  report('ok', `oauth resource: tokens must name ${oauth.publicUrl.href} in aud and carry ${oauth.scopes.join(' ')}`);
  return ok;
}

/** Enough to tell two keys apart, not enough to use one: short keys show only their length. */
function keyHint(key: string): string {
  return key.length >= 16 ? `${key.slice(0, 4)}… (${key.length} characters)` : `(${key.length} characters)`;
}
