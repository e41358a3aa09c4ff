#!/usr/bin/env node
// Recomputes a Koepon! pull from public data only, so a fan need not trust us: plain
// Node, no dependency, nothing from the application. Read it; it is the whole algorithm.
//
//   node scripts/verify-pull.mjs --seed <64 hex> --client-seed <text> --nonce <n> --count <1|10>
//        --table <file with the rate table text> --table-hash <64 hex>
//        [--seed-hash <64 hex>] [--expect <item id,item id,…>]
//   node scripts/verify-pull.mjs --batch <file.json>   (a JSON array of the same fields)
//
// Exit 0 and "verified" when every check holds, 1 and the reason otherwise.
//
// The format (docs/architecture.md, "Commit–reveal draws"):
// - rate table text: one line `slot:item_id:rarity:weight_ppm` per entry, ordered by slot
//   ("guaranteed" before "regular") then item id in byte order, joined by "\n", no final
//   newline; its SHA-256 (UTF-8, hex) is the hash recorded on the pull and shown with the odds.
// - slot i of a pull (0-based) draws r in [0, 1,000,000): HMAC-SHA256 with the 32 seed
//   bytes as key over the UTF-8 text `clientSeed:nonce:i` (round 0), then
//   `clientSeed:nonce:i:1`, `:2`, … Each 32-byte block is read as eight big-endian uint32
//   chunks in order; the first chunk below 4,294,000,000 (the largest multiple of 1,000,000
//   that fits in 32 bits) gives r = chunk mod 1,000,000. Others are skipped: no modulo bias.
// - a 10-pull draws its last slot (i = 9) from the "guaranteed" entries, every other
//   slot from "regular"; the winner is the first entry, in table order, whose running
//   total of weights exceeds r.
import { createHash, createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

export const REJECTION_BOUND = Math.floor(2 ** 32 / 1_000_000) * 1_000_000;
const HEX64 = /^[0-9a-f]{64}$/;
const sha256 = (data) => createHash("sha256").update(data).digest("hex");

export function drawValue(seed, clientSeed, nonce, slot) {
  for (let round = 0; ; round++) {
    const message = round === 0 ? `${clientSeed}:${nonce}:${slot}` : `${clientSeed}:${nonce}:${slot}:${round}`;
    const block = createHmac("sha256", seed).update(message, "utf8").digest();
    for (let offset = 0; offset < 32; offset += 4) {
      const chunk = block.readUInt32BE(offset);
      if (chunk < REJECTION_BOUND) return chunk % 1_000_000;
    }
  }
}

export function parseTable(text) {
  const slots = { regular: [], guaranteed: [] };
  for (const line of text.split("\n")) {
    const [slot, itemId, rarity, weight, extra] = line.split(":");
    if (!(slot in slots) || !itemId || !rarity || !/^[1-9][0-9]*$/.test(weight ?? "") || extra !== undefined) {
      throw new Error(`not a rate table line: ${JSON.stringify(line)}`);
    }
    const entries = slots[slot];
    const upper = (entries.at(-1)?.upper ?? 0) + Number(weight);
    entries.push({ itemId, rarity, upper });
  }
  for (const [slot, entries] of Object.entries(slots)) {
    if (entries.at(-1)?.upper !== 1_000_000) throw new Error(`the ${slot} weights do not sum to 1,000,000`);
  }
  return slots;
}

/** Returns { ok, results, reason }: the recomputed results, and whether every check held. */
export function verifyPull({ seed, clientSeed, nonce, count, tableText, tableHash, seedHash, expect }) {
  const fail = (reason, results = []) => ({ ok: false, results, reason });
  if (!HEX64.test(seed)) return fail("the server seed is not 64 hex digits");
  if (sha256(tableText) !== tableHash) return fail("the rate table's SHA-256 differs from the pull's");
  if (seedHash !== undefined && sha256(Buffer.from(seed, "hex")) !== seedHash) {
    return fail("the server seed's SHA-256 differs from the hash shown before the pull");
  }
  if (count !== 1 && count !== 10) return fail("count must be 1 or 10");
  const table = parseTable(tableText);
  const results = [];
  for (let slot = 0; slot < count; slot++) {
    const r = drawValue(Buffer.from(seed, "hex"), clientSeed, nonce, slot);
    const entries = count === 10 && slot === 9 ? table.guaranteed : table.regular;
    const entry = entries.find((e) => r < e.upper);
    results.push({ slot, r, itemId: entry.itemId, rarity: entry.rarity });
  }
  if (expect !== undefined && results.map((x) => x.itemId).join(",") !== expect.join(",")) {
    return fail("the recomputed results differ from the recorded ones", results);
  }
  return { ok: true, results, reason: null };
}

function main(argv) {
  const args = {};
  for (let i = 0; i < argv.length; i += 2) args[argv[i].replace(/^--/, "")] = argv[i + 1];
  const pulls = args.batch
    ? JSON.parse(readFileSync(args.batch, "utf8"))
    : [
        {
          seed: args.seed,
          clientSeed: args["client-seed"],
          nonce: Number(args.nonce),
          count: Number(args.count),
          tableText: readFileSync(args.table, "utf8"),
          tableHash: args["table-hash"],
          seedHash: args["seed-hash"],
          expect: args.expect?.split(","),
        },
      ];
  let failed = 0;
  for (const [i, pull] of pulls.entries()) {
    const outcome = verifyPull(pull);
    if (!outcome.ok) failed++;
    if (!outcome.ok || !args.batch) {
      console.log(outcome.ok ? "verified" : `pull ${i}: NOT verified: ${outcome.reason}`);
      for (const x of outcome.results) console.log(`  slot ${x.slot}: r = ${x.r} → ${x.itemId} (${x.rarity})`);
    }
  }
  if (args.batch) console.log(`${pulls.length - failed} of ${pulls.length} pulls verified`);
  process.exitCode = failed === 0 ? 0 : 1;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) main(process.argv.slice(2));
