// Which providers are on, and which one a call means.
import { PROVIDER_ENV, type Config, type LedgerSettings, type ProviderConfig } from '../config.js';
import { InputError, NotConfiguredError } from '../core/errors.js';
import { UpstreamClient } from '../http/client.js';
import type { CacheBudget } from '../ledger/cache.js';
import { cursorSecret } from '../ledger/cursor.js';
import { registerSecret } from '../logger.js';
import type { Fleet } from '../store/fleet.js';
import { PROVIDER_IDS, type ProviderId } from '../core/model.js';
import type { CreditProvider } from './provider.js';
import { SignalFoundryProvider, signalFoundryProfile } from './signal-foundry.js';
import { SynapProvider, synapProfile } from './synap.js';

export interface ResolvedProvider {
  provider: CreditProvider;
  cursorSecret: Buffer;
}

/** What every provider is opened with, whoever holds its key. */
export interface ProviderSettings {
  timeoutMs: number;
  ledger: LedgerSettings;
  /** One bound on the ledger entries cached across every key that shares it (a remote server's tenants). */
  cacheBudget?: CacheBudget;
  /** The fleet's shared store (credit-mcp http with CREDIT_MCP_REDIS_URL); absent: this process alone. */
  fleet?: Fleet;
}

export interface OpenedProvider extends ResolvedProvider {
  /** Closes the provider's connections and lets the logger forget its key. */
  close(): Promise<void>;
}

/**
 * One provider for one key: its own HTTP client (connection pool, rate-limit pacing) and
 * cursor secret. Every key reaches an upstream through here (configured, the demo's, or a
 * remote caller's), so here the logger and every answer's redaction learn it.
 */
export function openProvider(p: ProviderConfig, settings: ProviderSettings, now: () => number = Date.now): OpenedProvider {
  const forget = registerSecret(p.apiKey);
  const base = { baseUrl: p.baseUrl, apiKey: p.apiKey, timeoutMs: settings.timeoutMs };
  const tenant = settings.fleet?.tenant(p.id, p.apiKey);
  const provider =
    p.id === 'synap'
      ? new SynapProvider(new UpstreamClient(synapProfile(base), undefined, tenant?.pacing), now, settings.ledger, settings.cacheBudget, tenant?.ledger)
      : new SignalFoundryProvider(new UpstreamClient(signalFoundryProfile(base), undefined, tenant?.pacing), now);
  return {
    provider,
    cursorSecret: cursorSecret(p.id, p.apiKey),
    close: () =>
      provider
        .close()
        .finally(() => tenant?.close())
        .finally(forget),
  };
}

/** How a caller turns a provider on, in the words of a "not configured" answer. */
export interface EnableHint {
  one(id: ProviderId): string;
  none(): string;
}

const ANY_KEY = () => PROVIDER_IDS.map((id) => PROVIDER_ENV[id].key).join(' or ');

/** The server's own environment: keys in variables, read at start-up, so a new one needs a restart. */
const FROM_ENVIRONMENT: EnableHint = {
  one: (id) => `set ${PROVIDER_ENV[id].key}`,
  none: () => `set ${ANY_KEY()} and restart the server, or start it with --demo to try the built-in simulator`,
};

/** A terminal command's environment: it reads the variables each time it runs, and exits. */
export const FROM_TERMINAL: EnableHint = {
  one: (id) => `set ${PROVIDER_ENV[id].key} and run the command again`,
  none: () => `set ${ANY_KEY()} and run the command again, or add --demo to try the built-in simulator`,
};

/** Providers someone else opened and will close (a remote server's per-key pool), lent for one request. */
export interface LentProviders {
  lent: Partial<Record<ProviderId, ResolvedProvider>>;
  defaultProvider?: ProviderId;
  enable: EnableHint;
}

export class ProviderRegistry {
  private readonly providers = new Map<ProviderId, ResolvedProvider>();
  private readonly owned: OpenedProvider[] = [];
  private readonly defaultProvider: ProviderId | undefined;
  private readonly enable: EnableHint;

  /** `enable` words the "not configured" answer for a configured registry: the server's, unless a terminal command's. */
  constructor(source: (Config & { fleet?: Fleet }) | LentProviders, now: () => number = Date.now, enable: EnableHint = FROM_ENVIRONMENT) {
    this.defaultProvider = source.defaultProvider;
    this.enable = 'lent' in source ? source.enable : enable;
    for (const id of PROVIDER_IDS) {
      if ('lent' in source) {
        const lent = source.lent[id];
        if (lent) this.providers.set(id, lent);
        continue;
      }
      const p = source.providers[id];
      if (!p) continue;
      const opened = openProvider(p, source, now);
      this.owned.push(opened);
      this.providers.set(id, opened);
    }
  }

  configured(): ProviderId[] {
    return [...this.providers.keys()];
  }

  resolve(requested: ProviderId | undefined): ResolvedProvider {
    const on = this.configured();
    if (requested) {
      const found = this.providers.get(requested);
      if (!found) {
        throw new NotConfiguredError(`${requested} is not configured: ${this.enable.one(requested)}${on.length ? ` (configured: ${on.join(', ')})` : ''}.`);
      }
      return found;
    }
    if (on.length === 0) throw new NotConfiguredError(`No credit provider is configured: ${this.enable.none()}.`);
    const chosen = on.length === 1 ? on[0] : this.defaultProvider;
    if (!chosen || !this.providers.has(chosen)) {
      throw new InputError('provider', `provider is required when several providers are configured: one of ${on.join(', ')} (or set CREDIT_MCP_DEFAULT_PROVIDER).`);
    }
    return this.providers.get(chosen)!;
  }

  /** Closes the providers this registry opened; lent ones stay with their owner. */
  async closeAll(): Promise<void> {
    await Promise.all(this.owned.map((p) => p.close()));
  }
}
