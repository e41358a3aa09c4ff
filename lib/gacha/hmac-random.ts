import { createHmac } from "node:crypto";
import type { RandomSource } from "./random";
import { PPM_TOTAL } from "./types";

/**
 * The committed draw (docs/architecture.md, "Commit–reveal draws"): every number a pull
 * draws follows from the fan's server seed, client seed and the purchase's nonce, so
 * once the seed is revealed anyone can recompute it. scripts/verify-pull.mjs and the
 * /verify page implement exactly this, independently.
 *
 * Slot i of a pull (0-based, in draw order) takes round 0, then rounds 1, 2, … only
 * while every chunk so far was rejected:
 *   block(round) = HMAC-SHA256(key = the 32 seed bytes,
 *                  message = UTF-8 of `${clientSeed}:${nonce}:${i}` for round 0,
 *                            `${clientSeed}:${nonce}:${i}:${round}` after it)
 * Each block is read as eight unsigned 32-bit big-endian chunks, in order; the first
 * chunk x < REJECTION_BOUND gives the value x mod 1,000,000. The bound is the largest
 * multiple of 1,000,000 at most 2^32, so every value in [0, 1,000,000) has exactly
 * 4,294 chunks mapping to it: no modulo bias.
 */

/** floor(2^32 / 1,000,000) × 1,000,000 = 4,294,000,000. */
export const REJECTION_BOUND = Math.floor(0x1_0000_0000 / PPM_TOTAL) * PPM_TOTAL;

/** Client seeds: 1–64 of A–Z a–z 0–9 _ -, so the ":" separators cannot be forged. */
export const CLIENT_SEED_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/** The HMAC message of one round of one slot. */
export function drawMessage(clientSeed: string, nonce: number, slot: number, round: number): string {
  return round === 0 ? `${clientSeed}:${nonce}:${slot}` : `${clientSeed}:${nonce}:${slot}:${round}`;
}

/** The value a chunk gives, or null when it is rejected (at or above the bound). */
export function chunkValue(chunk: number): number | null {
  return chunk < REJECTION_BOUND ? chunk % PPM_TOTAL : null;
}

/** The value in [0, 1,000,000) for slot `slot` of the pull with this nonce. */
export function committedValue(serverSeed: Uint8Array, clientSeed: string, nonce: number, slot: number): number {
  for (let round = 0; ; round++) {
    const block = createHmac("sha256", serverSeed)
      .update(drawMessage(clientSeed, nonce, slot, round))
      .digest();
    for (let offset = 0; offset < block.length; offset += 4) {
      const value = chunkValue(block.readUInt32BE(offset));
      if (value !== null) return value;
    }
  }
}

/**
 * A `RandomSource` for one pull: its k-th call answers slot k. Only whole draws of
 * 1,000,000 are defined by the committed format, so any other range is refused.
 */
export function committedRandom(serverSeed: Uint8Array, clientSeed: string, nonce: number): RandomSource {
  if (serverSeed.length !== 32) throw new RangeError("a server seed is 32 bytes");
  if (!CLIENT_SEED_PATTERN.test(clientSeed)) throw new RangeError("client seed out of format");
  if (!Number.isSafeInteger(nonce) || nonce < 0) throw new RangeError("nonce must be a non-negative integer");
  let slot = 0;
  return {
    int(maxExclusive) {
      if (maxExclusive !== PPM_TOTAL)
        throw new RangeError(`committed draws are over ${PPM_TOTAL}, not ${maxExclusive}`);
      return committedValue(serverSeed, clientSeed, nonce, slot++);
    },
  };
}
