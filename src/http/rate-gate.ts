// Paces requests to one upstream by its own rate-limit headers, so a busy walk slows down
// instead of drawing 429s. One gate per upstream, shared by every call to it.
//
// The budget only ever goes down between resets: spend it, wait for the reset the upstream
// announced, then send one probe to learn the new budget. For a token bucket that is the
// same average rate as steady pacing (a full bucket per refill time), and for a fixed window
// it is exact; it never needs to guess how answers that arrive out of order overlap.
import type { RateLimitState } from '../core/model.js';
import { abortableSleep } from './abort.js';

/** The next request could start only after the caller's deadline. */
export class RateBudgetError extends Error {
  override name = 'RateBudgetError';
  /**
   * `why`: this instance's reading of the upstream's headers, a pause another instance of the
   * fleet saw, or the key's budget of requests in flight across the fleet.
   */
  constructor(
    readonly resumeAt: number,
    readonly why: 'headers' | 'fleet_pause' | 'fleet_budget' = 'headers',
  ) {
    super('The upstream rate limit allows no further request within this call.');
  }
}

const PROBE_POLL_MS = 25;

export class RateGate {
  /** Has the upstream ever sent rate-limit headers? Until then nothing is paced. */
  private limited = false;
  /** Requests we may still send before `resetAt`; undefined while a probe finds out. */
  private budget: number | undefined;
  private resetAt = 0;
  private inFlight = 0;

  constructor(
    private readonly now: () => number = Date.now,
    /** Told once per request that has to wait for its turn. */
    private readonly onWait: () => void = () => {},
  ) {}

  /** Waits for a turn. A wait that would end after `deadline` is not started: RateBudgetError says when. */
  async acquire(signal: AbortSignal | undefined, deadline: number): Promise<void> {
    for (let waited = false; ; waited = true) {
      if (!this.limited || (this.budget === undefined ? this.inFlight === 0 : this.budget > 0)) {
        if (this.budget !== undefined) this.budget--;
        this.inFlight++;
        return;
      }
      const exhausted = this.budget !== undefined;
      const resumeAt = exhausted ? Math.max(this.resetAt, this.now() + PROBE_POLL_MS) : this.now() + PROBE_POLL_MS;
      if (resumeAt > deadline) throw new RateBudgetError(resumeAt);
      if (!waited) this.onWait();
      await abortableSleep(resumeAt - this.now(), signal);
      if (this.budget !== undefined && this.budget <= 0 && this.now() >= this.resetAt) {
        this.budget = undefined;
        this.resetAt = 0;
      }
    }
  }

  /** Records what an answer said (nothing, for a request that got no answer). */
  release(state: RateLimitState | undefined): void {
    this.inFlight--;
    if (!state || state.remaining === undefined) return;
    this.limited = true;
    // Requests still in flight may not be counted in this answer yet: count them as spent.
    const estimate = Math.max(0, state.remaining - this.inFlight);
    this.budget = this.budget === undefined ? estimate : Math.min(this.budget, estimate);
    if (state.resetAt !== undefined) this.resetAt = Math.max(this.resetAt, state.resetAt);
  }
}
