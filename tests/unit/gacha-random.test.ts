import { describe, expect, it } from "vitest";
import { cryptoRandom, seededRandom, xoshiro128StarStar } from "@/lib/gacha/random";

describe("xoshiro128**", () => {
  it("reproduces the reference output for the state [1, 2, 3, 4]", () => {
    // The test vector of the reference C implementation (as in rand_xoshiro's tests).
    const next = xoshiro128StarStar([1, 2, 3, 4]);
    expect(Array.from({ length: 10 }, next)).toEqual([
      11520, 0, 5927040, 70819200, 2031721883, 1637235492, 1287239034, 3734860849, 3729100597, 4258142804,
    ]);
  });

  it("refuses the all-zero state, which would only ever yield zeros, and takes any other", () => {
    expect(() => xoshiro128StarStar([0, 0, 0, 0])).toThrow(RangeError);
    expect(() => xoshiro128StarStar([0, 0, 0, 0])).toThrow("xoshiro128** needs a non-zero state");
    // One non-zero word is enough: the state then never returns to all zeros.
    expect(() => xoshiro128StarStar([0, 0, 0, 1])).not.toThrow();
    expect(() => xoshiro128StarStar([1, 0, 0, 0])).not.toThrow();
  });
});

/** splitmix32 written from its definition in BigInt arithmetic, independent of the Math.imul form. */
function splitmix32Words(seed: number): [number, number, number, number] {
  const M = 2n ** 32n;
  let s = BigInt(seed >>> 0);
  const next = () => {
    s = (s + 0x9e3779b9n) % M;
    let z = s;
    z = ((z ^ (z >> 16n)) * 0x85ebca6bn) % M;
    z = ((z ^ (z >> 13n)) * 0xc2b2ae35n) % M;
    return Number(z ^ (z >> 16n));
  };
  return [next(), next(), next(), next()];
}

/** The generator's raw 32-bit outputs: over 2^32 nothing is rejected or reduced. */
const raw = (seed: number, n: number) => {
  const rng = seededRandom(seed);
  return Array.from({ length: n }, () => rng.int(2 ** 32));
};

describe("seededRandom", () => {
  it("is deterministic per seed and differs between seeds", () => {
    const draw = (seed: number) => {
      const rng = seededRandom(seed);
      return Array.from({ length: 20 }, () => rng.int(1_000_000));
    };
    expect(draw(5)).toEqual(draw(5));
    expect(draw(5)).not.toEqual(draw(6));
  });

  it("is xoshiro128** started from four splitmix32 outputs of the seed", () => {
    for (const seed of [0, 1, 5, 20_261_128, 2 ** 32 - 1]) {
      const next = xoshiro128StarStar(splitmix32Words(seed));
      expect(raw(seed, 8)).toEqual(Array.from({ length: 8 }, next));
    }
  });

  it("rejects an output equal to the limit: the largest multiple of max is exclusive", () => {
    // Above 2^31 the limit is max itself; find a seed whose first output x0 lies there
    // with a smaller second one, and draw below max = x0 (rejected), then x0 + 1 (kept).
    let seed = 0;
    const fits = ([first, second]: number[]) => first! > 2 ** 31 && second! < first!;
    while (!fits(raw(seed, 2))) seed++;
    const [x0, x1] = raw(seed, 2) as [number, number];
    expect(seededRandom(seed).int(x0)).toBe(x1);
    expect(seededRandom(seed).int(x0 + 1)).toBe(x0);
  });

  it("stays inside [0, max) for every max up to 2^32", () => {
    const rng = seededRandom(9);
    for (const max of [1, 2, 3, 7, 1_000_000, 2 ** 31 + 1, 2 ** 32]) {
      for (let i = 0; i < 2_000; i++) {
        const x = rng.int(max);
        expect(Number.isInteger(x) && x >= 0 && x < max).toBe(true);
      }
    }
  });

  it("rejects instead of folding: max = 3·2^30 splits evenly in thirds, not 1/2, 1/4, 1/4", () => {
    // A plain `u32 mod max` would send the top quarter of outputs into the first third.
    const rng = seededRandom(11);
    const third = 2 ** 30;
    const counts = [0, 0, 0];
    const n = 60_000;
    for (let i = 0; i < n; i++) counts[Math.floor(rng.int(3 * third) / third)]! += 1;
    for (const count of counts) expect(Math.abs(count / n - 1 / 3)).toBeLessThan(0.01);
  });

  it.each([0, -1, 1.5, Number.NaN, 2 ** 32 + 1])("refuses max = %s", (max) => {
    expect(() => seededRandom(1).int(max)).toThrow(
      new RangeError(`maxExclusive must be an integer in [1, 4294967296], got ${max}`),
    );
  });
});

describe("cryptoRandom", () => {
  it("stays inside [0, max) up to the largest range randomInt takes, 2^48 − 1", () => {
    for (const max of [1, 2, 1_000_000, 2 ** 48 - 1]) {
      for (let i = 0; i < 2_000; i++) {
        const x = cryptoRandom.int(max);
        expect(Number.isInteger(x) && x >= 0 && x < max).toBe(true);
      }
    }
  });

  it.each([0, -1, 0.5, 2 ** 48])("refuses max = %s itself, naming the range", (max) => {
    expect(() => cryptoRandom.int(max)).toThrow(
      new RangeError(`maxExclusive must be an integer in [1, 281474976710655], got ${max}`),
    );
  });
});
