/**
 * The rate-table builder's lint and the database's own approval checks agree: over
 * random tables, every table the lint accepts is approved by the database, and every
 * table it refuses is refused by the database (at insertion or at approval). Seeded,
 * so a failure names a table that reproduces.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { asService } from "@/lib/db/session";
import { lintRateTable, type DraftItemRates } from "@/lib/gacha/rate-lint";
import { RARITIES, type Rarity } from "@/lib/gacha/types";
import { createTestDatabase, type TestDatabase } from "../helpers/database";
import { prng } from "../helpers/prng";
import { createContentFile, createVtuber, type ContentFileFixture, type VtuberFixture } from "../helpers/fixtures";

const SEED = 20261207;
const TABLES = 160;

/** Splits `total` into `parts` positive multiples of 10 ppm (the builder's 0.001 %). */
function split(r: ReturnType<typeof prng>, total: number, parts: number): number[] {
  const cuts = Array.from({ length: parts - 1 }, () => 10 * (1 + r.int(total / 10 - 1))).sort((a, b) => a - b);
  const bounds = [0, ...cuts, total];
  return bounds.slice(1).map((b, i) => b - bounds[i]!);
}

/** A random table: half built to the rules, then often nudged off them in one way. */
function randomTable(r: ReturnType<typeof prng>, n: number): Omit<DraftItemRates, "key">[] {
  const items = Array.from({ length: n }, () => ({
    rarity: r.pick(RARITIES) as Rarity,
    regularPpm: 0,
    guaranteedPpm: 0,
  }));
  split(r, 1_000_000, n).forEach((ppm, i) => (items[i]!.regularPpm = r.next() < 0.1 ? 0 : ppm));
  const ssr = items.filter((i) => i.rarity === "SSR");
  const sr = items.filter((i) => i.rarity === "SR");
  for (const item of ssr) item.guaranteedPpm = item.regularPpm;
  const rest = 1_000_000 - ssr.reduce((s, i) => s + i.guaranteedPpm, 0);
  if (sr.length > 0 && rest >= 10 * sr.length)
    split(r, rest, sr.length).forEach((ppm, i) => (sr[i]!.guaranteedPpm = ppm));
  const nudge = r.int(8);
  const victim = r.pick(items);
  if (nudge === 0) victim.regularPpm += 10;
  else if (nudge === 1) victim.guaranteedPpm = Math.max(0, victim.guaranteedPpm - 10);
  else if (nudge === 2) victim.rarity = r.pick(RARITIES);
  else if (nudge === 3) victim.guaranteedPpm += r.int(3) * 10;
  else if (nudge === 4) victim.regularPpm = r.pick([-10, 1_000_010, 2_000_000]);
  return items;
}

type Verdict = "approved" | "refused";

/** What the database says: insert the table as a draft, approve it, roll it all back. */
async function databaseVerdict(
  db: TestDatabase["db"],
  vtuber: VtuberFixture,
  files: ContentFileFixture[],
  items: Omit<DraftItemRates, "key">[],
): Promise<Verdict> {
  const ROLLBACK = new Error("rollback");
  try {
    await asService(db, "test-rate-lint-agreement", async (tx) => {
      const [campaign] = await tx.query<{ id: string }>(
        `insert into public.campaigns (vtuber_id, title, starts_at, ends_at) values ($1, 'lint', now(), now() + interval '1 day') returning id`,
        [vtuber.id],
      );
      const [table] = await tx.query<{ id: string }>(
        "insert into public.rate_tables (campaign_id, version) values ($1, 1) returning id",
        [campaign!.id],
      );
      for (const [i, item] of items.entries()) {
        const [row] = await tx.query<{ id: string }>(
          "insert into public.gacha_items (campaign_id, content_file_id, name, rarity) values ($1, $2, $3, $4) returning id",
          [campaign!.id, files[i]!.id, `item ${i}`, item.rarity],
        );
        for (const [slot, ppm] of [
          ["regular", item.regularPpm],
          ["guaranteed", item.guaranteedPpm],
        ] as const) {
          if (ppm === 0) continue;
          await tx.query(
            "insert into public.rate_table_entries (rate_table_id, slot, item_id, rarity, weight_ppm) values ($1, $2, $3, $4, $5)",
            [table!.id, slot, row!.id, item.rarity, ppm],
          );
        }
      }
      await tx.query("update public.rate_tables set status = 'approved' where id = $1", [table!.id]);
      throw ROLLBACK;
    });
  } catch (err) {
    if (err === ROLLBACK) return "approved";
    // The rule checks: the approval trigger (KP003) and the entries' CHECK constraints.
    const code = (err as { code?: string }).code;
    if (code === "KP003" || code === "23514") return "refused";
    throw err;
  }
  throw new Error("unreachable");
}

let t: TestDatabase;
let vtuber: VtuberFixture;
let files: ContentFileFixture[];

beforeAll(async () => {
  t = await createTestDatabase();
  vtuber = await createVtuber(t.db);
  files = [];
  for (let i = 0; i < 6; i++) files.push(await createContentFile(t.db, vtuber));
});
afterAll(() => t?.close());

describe(`rate-table lint and the database's approval (seed ${SEED})`, () => {
  it(`agree on ${TABLES} random tables, both verdicts well represented`, async () => {
    const r = prng(SEED);
    const tally = { approved: 0, refused: 0 };
    for (let i = 0; i < TABLES; i++) {
      const items = randomTable(r, 1 + r.int(6));
      const lint: Verdict =
        lintRateTable(items.map((item, k) => ({ ...item, key: `k${k}` }))).length === 0 ? "approved" : "refused";
      const database = await databaseVerdict(t.db, vtuber, files, items);
      expect(lint, `table #${i}: ${JSON.stringify(items)}`).toBe(database);
      tally[database]++;
    }
    console.log(`rate-lint agreement: ${TABLES} tables, seed ${SEED}: ${JSON.stringify(tally)}`);
    expect(tally.approved).toBeGreaterThan(TABLES / 10);
    expect(tally.refused).toBeGreaterThan(TABLES / 10);
  });
});
