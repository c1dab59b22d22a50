// The Synap wallet behind the ledger: credits sit in lots (one paid lot, one lot
// per promo or redemption, which expire), and every ledger entry moves exactly
// its delta in or out of some lot. So the buckets always sum to the ledger's
// total, whatever order entries arrive in.

import type { SynapBucket, SynapBucketSource } from './types.js';
import { DAY_MS, formatPythonUtc } from './time.js';

const DAY_US = DAY_MS * 1000;
/** How long granted credits stay valid; undocumented upstream, plausible values. */
export const PROMO_VALIDITY_US = 30 * DAY_US;
export const REDEMPTION_VALIDITY_US = 90 * DAY_US;

interface Lot {
  source: SynapBucketSource;
  /** Integer hundredths of a credit: deltas have at most 2 decimals, so cents never drift. */
  cents: number;
  expiresAtUs: number | null;
}

/** Spending order: paid first, then whatever expires soonest. */
const SPEND_ORDER: Record<SynapBucketSource, number> = { paid: 0, redeem: 1, promo: 2 };

export class SynapWallet {
  private readonly paid: Lot = { source: 'paid', cents: 0, expiresAtUs: null };
  private readonly lots: Lot[] = [this.paid];

  get totalCents(): number {
    let sum = 0;
    for (const lot of this.lots) sum += lot.cents;
    return sum;
  }

  get paidCents(): number {
    return this.paid.cents;
  }

  /** Credits in lots whose validity ended at or before `atUs`: what an expiration entry removes. */
  expiredCents(atUs: number): number {
    let sum = 0;
    for (const lot of this.lots) {
      if (lot.expiresAtUs !== null && lot.expiresAtUs <= atUs && lot.cents > 0) sum += lot.cents;
    }
    return sum;
  }

  apply(entryType: string, cents: number, atUs: number): void {
    if (entryType === 'promo' && cents > 0) {
      this.lots.push({ source: 'promo', cents, expiresAtUs: atUs + PROMO_VALIDITY_US });
    } else if (entryType === 'redemption' && cents > 0) {
      this.lots.push({ source: 'redeem', cents, expiresAtUs: atUs + REDEMPTION_VALIDITY_US });
    } else if (entryType === 'expiration' && cents < 0) {
      this.take(-cents, this.expirationOrder(atUs));
    } else if (cents >= 0) {
      this.paid.cents += cents;
    } else if (this.paid.cents >= -cents) {
      this.paid.cents += cents; // the common case, kept cheap for 100k-row seeds
    } else {
      this.take(-cents, this.spendOrder());
    }
  }

  buckets(): SynapBucket[] {
    const out: SynapBucket[] = [];
    for (const source of ['paid', 'promo', 'redeem'] as const) {
      const lots = this.lots.filter((l) => l.source === source);
      const cents = lots.reduce((sum, l) => sum + l.cents, 0);
      if (source !== 'paid' && cents === 0) continue;
      let soonest: number | null = null;
      for (const l of lots) {
        if (l.cents > 0 && l.expiresAtUs !== null && (soonest === null || l.expiresAtUs < soonest)) {
          soonest = l.expiresAtUs;
        }
      }
      out.push({ source_type: source, balance: cents / 100, expires_at: soonest === null ? null : formatPythonUtc(soonest) });
    }
    return out;
  }

  private spendOrder(): Lot[] {
    return this.lots
      .filter((l) => l.cents > 0 || l === this.paid)
      .sort(
        (a, b) =>
          SPEND_ORDER[a.source] - SPEND_ORDER[b.source] ||
          (a.expiresAtUs ?? Infinity) - (b.expiresAtUs ?? Infinity),
      );
  }

  /** Lots already past their validity go first; then the normal order. */
  private expirationOrder(atUs: number): Lot[] {
    const expired = (l: Lot): number => (l.expiresAtUs !== null && l.expiresAtUs <= atUs ? 0 : 1);
    return this.spendOrder().sort((a, b) => expired(a) - expired(b));
  }

  /** Removes `cents` from the lots in order; what nobody covers overdraws the paid lot. */
  private take(cents: number, order: Lot[]): void {
    let left = cents;
    for (const lot of order) {
      if (left === 0) break;
      const part = Math.min(Math.max(lot.cents, 0), left);
      lot.cents -= part;
      left -= part;
    }
    this.paid.cents -= left;
  }
}
