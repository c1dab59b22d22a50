// Walks matching ledger rows newest first through a LedgerSource, page by page, handing each
// row to a visitor exactly once. Nothing is kept here: the visitor folds what it needs.
import { CancelledError } from '../errors.js';
import type { LedgerEntry, PinnedFilters } from '../model.js';
import type { LedgerSource } from '../providers/provider.js';

export interface WalkOptions {
  /** `to` is pinned, so rows written upstream during the walk fall outside it. */
  filters: PinnedFilters;
  /** Position among matching rows (0 = newest) where the walk starts. */
  startOffset: number;
  /** Stop after this many rows. */
  maxRows: number;
  signal?: AbortSignal;
  /** Rows walked so far, and how many this walk expects to walk. */
  onProgress?: (walked: number, toWalk: number) => void;
}

export interface WalkOutcome {
  walked: number;
  /** Matching rows in the snapshot, as the upstream last reported. */
  totalMatching: number;
  /** The upstream holds matching rows it does not expose. */
  truncated: boolean;
}

export type Visitor = (entry: LedgerEntry, position: number) => void;

export async function walkLedger(source: LedgerSource, options: WalkOptions, visit: Visitor): Promise<WalkOutcome> {
  const { filters, startOffset, maxRows, signal } = options;
  // Offsets can still shift if the upstream back-dates a row into the snapshot; ids keep
  // such a shift from counting a row twice.
  const seen = new Set<string>();
  let offset = startOffset;
  let totalMatching = 0;
  let truncated = false;
  while (seen.size < maxRows) {
    if (signal?.aborted) throw new CancelledError();
    const asked = Math.min(source.pageSize, maxRows - seen.size);
    const page = await source.fetchPage(filters, offset, asked, signal);
    totalMatching = page.total;
    truncated = page.truncated;
    for (const entry of page.entries) {
      if (seen.has(entry.ledger_id)) continue;
      visit(entry, startOffset + seen.size);
      seen.add(entry.ledger_id);
      if (seen.size >= maxRows) break;
    }
    offset += page.entries.length;
    options.onProgress?.(seen.size, Math.max(seen.size, Math.min(maxRows, totalMatching - startOffset)));
    if (page.entries.length < asked || offset >= totalMatching) break;
  }
  return { walked: seen.size, totalMatching, truncated };
}
