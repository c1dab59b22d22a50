// Ids like `led_3f9a0c21b7d45e80`: random-looking, deterministic, and unique by
// construction. Each is a keyed Feistel permutation of a counter, so no set of
// issued ids is needed to rule out collisions (that set cost ~100 ms on a
// 100k-row seed).

import type { Prng } from './prng.js';

const HEX = '0123456789abcdef';
const ROUNDS = 4;

function round(x: number, key: number): number {
  let h = Math.imul(x ^ key, 0x9e3779b1);
  h ^= h >>> 15;
  h = Math.imul(h, 0x85ebca77);
  h ^= h >>> 13;
  return h >>> 0;
}

export class IdSequence {
  private counter = 0;
  private readonly keys: number[];
  /** Ids callers chose themselves; a generated id equal to one is skipped. */
  private readonly claimed = new Set<string>();

  constructor(
    prng: Prng,
    private readonly prefix: string,
  ) {
    this.keys = Array.from({ length: ROUNDS }, () => prng.u32());
  }

  next(): string {
    for (;;) {
      const id = this.format(this.counter++);
      if (!this.claimed.has(id)) return id;
    }
  }

  claim(id: string): void {
    this.claimed.add(id);
  }

  private format(n: number): string {
    let left = Math.floor(n / 0x1_0000_0000) >>> 0;
    let right = n >>> 0;
    for (const key of this.keys) [left, right] = [right, (left ^ round(right, key)) >>> 0];
    // One flat string: concatenated (rope) strings are slower to hash later.
    const codes = new Array<number>(this.prefix.length + 16);
    for (let i = 0; i < this.prefix.length; i++) codes[i] = this.prefix.charCodeAt(i);
    for (let i = 0; i < 8; i++) {
      codes[this.prefix.length + i] = HEX.charCodeAt((left >>> (28 - 4 * i)) & 15);
      codes[this.prefix.length + 8 + i] = HEX.charCodeAt((right >>> (28 - 4 * i)) & 15);
    }
    return String.fromCharCode(...codes);
  }
}
