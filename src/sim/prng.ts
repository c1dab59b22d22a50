// Deterministic pseudo-random numbers. Math.random cannot be seeded, and the
// simulator must produce the same data for the same seed on every machine.

export interface Prng {
  /** Uniform float in [0, 1). */
  next(): number;
  /** Uniform unsigned 32-bit integer. */
  u32(): number;
  /** Uniform integer in [min, max] (both inclusive). */
  int(min: number, max: number): number;
  /** Uniform float in [min, max). */
  float(min: number, max: number): number;
  pick<T>(items: readonly T[]): T;
  /** Picks by relative weight; weights need not sum to 1. */
  weighted<T>(items: readonly (readonly [T, number])[]): T;
  chance(probability: number): boolean;
  /** `prefix` followed by exactly `length` random lowercase hex digits. */
  hex(length: number, prefix?: string): string;
  /** `prefix` followed by exactly `length` random lowercase base-36 characters. */
  base36(length: number, prefix?: string): string;
  /** Log-normal sample with the given median; `spread` is sigma of the underlying normal. */
  logNormal(median: number, spread: number): number;
}

const DIGITS = '0123456789abcdefghijklmnopqrstuvwxyz';

/** splitmix32: turns a seed plus a label into a well-mixed 32-bit state word. */
function mix(seed: number, label: string): number {
  let h = (seed ^ 0x9e3779b9) >>> 0;
  for (let i = 0; i < label.length; i++) {
    h = Math.imul(h ^ label.charCodeAt(i), 0x85ebca6b) >>> 0;
    h = (h ^ (h >>> 13)) >>> 0;
  }
  h = (h + 0x9e3779b9) >>> 0;
  let z = h;
  z = Math.imul(z ^ (z >>> 16), 0x21f0aaad) >>> 0;
  z = Math.imul(z ^ (z >>> 15), 0x735a2d97) >>> 0;
  return (z ^ (z >>> 15)) >>> 0;
}

/**
 * sfc32 generator. The label gives each consumer its own stream, so changing how
 * many Signal Foundry events are generated never changes the Synap ledger.
 */
export function createPrng(seed: number, label: string): Prng {
  let a = mix(seed, `${label}:a`);
  let b = mix(seed, `${label}:b`);
  let c = mix(seed, `${label}:c`);
  let d = 1;
  const nextU32 = (): number => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = ((c << 21) | (c >>> 11)) >>> 0;
    c = (c + t) >>> 0;
    return t;
  };
  // The first outputs of sfc32 are weakly mixed; discard them.
  for (let i = 0; i < 12; i++) nextU32();

  const next = (): number => nextU32() / 4294967296;
  // Ids are built as one flat string: a concatenated (rope) string costs a
  // flattening pass when it is hashed into a Set, which showed up on 100k-row seeds.
  const token = (prefix: string, length: number, radix: number): string => {
    const codes = new Array<number>(prefix.length + length);
    for (let i = 0; i < prefix.length; i++) codes[i] = prefix.charCodeAt(i);
    for (let i = prefix.length; i < codes.length; i++) codes[i] = DIGITS.charCodeAt(Math.floor(next() * radix));
    return String.fromCharCode(...codes);
  };
  const int = (min: number, max: number): number => min + Math.floor(next() * (max - min + 1));

  return {
    next,
    u32: nextU32,
    int,
    float: (min, max) => min + next() * (max - min),
    pick<T>(items: readonly T[]): T {
      const item = items[Math.floor(next() * items.length)];
      if (item === undefined) throw new Error('pick from an empty list');
      return item;
    },
    weighted: (items) => weightedPicker(items)(next),
    chance: (p) => next() < p,
    hex: (length, prefix = '') => token(prefix, length, 16),
    base36: (length, prefix = '') => token(prefix, length, 36),
    logNormal(median, spread) {
      // Box-Muller; 1 - next() keeps the log argument away from zero.
      const u = 1 - next();
      const v = next();
      const normal = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
      return median * Math.exp(spread * normal);
    },
  };
}

/**
 * A reusable weighted choice over fixed items: the cumulative table is built
 * once, which matters when it is drawn from for every row of a large seed.
 */
export function weightedPicker<T>(items: readonly (readonly [T, number])[]): (next: () => number) => T {
  if (items.length === 0) throw new Error('weighted pick from an empty list');
  const values = items.map(([item]) => item);
  const cumulative: number[] = [];
  let total = 0;
  for (const [, weight] of items) cumulative.push((total += weight));
  return (next) => {
    const r = next() * total;
    let i = 0;
    while (i < cumulative.length - 1 && cumulative[i]! <= r) i++;
    return values[i]!;
  };
}
