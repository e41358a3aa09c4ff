/**
 * The pull verifier in the browser, on Web Crypto only: the same algorithm as
 * scripts/verify-pull.mjs, written again so the page needs nothing from the server
 * (docs/architecture.md, "Commit–reveal draws").
 */

export const REJECTION_BOUND = Math.floor(2 ** 32 / 1_000_000) * 1_000_000;
const HEX64 = /^[0-9a-f]{64}$/;
const CLIENT_SEED = /^[A-Za-z0-9_-]{1,64}$/;
const encoder = new TextEncoder();

function hex(bytes: ArrayBuffer): string {
  return [...new Uint8Array(bytes)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

function bytesOfHex(text: string): Uint8Array<ArrayBuffer> {
  return Uint8Array.from(text.match(/../g) ?? [], (pair) => parseInt(pair, 16));
}

async function sha256Hex(data: Uint8Array<ArrayBuffer>): Promise<string> {
  return hex(await crypto.subtle.digest("SHA-256", data));
}

export interface VerifyInput {
  seed: string;
  seedHash: string;
  clientSeed: string;
  nonce: string;
  count: string;
  tableHash: string;
  tableText: string;
  expect: string;
}

export type FailureReason = "seed" | "seedHash" | "tableHash" | "table" | "input" | "results";

export interface Recomputed {
  slot: number;
  r: number;
  itemId: string;
  rarity: string;
}

export type VerifyOutcome =
  { ok: true; results: Recomputed[] } | { ok: false; reason: FailureReason; results: Recomputed[] };

interface Entry {
  itemId: string;
  rarity: string;
  upper: number;
}

function parseTable(text: string): Record<"regular" | "guaranteed", Entry[]> | null {
  const slots: Record<string, Entry[]> = { regular: [], guaranteed: [] };
  for (const line of text.split("\n")) {
    const [slot, itemId, rarity, weight, extra] = line.split(":");
    const entries = slot === undefined ? undefined : slots[slot];
    if (!entries || !itemId || !rarity || !/^[1-9][0-9]*$/.test(weight ?? "") || extra !== undefined) return null;
    entries.push({ itemId, rarity, upper: (entries.at(-1)?.upper ?? 0) + Number(weight) });
  }
  if (slots.regular!.at(-1)?.upper !== 1_000_000 || slots.guaranteed!.at(-1)?.upper !== 1_000_000) return null;
  return slots as Record<"regular" | "guaranteed", Entry[]>;
}

async function drawValue(key: CryptoKey, clientSeed: string, nonce: number, slot: number): Promise<number> {
  for (let round = 0; ; round++) {
    const message = round === 0 ? `${clientSeed}:${nonce}:${slot}` : `${clientSeed}:${nonce}:${slot}:${round}`;
    const block = new DataView(await crypto.subtle.sign("HMAC", key, encoder.encode(message)));
    for (let offset = 0; offset < 32; offset += 4) {
      const chunk = block.getUint32(offset, false);
      if (chunk < REJECTION_BOUND) return chunk % 1_000_000;
    }
  }
}

export async function verifyInBrowser(input: VerifyInput): Promise<VerifyOutcome> {
  const fail = (reason: FailureReason, results: Recomputed[] = []): VerifyOutcome => ({ ok: false, reason, results });
  const seed = input.seed.trim().toLowerCase();
  if (!HEX64.test(seed)) return fail("seed");
  const nonce = Number(input.nonce);
  const count = Number(input.count);
  if (
    !CLIENT_SEED.test(input.clientSeed) ||
    !Number.isSafeInteger(nonce) ||
    nonce < 0 ||
    (count !== 1 && count !== 10)
  ) {
    return fail("input");
  }
  if ((await sha256Hex(encoder.encode(input.tableText))) !== input.tableHash.trim().toLowerCase()) {
    return fail("tableHash");
  }
  const seedBytes = bytesOfHex(seed);
  if (input.seedHash.trim() && (await sha256Hex(seedBytes)) !== input.seedHash.trim().toLowerCase()) {
    return fail("seedHash");
  }
  const table = parseTable(input.tableText);
  if (!table) return fail("table");

  const key = await crypto.subtle.importKey("raw", seedBytes, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const results: Recomputed[] = [];
  for (let slot = 0; slot < count; slot++) {
    const r = await drawValue(key, input.clientSeed, nonce, slot);
    const entry = (count === 10 && slot === 9 ? table.guaranteed : table.regular).find((e) => r < e.upper)!;
    results.push({ slot, r, itemId: entry.itemId, rarity: entry.rarity });
  }
  const expected = input.expect.trim();
  if (expected && results.map((x) => x.itemId).join(",") !== expected.split(/\s*,\s*/).join(",")) {
    return fail("results", results);
  }
  return { ok: true, results };
}
