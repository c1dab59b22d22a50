// Running totals over ledger rows. Small and serializable, so a cursor can carry them.
import type { LedgerEntry } from '../core/model.js';
import { roundCredits } from '../core/format.js';

type Group = [key: string | null, count: number, net: number];

export interface TotalsState {
  count: number;
  added: number;
  used: number;
  net: number;
  categories: Group[];
  metrics: Group[];
}

/** Past this many distinct keys, further keys are grouped as "(other)" so memory stays flat. */
const MAX_GROUPS = 200;
/** Groups shown in an answer; the rest are summed into "(other)". */
const SHOWN_GROUPS = 20;
const OTHER = '(other)';

export interface TotalsReport {
  totals: { count: number; credits_added: number; credits_used: number; net: number };
  by_category: Array<{ category: string | null; count: number; net: number }>;
  by_metric: Array<{ metric_type: string | null; count: number; net: number }>;
}

export class LedgerTotals {
  private count = 0;
  private added = 0;
  private used = 0;
  private net = 0;
  private readonly categories: Map<string | null, [number, number]>;
  private readonly metrics: Map<string | null, [number, number]>;

  constructor(state?: TotalsState) {
    this.count = state?.count ?? 0;
    this.added = state?.added ?? 0;
    this.used = state?.used ?? 0;
    this.net = state?.net ?? 0;
    this.categories = new Map((state?.categories ?? []).map(([k, c, n]) => [k, [c, n]]));
    this.metrics = new Map((state?.metrics ?? []).map(([k, c, n]) => [k, [c, n]]));
  }

  add(entry: LedgerEntry): void {
    this.count++;
    this.net += entry.delta;
    if (entry.delta > 0) this.added += entry.delta;
    else this.used -= entry.delta;
    bump(this.categories, entry.category, entry.delta);
    bump(this.metrics, entry.metric_type, entry.delta);
  }

  state(): TotalsState {
    const groups = (m: Map<string | null, [number, number]>): Group[] => [...m].map(([k, [c, n]]) => [k, c, roundCredits(n)]);
    return {
      count: this.count,
      added: roundCredits(this.added),
      used: roundCredits(this.used),
      net: roundCredits(this.net),
      categories: groups(this.categories),
      metrics: groups(this.metrics),
    };
  }

  report(): TotalsReport {
    return {
      totals: { count: this.count, credits_added: roundCredits(this.added), credits_used: roundCredits(this.used), net: roundCredits(this.net) },
      by_category: largestGroups(this.categories).map(([category, count, net]) => ({ category, count, net })),
      by_metric: largestGroups(this.metrics).map(([metric_type, count, net]) => ({ metric_type, count, net })),
    };
  }
}

function bump(groups: Map<string | null, [number, number]>, key: string | null, delta: number): void {
  const slot = groups.has(key) || groups.size < MAX_GROUPS ? key : OTHER;
  const g = groups.get(slot);
  if (g) {
    g[0]++;
    g[1] += delta;
  } else groups.set(slot, [1, delta]);
}

function largestGroups(groups: Map<string | null, [number, number]>): Group[] {
  const sorted = [...groups].map(([k, [c, n]]): Group => [k, c, roundCredits(n)]).sort((a, b) => Math.abs(b[2]) - Math.abs(a[2]) || b[1] - a[1]);
  if (sorted.length <= SHOWN_GROUPS) return sorted;
  const rest = sorted.slice(SHOWN_GROUPS - 1);
  const other: Group = [OTHER, rest.reduce((s, g) => s + g[1], 0), roundCredits(rest.reduce((s, g) => s + g[2], 0))];
  return [...sorted.slice(0, SHOWN_GROUPS - 1), other];
}
