// Token-bucket rate limiting per API key, as both upstreams advertise it:
// `burst` tokens, refilled continuously at limit/windowMs.

import { performance } from 'node:perf_hooks';
import type { RateLimitOptions } from './types.js';

export interface RateDecision {
  allowed: boolean;
  headers: Record<string, string>;
}

interface Bucket {
  tokens: number;
  updatedAt: number;
}

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly capacity: number;
  /** Tokens per millisecond. */
  private readonly rate: number;

  /**
   * Refill runs on a real monotonic clock, so a client that waits Retry-After
   * really gets a token back even when the simulator clock is frozen; the
   * X-RateLimit-Reset instant is reported on the simulator clock (`wallNow`).
   */
  constructor(
    private readonly options: RateLimitOptions,
    private readonly wallNow: () => number,
    private readonly monotonicNow: () => number = () => performance.now(),
  ) {
    if (!(options.limit > 0) || !(options.windowMs > 0)) throw new Error('rateLimit needs limit > 0 and windowMs > 0');
    this.capacity = Math.max(1, options.burst ?? options.limit);
    this.rate = options.limit / options.windowMs;
  }

  take(key: string): RateDecision {
    const now = this.monotonicNow();
    const bucket = this.buckets.get(key) ?? { tokens: this.capacity, updatedAt: now };
    bucket.tokens = Math.min(this.capacity, bucket.tokens + (now - bucket.updatedAt) * this.rate);
    bucket.updatedAt = now;
    this.buckets.set(key, bucket);

    const allowed = bucket.tokens >= 1;
    if (allowed) bucket.tokens -= 1;
    // Allowed: when the bucket is full again. Refused: when the next token arrives.
    const waitMs = allowed ? (this.capacity - bucket.tokens) / this.rate : (1 - bucket.tokens) / this.rate;
    const headers: Record<string, string> = {
      'x-ratelimit-limit': String(this.options.limit),
      'x-ratelimit-remaining': String(Math.floor(bucket.tokens)),
      'x-ratelimit-reset': String(Math.ceil((this.wallNow() + waitMs) / 1000)),
    };
    if (!allowed) headers['retry-after'] = String(Math.max(1, Math.ceil(waitMs / 1000)));
    return { allowed, headers };
  }
}
