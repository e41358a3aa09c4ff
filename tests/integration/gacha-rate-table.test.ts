/**
 * The draw's view of the database: loadRateTable agrees with the database's own
 * canonical text and hash, refuses drafts and tampered rows, and a rate change is a new
 * approved version. Campaign visibility by the injected clock. Runs on PGlite, or on
 * PostgreSQL when DATABASE_URL is set.
 */
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { asAnon, asService } from "@/lib/db/session";
import type { Database, Queryable } from "@/lib/db/types";
import { getCampaignDetail } from "@/lib/gacha/catalog";
import { assertPullable } from "@/lib/gacha/campaign-window";
import {
  approvedRateTableLoader,
  canonicalText,
  hashOf,
  loadApprovedRateTable,
  loadRateTable,
  RateTableIntegrityError,
} from "@/lib/gacha/rate-table";
import { createTestDatabase, type TestDatabase } from "../helpers/database";
import * as fx from "../helpers/fixtures";

let t: TestDatabase;
let db: Database;
let vtuber: fx.VtuberFixture;
let live: fx.GachaFixture;

const service = <T>(fn: (tx: Queryable) => Promise<T>) => asService(db, "test:gacha", fn);

beforeAll(async () => {
  t = await createTestDatabase();
  db = t.db;
  vtuber = await fx.createVtuber(db);
  live = await fx.createApprovedCampaign(db, vtuber);
});

afterAll(async () => {
  await t?.close();
});

describe("loadRateTable", () => {
  it("computes the database's canonical text and hash from the rows it reads", async () => {
    const table = await service((tx) => loadRateTable(tx, live.rateTable.id));
    const [dbSide] = await db.query<{ canonical: string; content_hash: string }>(
      `select private.rate_table_canonical(id) as canonical, content_hash from public.rate_tables where id = $1`,
      [live.rateTable.id],
    );
    const entries = [...table.slots.regular, ...table.slots.guaranteed];
    expect(canonicalText(entries)).toBe(dbSide!.canonical);
    expect(hashOf(entries)).toBe(dbSide!.content_hash);
    expect(table.contentHash).toBe(live.rateTable.contentHash);
    expect(table).toMatchObject({ id: live.rateTable.id, campaignId: live.campaign.id, version: 1 });
  });

  it("reads the same table as anon, through RLS", async () => {
    const privileged = await service((tx) => loadRateTable(tx, live.rateTable.id));
    expect(await asAnon(db, (tx) => loadRateTable(tx, live.rateTable.id))).toEqual(privileged);
  });

  it("refuses a draft table: not approved on the service path, not even visible to anon", async () => {
    const draftCampaign = await fx.createCampaign(db, vtuber);
    const items = await fx.addGachaItems(db, draftCampaign);
    const draft = await fx.createRateTable(db, draftCampaign, fx.standardRates(items), { approve: false });
    await expect(service((tx) => loadRateTable(tx, draft.id))).rejects.toThrow(/is not approved/);
    await expect(asAnon(db, (tx) => loadRateTable(tx, draft.id))).rejects.toThrow(/not found/);
  });

  it("refuses an approved table whose rows were changed behind the triggers' back", async () => {
    const victim = await fx.createApprovedCampaign(db, vtuber);
    const ssr = victim.items.find((item) => item.rarity === "SSR")!;
    const n = victim.items.find((item) => item.rarity === "N")!;
    // Only a superuser can skip the immutability triggers (replica mode); sums still hold
    // after moving 1 ppm from an N item to the SSR, so only the hash can tell.
    await db.transaction(async (tx) => {
      await tx.query("set local session_replication_role = replica");
      await tx.query(
        `update public.rate_table_entries
            set weight_ppm = weight_ppm + case item_id when $2 then 1 else -1 end
          where rate_table_id = $1 and slot = 'regular' and item_id in ($2, $3)`,
        [victim.rateTable.id, ssr.id, n.id],
      );
    });
    const load = service((tx) => loadRateTable(tx, victim.rateTable.id));
    await expect(load).rejects.toBeInstanceOf(RateTableIntegrityError);
    await expect(load).rejects.toThrow(`approved hash is ${victim.rateTable.contentHash}`);
    // The odds page refuses too: it reads through the same loader.
    await expect(asAnon(db, (tx) => getCampaignDetail(tx, victim.campaign.id, new Date()))).rejects.toThrow(
      RateTableIntegrityError,
    );
  });
});

describe("loadApprovedRateTable", () => {
  const approved = (id: string, hash: string | null) => service((tx) => loadApprovedRateTable(tx, id, hash!));

  it("answers the verified table, then the same object for the same (id, hash) without reading again", async () => {
    const a = await fx.createApprovedCampaign(db, vtuber);
    const b = await fx.createApprovedCampaign(db, vtuber);
    const first = await approved(a.rateTable.id, a.rateTable.contentHash);
    expect(first).toEqual(await service((tx) => loadRateTable(tx, a.rateTable.id)));
    // Another table in between does not push the first out.
    expect(await approved(b.rateTable.id, b.rateTable.contentHash)).toMatchObject({ id: b.rateTable.id });
    expect(await approved(a.rateTable.id, a.rateTable.contentHash)).toBe(first);
  });

  it("keeps at most its bound of tables, dropping the oldest first", async () => {
    const load = approvedRateTableLoader(2);
    const a = await fx.createApprovedCampaign(db, vtuber);
    const b = await fx.createApprovedCampaign(db, vtuber);
    const c = await fx.createApprovedCampaign(db, vtuber);
    const get = (g: fx.GachaFixture) => service((tx) => load(tx, g.rateTable.id, g.rateTable.contentHash!));
    const firstA = await get(a);
    const firstB = await get(b);
    // At the bound: a third table pushes out the oldest (a), not the newer b.
    const firstC = await get(c);
    expect(await get(b)).toBe(firstB);
    expect(await get(c)).toBe(firstC);
    const againA = await get(a);
    expect(againA).toEqual(firstA);
    expect(againA).not.toBe(firstA);
  });

  it("refuses a hash other than the table's, every time, and still answers the right one", async () => {
    const gacha = await fx.createApprovedCampaign(db, vtuber);
    const other = "0".repeat(64);
    for (let i = 0; i < 2; i++) {
      const load = approved(gacha.rateTable.id, other);
      await expect(load).rejects.toBeInstanceOf(RateTableIntegrityError);
      // Its name is what logs and error reports show.
      await expect(load).rejects.toHaveProperty("name", "RateTableIntegrityError");
      await expect(load).rejects.toThrow(
        `rate table ${gacha.rateTable.id}: hash ${gacha.rateTable.contentHash} differs from ${other} recorded at purchase`,
      );
    }
    expect(await approved(gacha.rateTable.id, gacha.rateTable.contentHash)).toMatchObject({
      id: gacha.rateTable.id,
      contentHash: gacha.rateTable.contentHash,
    });
  });
});

describe("a rate change is a new approved version", () => {
  it("the campaign moves to version 2 with its own hash; version 1 still verifies for the pulls drawn with it", async () => {
    const gacha = await fx.createApprovedCampaign(db, vtuber);
    const v2 = await fx.createRateTable(
      db,
      gacha.campaign,
      fx.standardRates(gacha.items, {
        regular: { N: 600_000, R: 300_000, SR: 90_000, SSR: 10_000 },
        guaranteed: { SR: 990_000, SSR: 10_000 },
      }),
    );
    await service((tx) =>
      tx.query("update public.campaigns set current_rate_table_id = $2 where id = $1", [gacha.campaign.id, v2.id]),
    );

    const detail = await asAnon(db, (tx) => getCampaignDetail(tx, gacha.campaign.id, new Date()));
    expect(detail!.rateTable).toEqual({
      id: v2.id,
      version: 2,
      contentHash: v2.contentHash,
      canonicalText: expect.any(String),
    });
    // The published text is the one the database hashed for this version.
    expect(createHash("sha256").update(detail!.rateTable.canonicalText).digest("hex")).toBe(v2.contentHash);
    expect(detail!.rateTable.contentHash).not.toBe(gacha.rateTable.contentHash);
    expect(detail!.odds.slots.regular.rarities.map((r) => r.percent)).toEqual(["60.000", "30.000", "9.000", "1.000"]);

    const v1 = await service((tx) => loadRateTable(tx, gacha.rateTable.id));
    expect(v1).toMatchObject({ version: 1, contentHash: gacha.rateTable.contentHash });
  });

  it("the approved version itself refuses a change, and loads unchanged afterwards", async () => {
    const gacha = await fx.createApprovedCampaign(db, vtuber);
    await expect(
      service((tx) =>
        tx.query("update public.rate_table_entries set weight_ppm = weight_ppm + 1 where rate_table_id = $1", [
          gacha.rateTable.id,
        ]),
      ),
    ).rejects.toMatchObject({ code: "KP001" });
    const table = await service((tx) => loadRateTable(tx, gacha.rateTable.id));
    expect(table.contentHash).toBe(gacha.rateTable.contentHash);
  });
});

describe("the campaign window by the injected clock", () => {
  const window = { startsAt: new Date("2026-12-01T00:00:00Z"), endsAt: new Date("2026-12-31T15:00:00Z") };
  const at = (base: Date, ms: number) => new Date(base.getTime() + ms);
  let gacha: fx.GachaFixture;

  beforeAll(async () => {
    gacha = await fx.createApprovedCampaign(db, vtuber, { window });
  });

  /** Service path: RLS would judge by the database clock, the query by `now`. */
  const detailAt = (now: Date) => service((tx) => getCampaignDetail(tx, gacha.campaign.id, now));

  it.each([
    ["one second before the start", at(window.startsAt, -1_000), false],
    ["at the start", window.startsAt, true],
    ["one millisecond before the end", at(window.endsAt, -1), true],
    ["at the end", window.endsAt, false],
    ["one second after the end", at(window.endsAt, 1_000), false],
  ])("%s: listed %s, and a pull agrees", async (_name, now, open) => {
    const detail = await detailAt(now);
    expect(detail !== null).toBe(open);
    const row = { status: "approved" as const, startsAt: window.startsAt, endsAt: window.endsAt };
    if (open) expect(() => assertPullable(row, now)).not.toThrow();
    else expect(() => assertPullable(row, now)).toThrow(expect.objectContaining({ code: "campaign_not_active" }));
  });

  it("reads the window as stored (UTC instants), the same on both engines", async () => {
    const [row] = await service((tx) =>
      tx.query<{ starts_at: Date; ends_at: Date }>("select starts_at, ends_at from public.campaigns where id = $1", [
        gacha.campaign.id,
      ]),
    );
    expect(row!.starts_at.toISOString()).toBe(window.startsAt.toISOString());
    expect(row!.ends_at.toISOString()).toBe(window.endsAt.toISOString());
  });
});
