// Maximem Synap: a real, offset-paged ledger, a balance with buckets, and a price estimate.
// Its usage summary is derived from the ledger.
import { UpstreamClient, type UpstreamProfile } from '../http/client.js';
import { summarizeLedger } from '../ledger/summarize.js';
import type { Balance, EstimateRequest, LedgerPage, PinnedFilters, UsageSummary } from '../model.js';
import { ShapeReader } from './read.js';
import type { CreditProvider, LedgerSource, PageOptions, SummaryRequest } from './provider.js';

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
    const read = new ShapeReader(this.id, BALANCE_PATH);
    const body = read.object(data, 'body');
    const balance = read.number(body, ['balance_credits', 'balanceCredits'], 'body');
    return {
      as_of: asOf,
      available_credits: balance,
      remaining_credits: balance,
      reserved_credits: null,
      low_balance: read.optionalBoolean(body, ['warning_low', 'warningLow'], 'body'),
      grants: read.optionalArray(body.buckets, 'buckets').map((raw, i) => {
        const b = read.object(raw, `buckets[${i}]`);
        return {
          id: null,
          source: read.optionalString(b, ['source_type', 'sourceType']) ?? 'unknown',
          remaining_credits: read.number(b, ['balance'], `buckets[${i}]`),
          expires_at: read.optionalTime(b, ['expires_at', 'expiresAt'], `buckets[${i}]`),
        };
      }),
    };
  }

  async estimate(request: EstimateRequest, signal?: AbortSignal): Promise<number> {
    const { data } = await this.client.post(ESTIMATE_PATH, { body: request, signal });
    const read = new ShapeReader(this.id, ESTIMATE_PATH);
    return read.number(read.object(data, 'body'), ['credits_estimate', 'creditsEstimate'], 'body');
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
    const read = new ShapeReader(this.id, LEDGER_PATH);
    const body = read.object(data, 'body');
    const entries = read.array(body.entries, 'entries').map((raw, i) => {
      const where = `entries[${i}]`;
      const e = read.object(raw, where);
      return {
        ledger_id: read.string(e, ['ledger_id', 'ledgerId', 'id'], where, 120),
        entry_type: read.string(e, ['entry_type', 'entryType'], where),
        delta: read.number(e, ['delta'], where),
        metric_type: read.optionalString(e, ['metric_type', 'metricType']),
        category: read.optionalString(e, ['category']),
        created_at: read.time(e, ['created_at', 'createdAt'], where),
      };
    });
    return { entries, total: read.number(body, ['total'], 'body'), truncated: false, rateLimit };
  }
}
