// Which providers are on, and which one a call means.
import { PROVIDER_ENV, type Config } from '../config.js';
import { InputError, NotConfiguredError } from '../errors.js';
import { UpstreamClient } from '../http/client.js';
import { cursorSecret } from '../ledger/cursor.js';
import { registerSecret } from '../logger.js';
import { PROVIDER_IDS, type ProviderId } from '../model.js';
import type { CreditProvider } from './provider.js';
import { SignalFoundryProvider, signalFoundryProfile } from './signal-foundry.js';
import { SynapProvider, synapProfile } from './synap.js';

export interface ResolvedProvider {
  provider: CreditProvider;
  cursorSecret: Buffer;
}

export class ProviderRegistry {
  private readonly providers = new Map<ProviderId, ResolvedProvider>();

  constructor(private readonly config: Config, now: () => number = Date.now) {
    for (const id of PROVIDER_IDS) {
      const p = config.providers[id];
      if (!p) continue;
      // Every key reaches an upstream through here (configured, or the demo's), so here the
      // logger and every answer's redaction learn it.
      registerSecret(p.apiKey);
      const base = { baseUrl: p.baseUrl, apiKey: p.apiKey, timeoutMs: config.timeoutMs };
      const provider =
        id === 'synap'
          ? new SynapProvider(new UpstreamClient(synapProfile(base)), now, config.ledger)
          : new SignalFoundryProvider(new UpstreamClient(signalFoundryProfile(base)), now);
      this.providers.set(id, { provider, cursorSecret: cursorSecret(id, p.apiKey) });
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
        const names = PROVIDER_ENV[requested];
        throw new NotConfiguredError(`${requested} is not configured: set ${names.key}${on.length ? ` (configured: ${on.join(', ')})` : ''}.`);
      }
      return found;
    }
    if (on.length === 0) {
      throw new NotConfiguredError(
        `No credit provider is configured: set ${PROVIDER_IDS.map((id) => PROVIDER_ENV[id].key).join(' or ')} and restart, or start with --demo to try the built-in simulator.`,
      );
    }
    const chosen = on.length === 1 ? on[0] : this.config.defaultProvider;
    if (!chosen || !this.providers.has(chosen)) {
      throw new InputError('provider', `provider is required when several providers are configured: one of ${on.join(', ')} (or set CREDIT_MCP_DEFAULT_PROVIDER).`);
    }
    return this.providers.get(chosen)!;
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.providers.values()].map((p) => p.provider.close()));
  }
}
