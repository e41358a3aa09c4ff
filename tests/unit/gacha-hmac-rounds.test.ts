/**
 * The committed draw's later rounds: a slot whose whole HMAC block is rejected (all eight
 * chunks at or above the bound) takes its value from `clientSeed:nonce:slot:1`, then `:2`,
 * and so on. A real block is wholly rejected with probability about (7 × 10⁻⁶ / 0.04)⁸ ≈
 * 10⁻³⁰, so no seed can be searched for: here the HMAC of one reserved key answers an
 * all-0xff block for the rounds a test names, and the application and the standalone
 * verifier must both move on to the next round with the real HMAC.
 */
import { describe, expect, it, vi } from "vitest";
import { committedRandom, committedValue, drawMessage, REJECTION_BOUND } from "@/lib/gacha/hmac-random";
import { PPM_TOTAL } from "@/lib/gacha/types";
import * as verifier from "../../scripts/verify-pull.mjs";

vi.mock("node:crypto", async (importOriginal) => {
  const real = await importOriginal<typeof import("node:crypto")>();
  // With the reserved key (32 bytes of 0xa5), a message `<seed>:<nonce>:<slot>[:<round>]`
  // whose client seed is `reject<k>` gets an all-0xff block for rounds below k.
  const forged = (key: unknown, message: string) => {
    if (!(key instanceof Uint8Array) || key.length !== 32 || !key.every((b) => b === 0xa5)) return false;
    const [clientSeed, , , round = "0"] = message.split(":");
    const k = /^reject(\d+)$/.exec(clientSeed ?? "")?.[1];
    return k !== undefined && Number(round) >= 0 && Number(round) < Number(k);
  };
  const createHmac = (algorithm: string, key: Uint8Array) => {
    const hmac = real.createHmac(algorithm, key);
    let message = "";
    const wrapper = {
      update(data: string, encoding?: BufferEncoding) {
        message += data;
        hmac.update(data, encoding!);
        return wrapper;
      },
      digest() {
        const block = hmac.digest();
        return forged(key, message) ? Buffer.alloc(32, 0xff) : block;
      },
    };
    return wrapper;
  };
  return { ...real, default: { ...real, createHmac }, createHmac };
});

const KEY = Buffer.alloc(32, 0xa5);

/** The value of one round from the real HMAC: its first kept chunk, or null if none is kept. */
async function realRoundValue(clientSeed: string, nonce: number, slot: number, round: number) {
  const { createHmac } = await vi.importActual<typeof import("node:crypto")>("node:crypto");
  const block = createHmac("sha256", KEY)
    .update(drawMessage(clientSeed, nonce, slot, round))
    .digest();
  for (let offset = 0; offset < 32; offset += 4) {
    const chunk = block.readUInt32BE(offset);
    if (chunk < REJECTION_BOUND) return chunk % PPM_TOTAL;
  }
  return null;
}

describe("a wholly rejected block", () => {
  it("the forged rounds really are rejected, and only for the reserved key", async () => {
    const { createHmac } = await import("node:crypto");
    const forgedBlock = createHmac("sha256", KEY).update("reject1:5:0").digest();
    expect(forgedBlock).toEqual(Buffer.alloc(32, 0xff));
    expect(createHmac("sha256", Buffer.alloc(32, 1)).update("reject1:5:0").digest()).not.toEqual(forgedBlock);
    expect(createHmac("sha256", KEY).update("reject1:5:0:1").digest()).not.toEqual(forgedBlock);
  });

  it("moves on to round 1 (`:1`), in the application and the verifier alike", async () => {
    const expected = await realRoundValue("reject1", 5, 0, 1);
    expect(expected).not.toBeNull();
    expect(committedValue(KEY, "reject1", 5, 0)).toBe(expected);
    expect(verifier.drawValue(KEY, "reject1", 5, 0)).toBe(expected);
  });

  it("keeps counting rounds: two rejected blocks give round 2's value, for slot k of a pull", async () => {
    const expected = await realRoundValue("reject2", 7, 1, 2);
    expect(expected).not.toBeNull();
    const rng = committedRandom(KEY, "reject2", 7);
    expect([rng.int(PPM_TOTAL), rng.int(PPM_TOTAL)]).toEqual([await realRoundValue("reject2", 7, 0, 2), expected]);
    expect(verifier.drawValue(KEY, "reject2", 7, 1)).toBe(expected);
  });
});
