/**
 * Server seeds at rest: sealed with AES-256-GCM under the configured key, bound to their
 * row id, and refused when anything about them changed.
 */
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { newServerSeed, openSeed, sealSeed, seedHashOf, seedKey } from "@/lib/fairness/seed-box";

const KEY_A = { kind: "env", secret: "a".repeat(32) } as const;
const KEY_B = { kind: "env", secret: "b".repeat(32) } as const;
const ID = "7d0f6a38-1e58-4d1f-9a0e-3c1f0b9c2a11";

describe("sealed seeds", () => {
  it("open to the same 32 bytes with the same key and row id, and never hold the seed in the clear", async () => {
    const key = await seedKey(KEY_A);
    const seed = newServerSeed();
    const sealed = sealSeed(key, ID, seed);
    expect(openSeed(key, ID, sealed)).toEqual(seed);
    expect(Buffer.from(sealed, "base64").includes(seed)).toBe(false);
    expect(sealSeed(key, ID, seed)).not.toBe(sealed); // a fresh IV every time
  });

  it("refuse another key, another row's id, and a flipped bit", async () => {
    const key = await seedKey(KEY_A);
    const sealed = sealSeed(key, ID, newServerSeed());
    const otherKey = await seedKey(KEY_B);
    expect(() => openSeed(otherKey, ID, sealed)).toThrow();
    expect(() => openSeed(key, ID.replace("7d0f", "7d0e"), sealed)).toThrow();
    const raw = Buffer.from(sealed, "base64");
    raw.writeUInt8(raw.readUInt8(raw.length - 1) ^ 1, raw.length - 1);
    expect(() => openSeed(key, ID, raw.toString("base64"))).toThrow();
  });

  it("commit to the SHA-256 of the seed bytes", () => {
    const seed = newServerSeed();
    expect(seed).toHaveLength(32);
    expect(seedHashOf(seed)).toBe(createHash("sha256").update(seed).digest("hex"));
    expect(newServerSeed()).not.toEqual(seed);
  });
});
