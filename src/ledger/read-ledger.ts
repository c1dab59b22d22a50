// One get_credit_ledger answer: continue (or start) the totals scan, then return `limit`
// rows from the cursor's position, all against one pinned snapshot.
import { InputError } from '../core/errors.js';
import type { LedgerEntry, LedgerFilters, PinnedFilters } from '../core/model.js';
import type { CreditProvider, LedgerWindow, WalkSettings } from '../providers/provider.js';
import { compareInstants } from '../core/time.js';
import { decodeCursor, encodeCursor, type CursorState } from './cursor.js';
import { LedgerTotals, type TotalsReport } from './totals.js';
import { walkLedger, type WalkStop } from './walk.js';

export interface LedgerRequest extends LedgerFilters {
  limit: number;
  scan_limit: number;
  cursor?: string;
}

export interface LedgerResult extends TotalsReport {
  filters: PinnedFilters;
  entries: LedgerEntry[];
  total_matching: number | null;
  scanned: number;
  complete: boolean;
  next_cursor: string | null;
  truncated: boolean;
  scan_limit: number;
  row_offset: number;
  /** Why the scan ended before scan_limit, when it did; the cursor resumes it. */
  stopped?: WalkStop;
  /** The upstream's count changed mid-walk: rows were back-dated into the snapshot. */
  moved: boolean;
}

export interface LedgerContext {
  cursorSecret: Buffer;
  now: number;
  signal?: AbortSignal;
  onProgress?: (walked: number, toWalk: number) => void;
  walk: WalkSettings;
}

export async function readLedger(provider: CreditProvider, request: LedgerRequest, ctx: LedgerContext): Promise<LedgerResult> {
  const state = request.cursor ? resume(provider, request, ctx) : start(provider, request, ctx);
  const scannedBefore = state.scanned;
  const filters: PinnedFilters = { ...state.filters, to: state.pinnedTo };
  // A window starting after the snapshot holds nothing; an upstream would refuse it as from > to.
  if (state.totalMatching === null && filters.from !== undefined && compareInstants(filters.from, filters.to) > 0) state.totalMatching = 0;
  const totals = new LedgerTotals(state.totals);
  const rows: LedgerEntry[] = [];
  const deadline = ctx.now + ctx.walk.budgetMs;
  let stopped: WalkStop | undefined;
  let moved = false;
  let rowsStopped = false;
  // Opened on the first walk only: a call that needs no upstream row asks the cache nothing either.
  let window: LedgerWindow | undefined;
  const ledger = async () => (window ??= await provider.openLedger(filters, { signal: ctx.signal, deadline }));

  /** The page's rows from `rowOffset + rows.length` on, read directly (one request at most). */
  const readRows = async () => {
    const nextRow = state.rowOffset + rows.length;
    if (rows.length >= request.limit || nextRow >= (state.totalMatching ?? Number.POSITIVE_INFINITY)) return;
    const outcome = await walkLedger(
      await ledger(),
      { filters, startOffset: nextRow, maxRows: request.limit - rows.length, signal: ctx.signal, deadline },
      (entry) => rows.push(entry),
    );
    rowsStopped = outcome.stopped !== undefined;
    stopped ??= outcome.stopped;
  };

  /** The totals scan, continued from where it stopped, up to scan_limit. */
  const scan = async () => {
    const scanTarget = Math.min(state.scanLimit, state.totalMatching ?? Number.POSITIVE_INFINITY);
    if (state.scanned >= scanTarget) return;
    const outcome = await walkLedger(
      await ledger(),
      {
        filters,
        startOffset: state.scanned,
        maxRows: scanTarget - state.scanned,
        concurrency: ctx.walk.concurrency,
        deadline,
        signal: ctx.signal,
        onProgress: ctx.onProgress,
      },
      (entry, position) => {
        totals.add(entry);
        // Only a row that continues the page joins it: the page stays in order, without gaps.
        if (rowsFromScan && position === state.rowOffset + rows.length && rows.length < request.limit) rows.push(entry);
      },
    );
    state.scanned += outcome.walked;
    if (outcome.totalMatching !== undefined) {
      state.totalMatching = outcome.totalMatching;
      state.truncated = outcome.truncated;
    }
    stopped ??= outcome.stopped;
    moved = outcome.moved;
  };

  // When the scan starts at or before the page, the page's rows come with it for free. When a
  // resumed scan starts past the page, the rows are read first, so the budget serves them before
  // the scan's tail.
  const rowsFromScan = state.scanned <= state.rowOffset;
  try {
    if (!rowsFromScan) await readRows();
    await scan();
    if (rowsFromScan) await readRows();
  } finally {
    window?.close();
  }

  const after = state.rowOffset + rows.length;
  const progressed = rows.length > 0 || state.scanned > scannedBefore;
  const next: CursorState = { ...state, rowOffset: after, totals: totals.state() };
  const known = state.totalMatching;
  const scanUnfinished = !state.truncated && state.scanned < Math.min(state.scanLimit, known ?? Number.POSITIVE_INFINITY);
  return {
    ...totals.report(),
    filters,
    entries: rows,
    total_matching: state.truncated ? null : known,
    scanned: state.scanned,
    complete: known !== null && !state.truncated && state.scanned >= known,
    // A page cut short by the budget still gets a cursor; a call that moved neither the rows nor
    // the scan, with no budget to blame, is the end (an upstream that counts rows it lacks).
    next_cursor:
      (known !== null && after < known && (rows.length > 0 || rowsStopped)) || (scanUnfinished && (progressed || stopped !== undefined))
        ? encodeCursor(next, ctx.cursorSecret)
        : null,
    truncated: state.truncated,
    scan_limit: state.scanLimit,
    row_offset: state.rowOffset,
    ...(stopped ? { stopped } : {}),
    moved,
  };
}

function start(provider: CreditProvider, request: LedgerRequest, ctx: LedgerContext): CursorState {
  const to = request.to && Date.parse(request.to) < ctx.now ? request.to : new Date(ctx.now).toISOString();
  return {
    v: 1,
    provider: provider.id,
    filters: pickFilters(request),
    pinnedTo: to,
    rowOffset: 0,
    scanned: 0,
    scanLimit: request.scan_limit,
    totalMatching: null,
    truncated: false,
    totals: new LedgerTotals().state(),
  };
}

function resume(provider: CreditProvider, request: LedgerRequest, ctx: LedgerContext): CursorState {
  const state = decodeCursor(request.cursor!, ctx.cursorSecret);
  // The signature already binds the cursor to this provider and key (cursor.ts); this is belt and braces.
  if (state.provider !== provider.id) throw new InputError('cursor', 'cursor belongs to another provider; start again without cursor.');
  const given = pickFilters(request);
  for (const key of ['entry_type', 'from', 'to'] as const) {
    if (given[key] !== undefined && !sameFilter(key, given[key], state.filters[key])) {
      const made = describeFilters(state.filters);
      throw new InputError('cursor', `cursor was made for ${made}; repeat those filters or leave them out, or start again without cursor.`);
    }
  }
  return state;
}

function pickFilters(request: LedgerFilters): LedgerFilters {
  const f: LedgerFilters = {};
  if (request.entry_type !== undefined) f.entry_type = request.entry_type;
  if (request.from !== undefined) f.from = request.from;
  if (request.to !== undefined) f.to = request.to;
  return f;
}

function sameFilter(key: 'entry_type' | 'from' | 'to', a: string | undefined, b: string | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return key === 'entry_type' ? a === b : compareInstants(a, b) === 0;
}

function describeFilters(f: LedgerFilters): string {
  const parts = (['entry_type', 'from', 'to'] as const).map((k) => `${k}=${f[k] ?? '(none)'}`);
  return parts.join(', ');
}
