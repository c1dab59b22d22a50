// One upstream key's rate-limit state and request budget across the fleet. Requests in flight
// are leases in a sorted set scored by when they expire (the store's clock, so instances'
// clocks need not agree); each instance renews its own every second, so the leases of an
// instance killed mid-walk lapse within LEASE_MS. A 429's Retry-After, or a Remaining of 0
// until the reset, is a pause key every instance waits out before its next request.
import { randomBytes } from 'node:crypto';
import { abortableSleep } from '../http/abort.js';
import { RateBudgetError } from '../http/rate-gate.js';
import { metrics } from '../metrics/record.js';
import type { ProviderId } from '../core/model.js';
import type { StoreConnection } from './connection.js';
import type { TenantKeys } from './crypto.js';
import type { FleetPacing, FleetTurn } from './fleet.js';

/** A lease not renewed for this long is gone: the most a killed instance holds a slot. */
export const LEASE_MS = 3000;
const RENEW_MS = 1000;
/** How often a request waiting for a slot asks again. */
const SLOT_POLL_MS = 8;
/** The longest pause one answer can impose on the fleet. */
const MAX_PAUSE_MS = 3_600_000;

/** KEYS: leases, pause. ARGV: lease ms, budget, member. Returns [1, 0] taken, [0, ms] paused, [0, -1] no slot free. */
const ACQUIRE = `
local pause = redis.call('PTTL', KEYS[2])
if pause > 0 then return {0, pause} end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then return {0, -1} end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[1]), ARGV[3])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[1]) * 4)
return {1, 0}`;

/** KEYS: leases. ARGV: lease ms, members... Pushes the expiry of the members still held. */
const RENEW = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
for i = 2, #ARGV do redis.call('ZADD', KEYS[1], 'XX', now + tonumber(ARGV[1]), ARGV[i]) end
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[1]) * 4)
return 1`;

/** KEYS: pause. ARGV: ms. A pause only ever grows. */
const PAUSE = `
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[1]) then redis.call('SET', KEYS[1], '1', 'PX', ARGV[1]) end
return 1`;

export class RedisFleetPacing implements FleetPacing {
  private readonly leases: string;
  private readonly pause: string;
  private readonly held = new Set<string>();
  private readonly instance = randomBytes(6).toString('hex');
  private sequence = 0;
  private renewal: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: StoreConnection,
    keys: TenantKeys,
    private readonly provider: ProviderId,
    /** CREDIT_MCP_CONCURRENCY: requests in flight for this key, all instances together. */
    private readonly budget: number,
  ) {
    this.leases = keys.name('leases');
    this.pause = keys.name('pause');
  }

  async acquire(signal: AbortSignal | undefined, deadline: number): Promise<FleetTurn> {
    const member = `${this.instance}:${++this.sequence}`;
    let waitedForPause = false;
    for (;;) {
      // Not counted as an addition when it goes through: a script whose first write is a deletion
      // may go on to add even on a full store, so it says nothing of the store's room.
      const answer = await this.store.run('lease', (r) => r.eval(ACQUIRE, 2, this.leases, this.pause, LEASE_MS, this.budget, member) as Promise<[number, number]>);
      // The store is away: this instance's own pacing is all there is.
      if (answer === undefined) return { done: (a) => this.shareRateLimit(a) };
      const [taken, pauseMs] = answer;
      if (taken === 1) {
        this.hold(member);
        return { done: (a) => this.give(member, a) };
      }
      const wait = pauseMs > 0 ? pauseMs : SLOT_POLL_MS + Math.random() * SLOT_POLL_MS;
      if (Date.now() + wait > deadline) throw new RateBudgetError(Date.now() + wait, pauseMs > 0 ? 'fleet_pause' : 'fleet_budget');
      if (pauseMs > 0 && !waitedForPause) {
        waitedForPause = true;
        metrics.rateLimitWait(this.provider);
      }
      await abortableSleep(wait, signal);
    }
  }

  close(): void {
    if (this.renewal) clearInterval(this.renewal);
    this.renewal = undefined;
    const members = [...this.held];
    this.held.clear();
    if (members.length) void this.store.run('lease', (r) => r.zrem(this.leases, ...members));
  }

  private hold(member: string): void {
    this.held.add(member);
    this.renewal ??= setInterval(() => {
      if (this.held.size === 0) {
        clearInterval(this.renewal);
        this.renewal = undefined;
        return;
      }
      void this.store.run('lease', (r) => r.eval(RENEW, 1, this.leases, LEASE_MS, ...this.held));
    }, RENEW_MS).unref();
  }

  private give(member: string, answer: Parameters<FleetTurn['done']>[0]): void {
    this.held.delete(member);
    void this.store.run('lease', (r) => r.zrem(this.leases, member));
    this.shareRateLimit(answer);
  }

  /** A 429's Retry-After, or a Remaining of 0 until the reset, pauses every instance. */
  private shareRateLimit({ status, rateLimit, retryAfterSeconds }: Parameters<FleetTurn['done']>[0]): void {
    let ms = 0;
    if (status === 429) ms = (retryAfterSeconds ?? 1) * 1000;
    else if (rateLimit?.remaining === 0 && rateLimit.resetAt !== undefined) ms = rateLimit.resetAt - Date.now();
    if (ms <= 0) return;
    const bounded = Math.min(Math.ceil(ms), MAX_PAUSE_MS);
    void this.store.run('pause', (r) => r.eval(PAUSE, 1, this.pause, bounded), { grows: true });
  }
}
