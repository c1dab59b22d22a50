// Maximem Synap: a real, offset-paged ledger, a balance with buckets, and a price estimate.
// Its usage summary is derived from the ledger.
import { UpstreamClient, type UpstreamProfile } from '../http/client.js';
import { summarizeLedger } from '../ledger/summarize.js';
import type { Balance, EstimateRequest, LedgerPage, PinnedFilters, UsageSummary } from '../model.js';
import type { CreditProvider, LedgerSource, PageOptions, SummaryRequest } from './provider.js';
import { SynapBalance, SynapEstimate, SynapLedgerPage } from './synap-wire.js';
import { readWire } from './wire.js';

const LEDGER_PATH = '/v1/credits/ledger';
const BALANCE_PATH = '/v1/credits/balance';
const ESTIMATE_PATH = '/v1/credits/estimate';
/** Undocumented maximum; 100 is the documented default and assumed cap. */
export const SYNAP_PAGE_SIZE = 100;

const NEXT_STEPS: Record<string, string> = {
  UNAUTHORIZED: 'Set SYNAP_API_KEY to a valid key (keys start with synap_).',
  CREDENTIAL_INVALID: 'Set SYNAP_API_KEY to a valid key (keys start with synap_).',
  FORBIDDEN: 'Use a key that is allowed to read credits.',
  INVALID_INPUT: 'Check the arguments against the allowed ranges.',
  RATE_LIMITED: 'Wait for the Retry-After period, then retry.',
};

export function synapProfile(base: Omit<UpstreamProfile, 'provider' | 'sendCorrelationId' | 'nextStep'>): UpstreamProfile {
  return { ...base, provider: 'synap', sendCorrelationId: true, nextStep: (code) => (code ? NEXT_STEPS[code] : undefined) };
}

export class SynapProvider implements CreditProvider {
  readonly id = 'synap' as const;
  readonly ledger: LedgerSource;

  constructor(private readonly client: UpstreamClient, private readonly now: () => number = Date.now) {
    this.ledger = { pageSize: SYNAP_PAGE_SIZE, fetchPage: (f, o, l, s) => this.fetchLedgerPage(f, o, l, s) };
  }

  async getBalance(signal?: AbortSignal): Promise<Balance> {
    const asOf = new Date(this.now()).toISOString();
    const { data } = await this.client.get(BALANCE_PATH, { signal });
    const body = readWire(SynapBalance, data, this.id, BALANCE_PATH);
    return {
      as_of: asOf,
      available_credits: body.balance_credits,
      remaining_credits: body.balance_credits,
      reserved_credits: null,
      low_balance: body.warning_low,
      grants: body.buckets.map((b) => ({ id: null, source: b.source_type ?? 'unknown', remaining_credits: b.balance, expires_at: b.expires_at })),
    };
  }

  async estimate(request: EstimateRequest, signal?: AbortSignal): Promise<number> {
    const { data } = await this.client.post(ESTIMATE_PATH, { body: request, signal });
    return readWire(SynapEstimate, data, this.id, ESTIMATE_PATH).credits_estimate;
  }

  getSummary(request: SummaryRequest): Promise<UsageSummary> {
    return summarizeLedger(this.ledger, request, this.now());
  }

  async close(): Promise<void> {
    await this.client.close();
  }

  private async fetchLedgerPage(filters: PinnedFilters, offset: number, limit: number, { signal, deadline }: PageOptions = {}): Promise<LedgerPage> {
    const { data, rateLimit } = await this.client.get(LEDGER_PATH, {
      query: { entry_type: filters.entry_type, from: filters.from, to: filters.to, limit, offset },
      signal,
      deadline,
    });
    const { entries, total } = readWire(SynapLedgerPage, data, this.id, LEDGER_PATH);
    return { entries, total, truncated: false, rateLimit };
  }
}
