/**
 * The committed draw's step from HMAC output to r in [0, 1,000,000): the rejection bound
 * at its edges, exactly equal preimage counts (no modulo bias), the byte format, and the
 * standalone verifier (scripts/verify-pull.mjs) agreeing with the application.
 */
import { createHash, createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { drawPull } from "@/lib/gacha/draw";
import {
  chunkValue,
  CLIENT_SEED_PATTERN,
  committedRandom,
  committedValue,
  drawMessage,
  REJECTION_BOUND,
} from "@/lib/gacha/hmac-random";
import { canonicalText } from "@/lib/gacha/rate-table";
import { PPM_TOTAL } from "@/lib/gacha/types";
import * as verifier from "../../scripts/verify-pull.mjs";
import { demoTable } from "../helpers/rate-tables";
import { prng } from "../helpers/prng";

const SEED = Buffer.from("00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff", "hex");

describe("the rejection bound", () => {
  it("is floor(2^32 / 1e6) × 1e6 = 4,294,000,000, the same in the verifier", () => {
    expect(REJECTION_BOUND).toBe(4_294_000_000);
    expect(REJECTION_BOUND % PPM_TOTAL).toBe(0);
    expect(2 ** 32 - REJECTION_BOUND).toBeLessThan(PPM_TOTAL);
    expect(verifier.REJECTION_BOUND).toBe(REJECTION_BOUND);
  });

  it("keeps every chunk below it and rejects every chunk at or above it", () => {
    expect(chunkValue(0)).toBe(0);
    expect(chunkValue(PPM_TOTAL - 1)).toBe(999_999);
    expect(chunkValue(PPM_TOTAL)).toBe(0);
    expect(chunkValue(REJECTION_BOUND - PPM_TOTAL)).toBe(0);
    expect(chunkValue(REJECTION_BOUND - 1)).toBe(999_999);
    expect(chunkValue(REJECTION_BOUND)).toBeNull();
    expect(chunkValue(REJECTION_BOUND + 1)).toBeNull();
    expect(chunkValue(2 ** 32 - 1)).toBeNull();
  });

  it("maps exactly 4,294 kept chunks to every value: first, last and sampled values", () => {
    const random = prng(17);
    const values = [0, 1, 999_998, 999_999, ...Array.from({ length: 200 }, () => random.int(PPM_TOTAL))];
    for (const v of values) {
      // Every chunk x ≡ v (mod 1e6) in [0, 2^32): v, v + 1e6, …; count those kept.
      let kept = 0;
      for (let x = v; x < 2 ** 32; x += PPM_TOTAL) if (chunkValue(x) === v) kept++;
      expect(kept).toBe(REJECTION_BOUND / PPM_TOTAL);
    }
  });

  it("skips a rejected chunk and takes the next one of the block", () => {
    // Search nonces for a slot whose first chunk is rejected (about 1 in 4,440).
    let nonce = 0;
    let block: Buffer;
    for (; ; nonce++) {
      block = createHmac("sha256", SEED)
        .update(drawMessage("edge", nonce, 0, 0))
        .digest();
      if (block.readUInt32BE(0) >= REJECTION_BOUND) break;
    }
    const second = block.readUInt32BE(4);
    expect(second).toBeLessThan(REJECTION_BOUND); // a double rejection would need another search
    expect(committedValue(SEED, "edge", nonce, 0)).toBe(second % PPM_TOTAL);
    expect(verifier.drawValue(SEED, "edge", nonce, 0)).toBe(second % PPM_TOTAL);
  });
});

describe("the byte format", () => {
  it("is HMAC-SHA256(seed, `clientSeed:nonce:slot`), chunks big-endian, rounds suffixed `:round`", () => {
    expect(drawMessage("abc", 7, 3, 0)).toBe("abc:7:3");
    expect(drawMessage("abc", 7, 3, 2)).toBe("abc:7:3:2");
    const block = createHmac("sha256", SEED).update("fan-seed_1:42:0", "utf8").digest();
    const first = block.readUInt32BE(0);
    if (first < REJECTION_BOUND) expect(committedValue(SEED, "fan-seed_1", 42, 0)).toBe(first % PPM_TOTAL);
  });

  it("gives slot k of a pull to the k-th draw, and refuses any other range", () => {
    const rng = committedRandom(SEED, "c", 5);
    expect([rng.int(PPM_TOTAL), rng.int(PPM_TOTAL)]).toEqual([
      committedValue(SEED, "c", 5, 0),
      committedValue(SEED, "c", 5, 1),
    ]);
    expect(() => rng.int(100)).toThrow(new RangeError("committed draws are over 1000000, not 100"));
    expect(() => committedRandom(SEED.subarray(1), "c", 0)).toThrow(new RangeError("a server seed is 32 bytes"));
    expect(() => committedRandom(SEED, "a:b", 0)).toThrow(new RangeError("client seed out of format"));
  });

  it("takes nonces 0 to 2^53 − 1 and refuses any other number", () => {
    expect(committedRandom(SEED, "c", 0).int(PPM_TOTAL)).toBe(committedValue(SEED, "c", 0, 0));
    const top = Number.MAX_SAFE_INTEGER;
    expect(committedRandom(SEED, "c", top).int(PPM_TOTAL)).toBe(committedValue(SEED, "c", top, 0));
    for (const nonce of [-1, 1.5, 2 ** 53, Number.NaN]) {
      expect(() => committedRandom(SEED, "c", nonce)).toThrow(new RangeError("nonce must be a non-negative integer"));
    }
  });

  it("allows client seeds of 1–64 URL-safe characters and nothing that could forge a separator", () => {
    // Every end of every range, and the characters just outside them.
    for (const ok of ["a", "A", "Z", "z", "0", "9", "_", "-", "AZaz09_-", "x".repeat(64)]) {
      expect(CLIENT_SEED_PATTERN.test(ok)).toBe(true);
    }
    for (const bad of ["", "x".repeat(65), "a:b", "a b", "é", "a\n", "@", "[", "`", "{", "/", ".", "a+"]) {
      expect(CLIENT_SEED_PATTERN.test(bad)).toBe(false);
    }
  });
});

describe("the standalone verifier", () => {
  it("computes every value the application computes", () => {
    const random = prng(9);
    for (let i = 0; i < 2_000; i++) {
      const seed = Buffer.from(random.bytes(32));
      const nonce = random.int(1_000_000);
      const slot = random.int(10);
      expect(verifier.drawValue(seed, "agree", nonce, slot)).toBe(committedValue(seed, "agree", nonce, slot));
    }
  });

  it("reproduces 10-pulls and single pulls from the table text, and refuses a changed byte anywhere", () => {
    const table = demoTable();
    const tableText = canonicalText([...table.slots.regular, ...table.slots.guaranteed]);
    const tableHash = createHash("sha256").update(tableText).digest("hex");
    for (const count of [1, 10] as const) {
      const results = drawPull(table, count, committedRandom(SEED, "v", 3));
      const pull = {
        seed: SEED.toString("hex"),
        clientSeed: "v",
        nonce: 3,
        count,
        tableText,
        tableHash,
        seedHash: createHash("sha256").update(SEED).digest("hex"),
        expect: results.map((r) => r.itemId),
      };
      expect(verifier.verifyPull(pull)).toMatchObject({ ok: true, reason: null });
      expect(verifier.verifyPull({ ...pull, tableText: tableText.replace("regular", "regulas") }).ok).toBe(false);
      expect(verifier.verifyPull({ ...pull, tableHash: "0".repeat(64) }).ok).toBe(false);
      const otherSeed = (SEED[0]! ^ 1).toString(16).padStart(2, "0") + pull.seed.slice(2);
      expect(verifier.verifyPull({ ...pull, seed: otherSeed }).ok).toBe(false);
      expect(verifier.verifyPull({ ...pull, seed: otherSeed, seedHash: undefined }).reason).toMatch(/recomputed/);
    }
  });
});
