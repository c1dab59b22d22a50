import type { LedgerEntry, LedgerFilters, NamedAmount } from '../core/model.js';
import { compareInstants } from '../core/time.js';

export function matchesFilters(entry: LedgerEntry, filters: LedgerFilters): boolean {
  if (filters.entry_type !== undefined && entry.entry_type !== filters.entry_type) return false;
  if (filters.from !== undefined && compareInstants(entry.created_at, filters.from) < 0) return false;
  if (filters.to !== undefined && compareInstants(entry.created_at, filters.to) > 0) return false;
  return true;
}

/** Newest first; ties broken by id so every page sees one order. */
export function newestFirst(a: LedgerEntry, b: LedgerEntry): number {
  return Date.parse(b.created_at) - Date.parse(a.created_at) || (a.ledger_id < b.ledger_id ? 1 : a.ledger_id > b.ledger_id ? -1 : 0);
}

export function byLargest<T extends NamedAmount>(rows: T[]): T[] {
  return [...rows].sort((a, b) => Math.abs(b.credits) - Math.abs(a.credits) || a.name.localeCompare(b.name));
}
