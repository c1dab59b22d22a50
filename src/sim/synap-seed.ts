// The seeded Synap ledger: ~180 days of usage debits, monthly top-ups sized so
// the balance never goes negative, a promo or two, two redemptions, and the
// expirations of whatever of those ran out of validity before the anchor.

import { activityCalendar } from './activity.js';
import { weightedPicker, type Prng } from './prng.js';
import { SynapWallet, PROMO_VALIDITY_US, REDEMPTION_VALIDITY_US } from './synap-wallet.js';
import { DAY_MS, HOUR_MS, monthStartUtc } from './time.js';

/** Days of history a seeded ledger spans unless told otherwise. */
export const SYNAP_HISTORY_DAYS = 180;
const DAY_US = DAY_MS * 1000;
const HOUR_US = HOUR_MS * 1000;
/** Top-ups are whole multiples of this many cents (500 credits). */
const TOPUP_STEP_CENTS = 50_000;

/** A ledger entry before it has an id: the ledger assigns ids. */
export interface SynapDraft {
  entry_type: string;
  cents: number;
  metric_type: string | null;
  category: string | null;
  atUs: number;
}

export const SYNAP_METRICS = [
  'llm_input_tokens',
  'llm_output_tokens',
  'embedding_tokens',
  'memory_storage_gb_hours',
  'retrieval_queries',
] as const;

// [metric, category] pairs with how often they occur, and each metric's median debit in credits.
const USAGE_MIX: readonly (readonly [readonly [string, string], number])[] = [
  [['llm_input_tokens', 'agents'], 30],
  [['llm_output_tokens', 'agents'], 22],
  [['llm_input_tokens', 'ingestion'], 8],
  [['embedding_tokens', 'ingestion'], 14],
  [['embedding_tokens', 'retrieval'], 6],
  [['retrieval_queries', 'retrieval'], 14],
  [['memory_storage_gb_hours', 'memory'], 6],
];
const USAGE_KINDS = USAGE_MIX.map(([kind]) => kind);
const pickUsageIndex = weightedPicker(USAGE_MIX.map(([, weight], index) => [index, weight] as const));
const MEDIAN_DEBIT: Record<string, number> = {
  llm_input_tokens: 6,
  llm_output_tokens: 9,
  embedding_tokens: 2.5,
  memory_storage_gb_hours: 3.2,
  retrieval_queries: 0.6,
};

/** The size of one debit in cents (positive); `intensity` > 1 on spike days. */
function debitCents(prng: Prng, usageIndex: number, intensity: number): number {
  const [metric] = USAGE_KINDS[usageIndex]!;
  const credits = prng.logNormal(MEDIAN_DEBIT[metric] ?? 1, 0.7) * (intensity > 1 ? 1.6 : 1);
  return Math.max(1, Math.round(credits * 100));
}

function debitDraft(usageIndex: number, cents: number, atUs: number): SynapDraft {
  const [metric, category] = USAGE_KINDS[usageIndex]!;
  return { entry_type: 'debit', cents: -cents, metric_type: metric, category, atUs };
}

/** One random usage debit. */
export function randomDebit(prng: Prng, atUs: number, intensity = 1): SynapDraft {
  const usageIndex = pickUsageIndex(prng.next);
  return debitDraft(usageIndex, debitCents(prng, usageIndex, intensity), atUs);
}

type Special =
  | { kind: 'topup'; atUs: number; initial: boolean }
  | { kind: 'grant'; entryType: 'promo' | 'redemption'; cents: number; atUs: number }
  | { kind: 'expiration'; atUs: number };

function plannedSpecials(prng: Prng, startMs: number, anchorMs: number): Special[] {
  const startUs = startMs * 1000;
  const anchorUs = anchorMs * 1000;
  const jitter = (maxMinutes: number): number => prng.int(60, maxMinutes * 60) * 1_000_000 + prng.int(1, 999_999);
  // The account opened with a top-up shortly before the first usage day.
  const specials: Special[] = [{ kind: 'topup', atUs: startUs - 2 * HOUR_US + jitter(30), initial: true }];
  for (let month = monthStartUtc(startMs, 1); month < anchorMs - HOUR_MS; month = monthStartUtc(month, 1)) {
    specials.push({ kind: 'topup', atUs: month * 1000 + jitter(5), initial: false });
  }
  const grant = (entryType: 'promo' | 'redemption', cents: number, atUs: number, validityUs: number): void => {
    specials.push({ kind: 'grant', entryType, cents, atUs });
    if (atUs + validityUs < anchorUs) specials.push({ kind: 'expiration', atUs: atUs + validityUs });
  };
  // A welcome promo that lapsed, sometimes a recent one still valid.
  grant('promo', 100_000, startUs + 3 * DAY_US + prng.int(8, 16) * HOUR_US + jitter(50), PROMO_VALIDITY_US);
  if (prng.chance(0.5)) {
    grant('promo', 50_000, anchorUs - prng.int(12, 25) * DAY_US - jitter(600), PROMO_VALIDITY_US);
  }
  grant('redemption', 30_000, startUs + prng.int(20, 35) * DAY_US + jitter(600), REDEMPTION_VALIDITY_US);
  grant('redemption', 50_000, anchorUs - prng.int(30, 45) * DAY_US - jitter(600), REDEMPTION_VALIDITY_US);
  return specials.sort((a, b) => a.atUs - b.atUs);
}

const roundUpToStep = (cents: number): number => Math.max(1, Math.ceil(cents / TOPUP_STEP_CENTS)) * TOPUP_STEP_CENTS;

/**
 * Emits `size` entries (exactly, unless a lot happened to be empty at expiry),
 * oldest first, and returns the wallet they leave behind. Entries are emitted,
 * not returned, and debits wait in typed arrays: a 100k-row seed must stay
 * well under a second, and long-lived intermediate objects were most of the cost.
 */
export function seedSynapLedger(
  prng: Prng,
  anchorMs: number,
  size: number,
  emit: (draft: SynapDraft) => void,
  historyDays = SYNAP_HISTORY_DAYS,
): SynapWallet {
  const wallet = new SynapWallet();
  if (size <= 0) return wallet;

  const calendar = activityCalendar(prng, { endMs: anchorMs, days: historyDays, spikeDays: 4, weekendWeight: 0.22 });
  let specials = plannedSpecials(prng, calendar.startMs, anchorMs);
  // Too small a ledger for the full story: keep only the opening top-up.
  if (size <= specials.length) specials = specials.slice(0, 1);

  const count = size - specials.length;
  const times = new Float64Array(count);
  for (let i = 0; i < count; i++) times[i] = calendar.sample(prng);
  times.sort();
  const kinds = new Uint8Array(count);
  const cents = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    kinds[i] = pickUsageIndex(prng.next);
    cents[i] = debitCents(prng, kinds[i]!, calendar.intensityAt(times[i]!));
  }

  // Usage between consecutive top-ups, so each top-up can cover its period.
  const topupTimes = specials.filter((s) => s.kind === 'topup').map((s) => s.atUs);
  const periodUsage = topupTimes.map(() => 0);
  let period = 0;
  for (let i = 0; i < count; i++) {
    while (period + 1 < topupTimes.length && times[i]! >= topupTimes[period + 1]!) period++;
    periodUsage[period]! += cents[i]!;
  }
  const averageUsage = periodUsage.reduce((a, b) => a + b, 0) / Math.max(1, periodUsage.length);
  const planCents = roundUpToStep(averageUsage * 1.2);

  const record = (draft: SynapDraft): void => {
    wallet.apply(draft.entry_type, draft.cents, draft.atUs);
    emit(draft);
  };
  const recordDebitsBefore = (atUs: number): void => {
    for (; next < count && times[next]! < atUs; next++) record(debitDraft(kinds[next]!, cents[next]!, times[next]!));
  };
  let topupIndex = 0;
  let next = 0;
  for (const special of specials) {
    recordDebitsBefore(special.atUs);
    if (special.kind === 'topup') {
      // An auto top-up: the plan amount, more when the coming period needs it, so
      // the paid lot (spent first) never runs dry and the balance stays positive.
      const need = (periodUsage[topupIndex++] ?? 0) * 1.15 - wallet.paidCents + 20_000;
      const amount = Math.max(planCents, roundUpToStep(need));
      record({ entry_type: 'credit', cents: amount, metric_type: null, category: special.initial ? null : 'topup', atUs: special.atUs });
    } else if (special.kind === 'grant') {
      const category = special.entryType === 'promo' ? 'promo' : 'redeem';
      record({ entry_type: special.entryType, cents: special.cents, metric_type: null, category, atUs: special.atUs });
    } else {
      const expired = wallet.expiredCents(special.atUs);
      if (expired > 0) record({ entry_type: 'expiration', cents: -expired, metric_type: null, category: 'expiration', atUs: special.atUs });
    }
  }
  recordDebitsBefore(Infinity);
  return wallet;
}
