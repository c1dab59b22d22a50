// When seeded usage happens: mostly on weekdays and in working hours, growing a
// little over time, with a few spike days. Both upstreams' seeds draw their
// timestamps from here so their histories look alike.

import type { Prng } from './prng.js';
import { DAY_MS, HOUR_MS } from './time.js';

// Relative activity per UTC hour: quiet nights, busy office hours.
const HOUR_WEIGHTS = [
  0.15, 0.1, 0.1, 0.1, 0.15, 0.25, 0.5, 0.9, 1.3, 1.6, 1.7, 1.6, 1.3, 1.5, 1.7, 1.7, 1.5, 1.2, 0.8, 0.6, 0.5,
  0.4, 0.3, 0.2,
] as const;
const HOUR_TOTAL = HOUR_WEIGHTS.reduce((a, b) => a + b, 0);

export interface ActivityCalendar {
  /** Start (00:00 UTC) of the first day covered. */
  readonly startMs: number;
  /** A random instant in epoch microseconds, strictly before the calendar's end. */
  sample(prng: Prng): number;
  /** 1 on an ordinary day, larger on a spike day: seeds scale amounts with it. */
  intensityAt(atUs: number): number;
}

export interface ActivityOptions {
  /** Exclusive end of the window, epoch ms. */
  endMs: number;
  /** Calendar days covered, the last one being the (partial) day of `endMs`. */
  days: number;
  spikeDays: number;
  weekendWeight: number;
}

export function activityCalendar(prng: Prng, opts: ActivityOptions): ActivityCalendar {
  const lastDay = Math.floor((opts.endMs - 1) / DAY_MS);
  const firstDay = lastDay - opts.days + 1;
  const spikes = new Map<number, number>();
  for (let i = 0; i < opts.spikeDays; i++) spikes.set(firstDay + prng.int(0, opts.days - 1), prng.float(2.5, 4.5));

  const cumulative: number[] = [];
  let total = 0;
  for (let day = firstDay; day <= lastDay; day++) {
    const weekday = new Date(day * DAY_MS).getUTCDay();
    const base = weekday === 0 || weekday === 6 ? opts.weekendWeight : prng.float(0.8, 1.2);
    const trend = 0.7 + (0.6 * (day - firstDay)) / Math.max(1, opts.days - 1);
    const covered = Math.min(1, (opts.endMs - day * DAY_MS) / DAY_MS);
    total += base * trend * (spikes.get(day) ?? 1) * covered;
    cumulative.push(total);
  }

  const pickDay = (r: number): number => {
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cumulative[mid]! > r) hi = mid;
      else lo = mid + 1;
    }
    return firstDay + lo;
  };

  const pickHourUs = (p: Prng): number => {
    let r = p.next() * HOUR_TOTAL;
    let hour = 0;
    for (; hour < 23; hour++) {
      r -= HOUR_WEIGHTS[hour]!;
      if (r < 0) break;
    }
    return hour * HOUR_MS * 1000 + Math.floor(p.next() * HOUR_MS * 1000);
  };

  return {
    startMs: firstDay * DAY_MS,
    sample(p) {
      const day = pickDay(p.next() * total);
      const dayStartUs = day * DAY_MS * 1000;
      const endUs = opts.endMs * 1000;
      // The last day is cut short by the end of the window: spread its share uniformly.
      return dayStartUs + DAY_MS * 1000 <= endUs
        ? dayStartUs + pickHourUs(p)
        : dayStartUs + Math.floor(p.next() * (endUs - dayStartUs));
    },
    intensityAt: (atUs) => spikes.get(Math.floor(atUs / 1000 / DAY_MS)) ?? 1,
  };
}
