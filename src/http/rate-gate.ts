// Paces requests to one upstream by its own rate-limit headers, so a busy walk slows down
// instead of drawing 429s. One gate per upstream, shared by every call to it.
import type { RateLimitState } from '../model.js';
import { abortableSleep } from './abort.js';

/** The next request could start only after the caller's deadline. */
export class RateBudgetError extends Error {
  override name = 'RateBudgetError';
  constructor(readonly resumeAt: number) {
    super('The upstream rate limit allows no further request within this call.');
  }
}

export interface Permit {
  seq: number;
}

export class RateGate {
  /** Requests we may still send before the reset, as far as we know; undefined: unknown. */
  private tokens: number | undefined;
  private resetAt = 0;
  private started = 0;
  private appliedSeq = -1;
  private inFlight = 0;

  constructor(private readonly now: () => number = Date.now) {}

  /**
   * Waits until a request may be sent. A wait that would end after `deadline` is not
   * started: RateBudgetError says when the upstream will take requests again.
   */
  async acquire(signal: AbortSignal | undefined, deadline: number): Promise<Permit> {
    for (;;) {
      if (this.tokens === undefined ? this.inFlight === 0 || this.resetAt === 0 : this.tokens > 0) {
        if (this.tokens !== undefined) this.tokens--;
        this.inFlight++;
        return { seq: this.started++ };
      }
      // Out of budget (or waiting for a probe to report): wait for the reset, or for a turn.
      const resumeAt = this.tokens !== undefined && this.tokens <= 0 ? Math.max(this.resetAt, this.now() + 50) : this.now() + 25;
      if (resumeAt > deadline) throw new RateBudgetError(resumeAt);
      await abortableSleep(resumeAt - this.now(), signal);
      if (this.tokens !== undefined && this.tokens <= 0 && this.now() >= this.resetAt) {
        // The window has reset; one probe request learns the new budget.
        this.tokens = undefined;
      }
    }
  }

  /** Records what a response said. Older responses than the last applied one are stale. */
  release(permit: Permit, state: RateLimitState | undefined): void {
    this.inFlight--;
    if (!state || state.remaining === undefined || permit.seq < this.appliedSeq) return;
    this.appliedSeq = permit.seq;
    // Requests sent after this one may have spent budget the header does not show yet.
    const sentSince = this.started - 1 - permit.seq;
    this.tokens = state.remaining - sentSince;
    if (state.resetAt !== undefined) this.resetAt = state.resetAt;
  }
}
