import { randomInt } from "node:crypto";

/**
 * Where draws get their randomness. Injected so tests can replay a fixed sequence;
 * production always passes `cryptoRandom`.
 */
export interface RandomSource {
  /** A uniformly distributed integer in [0, maxExclusive). */
  int(maxExclusive: number): number;
}

/** 2^32: the number of values one step of the seeded generator yields. */
const UINT32_RANGE = 0x1_0000_0000;

function assertRange(maxExclusive: number, limit: number): void {
  if (!Number.isSafeInteger(maxExclusive) || maxExclusive < 1 || maxExclusive > limit) {
    throw new RangeError(`maxExclusive must be an integer in [1, ${limit}], got ${maxExclusive}`);
  }
}

/**
 * The operating system's CSPRNG through `crypto.randomInt`. No modulo is taken here:
 * `randomInt` itself draws 48-bit values and rejects those at or above the largest
 * multiple of the range, so every result in [0, max) is exactly equally likely.
 */
export const cryptoRandom: RandomSource = {
  int(maxExclusive) {
    // randomInt accepts ranges below 2^48.
    assertRange(maxExclusive, 2 ** 48 - 1);
    return randomInt(0, maxExclusive);
  },
};

/**
 * A deterministic source for tests and simulations: xoshiro128** (Blackman and Vigna),
 * its 128-bit state filled by splitmix32 from `seed` as its authors recommend. Never
 * for real draws: anyone who learns the seed can predict every result.
 *
 * `int` is unbiased like `cryptoRandom`: a 32-bit output `x` is kept only below
 * `limit = 2^32 − (2^32 mod max)`, the largest multiple of `max` that fits, and then
 * `x mod max` hits every residue exactly `limit / max` times.
 */
export function seededRandom(seed: number): RandomSource {
  let s = seed >>> 0;
  const splitmix32 = () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
  const next = xoshiro128StarStar([splitmix32(), splitmix32(), splitmix32(), splitmix32()]);

  return {
    int(maxExclusive) {
      assertRange(maxExclusive, UINT32_RANGE);
      const limit = UINT32_RANGE - (UINT32_RANGE % maxExclusive);
      for (;;) {
        const x = next();
        if (x < limit) return x % maxExclusive;
      }
    },
  };
}

/**
 * The xoshiro128** step function over a 128-bit state of four 32-bit words (not all
 * zero); returns unsigned 32-bit outputs. Exported for its reference-vector test.
 */
export function xoshiro128StarStar(seedState: readonly [number, number, number, number]): () => number {
  const state = [...seedState];
  if (state.every((word) => word === 0)) throw new RangeError("xoshiro128** needs a non-zero state");
  return () => {
    const [a, b, c, d] = state as [number, number, number, number];
    const result = Math.imul(rotl(Math.imul(b, 5), 7), 9) >>> 0;
    const t = b << 9;
    const c1 = c ^ a;
    const d1 = d ^ b;
    state[0] = a ^ d1;
    state[1] = b ^ c1;
    state[2] = c1 ^ t;
    state[3] = rotl(d1, 11);
    return result;
  };
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
