// The Signal Foundry account state: credit events (newest first), grants and
// the open reservations. Balance figures are computed at the moment asked, so a
// grant stops counting as soon as the simulator clock passes its expiry.

import { IdSequence } from './id-sequence.js';
import { NewestFirstLog } from './ordered-log.js';
import type { Prng } from './prng.js';
import { SEEDED_OPEN_RESERVATION, referenceId, seedSignalEvents, seedSignalGrants, type SeededGrant, type SignalDraft } from './signal-seed.js';
import { DAY_MS, formatIsoZ } from './time.js';
import type { SignalBalanceBody, SignalEvent, SignalSummaryBody } from './types.js';

const round2 = (n: number): number => Math.round(n * 100) / 100;
const isUsage = (meter: string): boolean => meter.startsWith('usage.');

export class SignalFoundryAccount {
  private readonly log: NewestFirstLog<SignalEvent>;
  private readonly grants: SeededGrant[];
  private readonly ids: IdSequence;
  private reserved: number;

  constructor(
    private readonly prng: Prng,
    anchorMs: number,
    eventCount: number,
  ) {
    this.ids = new IdSequence(prng, 'cev_');
    const drafts = seedSignalEvents(prng, anchorMs, eventCount);
    this.log = new NewestFirstLog(drafts.map((d) => this.toRow(d)));
    this.grants = seedSignalGrants(prng, anchorMs);
    this.reserved = eventCount > 0 ? SEEDED_OPEN_RESERVATION : 0;
  }

  events(): readonly SignalEvent[] {
    return this.log.values();
  }

  /** Records an event and moves the balance the way the product would. */
  insert(partial: Partial<SignalEvent> = {}, nowMs: number): SignalEvent {
    const meter = partial.meter_type ?? 'usage.basic_company';
    const referenceType = partial.reference_type === undefined ? 'source' : partial.reference_type;
    const atMs = partial.recorded_at === undefined ? Math.floor(nowMs) : Date.parse(partial.recorded_at);
    if (Number.isNaN(atMs)) throw new Error(`recorded_at is not a date-time: ${partial.recorded_at}`);
    if (partial.credit_event_id !== undefined) {
      if (this.events().some((e) => e.credit_event_id === partial.credit_event_id)) {
        throw new Error(`credit_event_id ${partial.credit_event_id} already exists`);
      }
      this.ids.claim(partial.credit_event_id);
    }
    const draft: SignalDraft = {
      meter_type: meter,
      quantity: partial.quantity ?? this.prng.int(1, 50),
      usage_key: partial.usage_key === undefined ? (isUsage(meter) ? 'source.resolve' : null) : partial.usage_key,
      reference_type: referenceType,
      reference_id:
        partial.reference_id === undefined ? (referenceType === null ? null : referenceId(this.prng, referenceType)) : partial.reference_id,
      atMs,
    };
    const row = this.toRow(draft, partial.credit_event_id);
    this.log.insert(row);
    if (isUsage(meter)) this.consume(draft.quantity, atMs);
    else if (meter === 'reservation.reserve') this.reserved = round2(this.reserved + draft.quantity);
    else if (meter === 'reservation.release') this.reserved = round2(Math.max(0, this.reserved - draft.quantity));
    return row.value;
  }

  balance(nowMs: number): SignalBalanceBody['balance'] {
    const remaining = round2(
      this.grants.filter((g) => isValid(g, nowMs)).reduce((sum, g) => sum + g.remaining_credits, 0),
    );
    return {
      available_credits: round2(remaining - this.reserved),
      remaining_credits: remaining,
      reserved_credits: this.reserved,
      grants: this.grants.map((g) => ({
        grant_id: g.grant_id,
        source: g.source,
        granted_credits: g.granted_credits,
        remaining_credits: g.remaining_credits,
        expires_at: g.expiresAtMs === null ? null : formatIsoZ(g.expiresAtMs),
      })),
    };
  }

  /** The summary endpoint's answer over [now - days, now]. */
  summary(days: number, recentLimit: number, nowMs: number): SignalSummaryBody {
    const startMs = nowMs - days * DAY_MS;
    const rows = this.log.range(startMs, nowMs);
    const byMeter = new Map<string, number>();
    const byUsage = new Map<string, number>();
    let used = 0;
    for (const { value: e } of rows) {
      byMeter.set(e.meter_type, (byMeter.get(e.meter_type) ?? 0) + e.quantity);
      if (isUsage(e.meter_type)) {
        used += e.quantity;
        const key = e.usage_key ?? 'unknown';
        byUsage.set(key, (byUsage.get(key) ?? 0) + e.quantity);
      }
    }
    const balance = this.balance(nowMs);
    // Alphabetical, not largest first: the upstream promises no order.
    const sorted = (m: Map<string, number>): [string, number][] => [...m].sort(([a], [b]) => (a < b ? -1 : 1));
    return {
      summary: {
        totalQuantity: round2(used),
        used_credits: round2(used),
        remaining_credits: balance.remaining_credits,
        available_credits: balance.available_credits,
        reserved_credits: balance.reserved_credits,
        lastRecordedAt: rows[0]?.value.recorded_at ?? null,
        periodStart: formatIsoZ(startMs),
        periodEnd: formatIsoZ(nowMs),
        meterBreakdown: sorted(byMeter).map(([meterType, q]) => ({ meterType, quantity: round2(q) })),
        usageBreakdown: sorted(byUsage).map(([usageKey, q]) => ({ usageKey, quantity: round2(q) })),
        recentEvents: rows.slice(0, recentLimit).map((r) => ({ ...r.value })),
      },
      meta: { days, recent_limit: recentLimit },
    };
  }

  /** Usage draws on valid grants, soonest expiry first; never-expiring ones last. */
  private consume(quantity: number, atMs: number): void {
    let left = quantity;
    const order = this.grants
      .filter((g) => isValid(g, atMs) && g.remaining_credits > 0)
      .sort((a, b) => (a.expiresAtMs ?? Infinity) - (b.expiresAtMs ?? Infinity));
    for (const g of order) {
      const part = Math.min(g.remaining_credits, left);
      g.remaining_credits = round2(g.remaining_credits - part);
      left = round2(left - part);
      if (left <= 0) break;
    }
  }

  private toRow(d: SignalDraft, id?: string): { at: number; id: string; value: SignalEvent } {
    const eventId = id ?? this.ids.next();
    const event: SignalEvent = {
      credit_event_id: eventId,
      meter_type: d.meter_type,
      quantity: d.quantity,
      usage_key: d.usage_key,
      reference_type: d.reference_type,
      reference_id: d.reference_id,
      recorded_at: formatIsoZ(d.atMs),
    };
    return { at: d.atMs, id: eventId, value: event };
  }
}

function isValid(g: SeededGrant, atMs: number): boolean {
  return g.expiresAtMs === null || g.expiresAtMs > atMs;
}
