// Maximem Synap: a real, offset-paged ledger, a balance with buckets, and a price estimate.
// Its usage summary is derived from the ledger.
import { DEFAULT_LEDGER, type LedgerSettings } from '../config.js';
import { UpstreamClient, type UpstreamProfile } from '../http/client.js';
import { LedgerCache, type CacheBudget } from '../ledger/cache.js';
import { summarizeLedger } from '../ledger/summarize.js';
import { openWindow } from '../ledger/window.js';
import type { Balance, EstimateRequest, LedgerPage, PinnedFilters, UsageSummary } from '../core/model.js';
import type { SharedLedger } from '../store/fleet.js';
import { LearnedPageSize, sameRefusal } from './page-size.js';
import type { CreditProvider, LedgerSource, LedgerWindow, PageOptions, SummaryRequest } from './provider.js';
import { SynapBalance, SynapEstimate, SynapLedgerPage } from './synap-wire.js';
import { readWire } from './wire.js';

const LEDGER_PATH = '/v1/credits/ledger';
const BALANCE_PATH = '/v1/credits/balance';
const ESTIMATE_PATH = '/v1/credits/estimate';

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
  /** The upstream's pages, uncached. */
  private readonly ledger: LedgerSource;
  /** This key's ledger entries over ranges known to be complete; each use re-checks them by count. */
  readonly cache: LedgerCache;
  /** The maximum is undocumented: ask for the configured size, then serve what the upstream shows it serves. */
  private readonly pageSize: LearnedPageSize;

  constructor(
    private readonly client: UpstreamClient,
    private readonly now: () => number = Date.now,
    settings: LedgerSettings = DEFAULT_LEDGER,
    cacheBudget?: CacheBudget,
    /** The fleet's store: held ranges, the page size and walks shared with the other instances. */
    private readonly shared?: SharedLedger,
  ) {
    this.pageSize = new LearnedPageSize(settings.synapPageSize);
    if (shared) {
      this.pageSize.onSettle = (size) => shared.pageSizeLearned(size);
      shared.onPageSize((size) => this.pageSize.adopt(size));
    }
    this.cache = new LedgerCache(settings.cacheEntries, cacheBudget);
    const pageSize = this.pageSize;
    this.ledger = {
      get pageSize() {
        return pageSize.current;
      },
      fetchPage: (f, o, l, s) => this.fetchLedgerPage(f, o, l, s),
    };
  }

  openLedger(filters: PinnedFilters, options: PageOptions = {}): Promise<LedgerWindow> {
    return openWindow(this.ledger, this.cache, filters, options, this.shared);
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
    return summarizeLedger((filters, options) => this.openLedger(filters, options), request, this.now());
  }

  async close(): Promise<void> {
    this.cache.release();
    await this.client.close();
  }

  /** One page, at most the size the upstream is known to serve: fewer rows than `limit` when it serves fewer. */
  private async fetchLedgerPage(filters: PinnedFilters, offset: number, limit: number, options: PageOptions = {}): Promise<LedgerPage> {
    let asked = Math.min(limit, this.pageSize.at(windowOf(filters), offset));
    // The refusal that started this page's retries: what the caller hears if the retries are refused the same way.
    let refusal: unknown;
    for (;;) {
      try {
        return await this.requestLedgerPage(filters, offset, asked, options);
      } catch (error) {
        const next = this.pageSize.afterRefusal(asked, error, refusal);
        if (next !== undefined) {
          // A refused size is not asked again while the smaller one is tried on the same page.
          refusal ??= error;
          asked = next;
          continue;
        }
        if (refusal === undefined) throw error;
        // The smaller size did not help: it is forgotten. Refused the same way, the first refusal
        // is the answer; anything else (a 429, a timeout) is reported as itself.
        this.pageSize.rejected(asked);
        throw sameRefusal(error, refusal) ? refusal : error;
      }
    }
  }

  private async requestLedgerPage(filters: PinnedFilters, offset: number, limit: number, { signal, deadline }: PageOptions): Promise<LedgerPage> {
    const { data, rateLimit } = await this.client.get(LEDGER_PATH, {
      query: { entry_type: filters.entry_type, from: filters.from, to: filters.to, limit, offset },
      signal,
      deadline,
    });
    const { entries, total, limit: echo } = readWire(SynapLedgerPage, data, this.id, LEDGER_PATH);
    this.pageSize.served({ asked: limit, offset, echo, ids: entries.map((e) => e.ledger_id), total, window: windowOf(filters) });
    return { entries, total, truncated: false, rateLimit };
  }
}

/** One name per ledger window, for telling its pages apart from another window's. */
function windowOf(filters: PinnedFilters): string {
  return JSON.stringify([filters.entry_type ?? null, filters.from ?? null, filters.to]);
}
