// The Synap ledger state: every entry, indexed for the API's filters, plus the
// wallet that turns it into a balance. The API handlers and the test-facing
// ground truth both query through `select`, so they cannot disagree.

import { IdSequence } from './id-sequence.js';
import { NewestFirstLog, type LogRow } from './ordered-log.js';
import type { Prng } from './prng.js';
import { randomDebit, seedSynapLedger, type SynapDraft } from './synap-seed.js';
import { SynapWallet } from './synap-wallet.js';
import { formatPythonUtc, parseIsoToMicros } from './time.js';
import type { SynapBalance, SynapLedgerEntry, SynapLedgerFilter } from './types.js';

export const SYNAP_CLIENT_ID = 'cli_demo_01';
/** Below this many credits the balance carries `warning_low`. */
export const SYNAP_LOW_BALANCE = 500;

/** A filter whose bounds are already epoch microseconds. */
export interface SynapSelection {
  entryType?: string;
  fromUs?: number;
  toUs?: number;
}

type Row = LogRow<SynapLedgerEntry>;

// What an inserted entry of each type looks like when the caller leaves fields out.
const INSERT_DEFAULTS: Record<string, { cents: number; category: string | null }> = {
  credit: { cents: 100_000, category: 'topup' },
  promo: { cents: 50_000, category: 'promo' },
  redemption: { cents: 25_000, category: 'redeem' },
  expiration: { cents: -10_000, category: 'expiration' },
};

export class SynapLedger {
  private readonly all: NewestFirstLog<SynapLedgerEntry>;
  private readonly byType = new Map<string, NewestFirstLog<SynapLedgerEntry>>();
  private readonly ids: IdSequence;
  private readonly wallet: SynapWallet;

  constructor(
    private readonly prng: Prng,
    anchorMs: number,
    size: number,
    historyDays?: number,
  ) {
    this.ids = new IdSequence(prng, 'led_');
    const rows: Row[] = [];
    const grouped = new Map<string, Row[]>();
    this.wallet = seedSynapLedger(prng, anchorMs, size, (draft) => {
      const row = this.toRow(draft);
      rows.push(row);
      let list = grouped.get(draft.entry_type);
      if (!list) grouped.set(draft.entry_type, (list = []));
      list.push(row);
    }, historyDays);
    // Drafts come oldest first; the logs want newest first, which reversing gives for free.
    this.all = new NewestFirstLog(rows.reverse());
    for (const [type, list] of grouped) this.byType.set(type, new NewestFirstLog(list.reverse()));
  }

  entries(): readonly SynapLedgerEntry[] {
    return this.all.values();
  }

  /** The matching rows' log and bounds; callers page or copy as they need. */
  select(s: SynapSelection): { total: number; page(offset: number, limit: number): SynapLedgerEntry[] } {
    const log = s.entryType === undefined ? this.all : this.byType.get(s.entryType);
    if (!log) return { total: 0, page: () => [] };
    return {
      total: log.count(s.fromUs, s.toUs),
      page: (offset, limit) => log.page(s.fromUs, s.toUs, offset, limit).map((r) => r.value),
    };
  }

  /** Ground truth for tests: the API's filter over string bounds, every match, newest first. */
  query(f: SynapLedgerFilter): SynapLedgerEntry[] {
    const selection: SynapSelection = { entryType: f.entry_type };
    if (f.from !== undefined) selection.fromUs = parseBound(f.from, 'from');
    if (f.to !== undefined) selection.toUs = parseBound(f.to, 'to');
    const found = this.select(selection);
    return found.page(0, found.total);
  }

  insert(partial: Partial<SynapLedgerEntry> = {}, nowMs: number): SynapLedgerEntry {
    const entryType = partial.entry_type ?? 'debit';
    const atUs = partial.created_at === undefined ? Math.floor(nowMs) * 1000 : parseBound(partial.created_at, 'created_at');
    const fallback: SynapDraft =
      entryType === 'debit'
        ? randomDebit(this.prng, atUs)
        : { entry_type: entryType, metric_type: null, atUs, ...(INSERT_DEFAULTS[entryType] ?? { cents: -100, category: null }) };
    const draft: SynapDraft = {
      entry_type: entryType,
      cents: partial.delta === undefined ? fallback.cents : Math.round(partial.delta * 100),
      metric_type: partial.metric_type === undefined ? fallback.metric_type : partial.metric_type,
      category: partial.category === undefined ? fallback.category : partial.category,
      atUs,
    };
    if (partial.ledger_id !== undefined) {
      if (this.entries().some((e) => e.ledger_id === partial.ledger_id)) throw new Error(`ledger_id ${partial.ledger_id} already exists`);
      this.ids.claim(partial.ledger_id);
    }
    const row = this.toRow(draft, partial.ledger_id);
    this.wallet.apply(draft.entry_type, draft.cents, draft.atUs);
    this.all.insert(row);
    let typed = this.byType.get(entryType);
    if (!typed) this.byType.set(entryType, (typed = new NewestFirstLog()));
    typed.insert(row);
    return row.value;
  }

  balance(): SynapBalance {
    const cents = this.wallet.totalCents;
    return {
      client_id: SYNAP_CLIENT_ID,
      balance_credits: cents / 100,
      warning_low: cents < SYNAP_LOW_BALANCE * 100,
      buckets: this.wallet.buckets(),
    };
  }

  private toRow(d: SynapDraft, id?: string): Row {
    const ledgerId = id ?? this.ids.next();
    const entry: SynapLedgerEntry = {
      ledger_id: ledgerId,
      entry_type: d.entry_type,
      delta: d.cents / 100,
      metric_type: d.metric_type,
      category: d.category,
      created_at: formatPythonUtc(d.atUs),
    };
    return { at: d.atUs, id: ledgerId, value: entry };
  }
}

function parseBound(text: string, name: string): number {
  const us = parseIsoToMicros(text);
  if (us === null) throw new Error(`${name} is not an ISO 8601 date-time: ${text}`);
  return us;
}
