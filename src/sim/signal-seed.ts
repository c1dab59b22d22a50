// The seeded Signal Foundry account: ~120 days of credit events grouped the way
// the product produces them (a run reserves, uses, releases), one run still
// holding its reservation, and the grants described in contracts.md.

import { activityCalendar } from './activity.js';
import type { Prng } from './prng.js';
import { DAY_MS, HOUR_MS, SECOND_MS, monthStartUtc } from './time.js';
import type { SignalEvent } from './types.js';

export const SIGNAL_HISTORY_DAYS = 120;
/** The reservation left open by the run in progress: `reserved_credits` at start. */
export const SEEDED_OPEN_RESERVATION = 150;

/** An event before it has an id; the account assigns ids. */
export type SignalDraft = Omit<SignalEvent, 'credit_event_id' | 'recorded_at'> & { atMs: number };

export interface SeededGrant {
  grant_id: string;
  source: string;
  granted_credits: number;
  remaining_credits: number;
  expiresAtMs: number | null;
}

const REFERENCE_PREFIXES: Record<string, string> = { list: 'lst_', source: 'src_', run: 'run_' };
export const referenceId = (prng: Prng, type: string): string =>
  prng.base36(10, REFERENCE_PREFIXES[type] ?? `${type.slice(0, 3)}_`);

type RunKind = 'materialize' | 'resolve' | 'select' | 'enrich';
const RUN_MIX: readonly (readonly [RunKind, number])[] = [
  ['materialize', 3],
  ['resolve', 3],
  ['select', 2],
  ['enrich', 2],
];

/** The events one unit of work records, oldest first. */
function runEvents(prng: Prng, kind: RunKind, atMs: number, intensity: number): SignalDraft[] {
  const scale = (n: number): number => Math.max(1, Math.round(n * (intensity > 1 ? 1.8 : 1)));
  if (kind === 'resolve' || kind === 'select') {
    const quantity = scale(kind === 'resolve' ? prng.int(1, 25) : prng.int(1, 60));
    return [
      {
        meter_type: 'usage.basic_company',
        quantity,
        usage_key: `source.${kind}`,
        reference_type: 'source',
        reference_id: referenceId(prng, 'source'),
        atMs,
      },
    ];
  }
  const usageKey = kind === 'materialize' ? 'list.materialize' : 'list.enrich';
  const meter = kind === 'materialize' ? 'usage.basic_company' : 'usage.enrichment_source';
  const used = scale(kind === 'materialize' ? prng.int(10, 400) : prng.int(2, 120));
  const reserved = Math.ceil((used * prng.float(1, 1.3)) / 10) * 10;
  const run = referenceId(prng, 'run');
  // Enrichment reservations are not tied to a usage key; list reservations are.
  const reservationKey = kind === 'materialize' ? usageKey : null;
  const usedAt = atMs + prng.int(5, 90) * SECOND_MS;
  const events: SignalDraft[] = [
    { meter_type: 'reservation.reserve', quantity: reserved, usage_key: reservationKey, reference_type: 'run', reference_id: run, atMs },
    { meter_type: meter, quantity: used, usage_key: usageKey, reference_type: 'list', reference_id: referenceId(prng, 'list'), atMs: usedAt },
  ];
  if (reserved > used) {
    events.push({
      meter_type: 'reservation.release',
      quantity: reserved - used,
      usage_key: reservationKey,
      reference_type: 'run',
      reference_id: run,
      atMs: usedAt + prng.int(1, 10) * SECOND_MS,
    });
  }
  return events;
}

export function seedSignalEvents(prng: Prng, anchorMs: number, count: number): SignalDraft[] {
  if (count <= 0) return [];
  const open: SignalDraft = {
    meter_type: 'reservation.reserve',
    quantity: SEEDED_OPEN_RESERVATION,
    usage_key: 'list.materialize',
    reference_type: 'run',
    reference_id: referenceId(prng, 'run'),
    atMs: anchorMs - prng.int(60 * 60, 180 * 60) * SECOND_MS - prng.int(0, 999),
  };
  // Finished runs end well before the open one starts, so it is the newest reservation.
  const calendar = activityCalendar(prng, {
    endMs: anchorMs - 4 * HOUR_MS,
    days: SIGNAL_HISTORY_DAYS,
    spikeDays: 3,
    weekendWeight: 0.15,
  });
  const drafts: SignalDraft[] = [];
  while (drafts.length < count - 1) {
    const atUs = calendar.sample(prng);
    const run = runEvents(prng, prng.weighted(RUN_MIX), Math.floor(atUs / 1000), calendar.intensityAt(atUs));
    drafts.push(...run.slice(0, count - 1 - drafts.length));
  }
  drafts.push(open);
  return drafts;
}

export function seedSignalGrants(prng: Prng, anchorMs: number): SeededGrant[] {
  const id = (): string => prng.base36(12, 'grt_');
  const thisMonth = monthStartUtc(anchorMs);
  const nextMonth = monthStartUtc(anchorMs, 1);
  const hourAligned = (ms: number): number => Math.floor(ms / HOUR_MS) * HOUR_MS;
  return [
    { grant_id: id(), source: 'pro', granted_credits: 20_000, remaining_credits: 20_000 - prng.int(3_000, 12_000), expiresAtMs: null },
    // Last month's free grant: past its expiry, yet still showing unused credits.
    { grant_id: id(), source: 'free', granted_credits: 2_000, remaining_credits: prng.int(120, 600), expiresAtMs: thisMonth - SECOND_MS },
    // Used up and expiring within days: a client must skip it when reporting the next expiry.
    { grant_id: id(), source: 'credit_pack', granted_credits: 5_000, remaining_credits: 0, expiresAtMs: hourAligned(anchorMs + prng.int(3, 9) * DAY_MS) },
    {
      grant_id: id(),
      source: 'credit_pack',
      granted_credits: 10_000,
      remaining_credits: 10_000 - prng.int(2_500, 6_000),
      expiresAtMs: hourAligned(anchorMs + 42 * DAY_MS + prng.int(0, 23) * HOUR_MS),
    },
    { grant_id: id(), source: 'free', granted_credits: 2_000, remaining_credits: 2_000 - prng.int(300, 1_500), expiresAtMs: nextMonth - SECOND_MS },
  ];
}
