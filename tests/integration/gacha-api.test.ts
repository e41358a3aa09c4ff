/**
 * The public catalog API: GET /api/gachas, /api/gachas/{id} (with the odds disclosure),
 * /api/vtubers, /api/vtubers/{slug} and /api/vtubers/{slug}/exchange, called as route
 * handlers against a test database. The odds in the API are checked against the draw's
 * table and against the database rows themselves. PGlite, or PostgreSQL with DATABASE_URL.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as getGacha } from "@/app/api/gachas/[id]/route";
import { GET as listGachas } from "@/app/api/gachas/route";
import { GET as getExchange } from "@/app/api/vtubers/[slug]/exchange/route";
import { GET as getVtuber } from "@/app/api/vtubers/[slug]/route";
import { GET as listVtubers } from "@/app/api/vtubers/route";
import type { ActiveCampaign } from "@/lib/catalog/list-active-campaigns";
import type { ExchangeItemSummary } from "@/lib/catalog/list-exchange-items";
import type { VtuberSummary } from "@/lib/catalog/list-vtubers";
import { asService } from "@/lib/db/session";
import type { Database } from "@/lib/db/types";
import { computeOdds } from "@/lib/gacha/odds";
import type { PublicGacha } from "@/lib/gacha/public-gacha";
import { loadRateTable } from "@/lib/gacha/rate-table";
import { useAppDatabase } from "../helpers/app-db";
import { createTestDatabase, type TestDatabase } from "../helpers/database";
import * as fx from "../helpers/fixtures";

let t: TestDatabase;
let db: Database;
let restoreDb: () => void;

let vtuber: fx.VtuberFixture;
let live: fx.GachaFixture;
let ended: fx.GachaFixture;
let upcoming: fx.GachaFixture;
let exchange: { cheap: fx.ExchangeItemFixture; dear: fx.ExchangeItemFixture; soldOut: fx.ExchangeItemFixture };

type Params = Record<string, string>;

/** A value as it comes back through JSON: dates become ISO strings. */
type Json<T> = T extends Date ? string : T extends object ? { [K in keyof T]: Json<T[K]> } : T;

/**
 * Every top-level field the routes under test answer with, typed as if all were there:
 * a test reading one the answer lacks fails on it.
 */
type Body = {
  gacha: Json<PublicGacha>;
  gachas: Json<ActiveCampaign>[];
  vtubers: VtuberSummary[];
  vtuber: VtuberSummary;
  items: Json<ExchangeItemSummary>[];
  error: { code: string; message: string; details: unknown[] };
};

async function call(
  handler: (request: Request, context: { params: Promise<Params> }) => Promise<Response>,
  path: string,
  params: Params = {},
): Promise<{ status: number; body: Body }> {
  const response = await handler(new Request(`http://localhost${path}`), { params: Promise.resolve(params) });
  return { status: response.status, body: (await response.json()) as Body };
}

const gacha = (id: string) => call(getGacha, `/api/gachas/${id}`, { id });

beforeAll(async () => {
  t = await createTestDatabase();
  db = t.db;
  restoreDb = useAppDatabase(db);
  vtuber = await fx.createVtuber(db, { name: "星野ミオ" });
  // Built step by step, as createApprovedCampaign does, to give the items mixed kinds.
  const draft = await fx.createCampaign(db, vtuber, {
    singlePriceJpy: 150,
    tenPriceJpy: 1400,
    medals: { N: 5, R: 15, SR: 40, SSR: 120 },
  });
  const items = await fx.addGachaItems(db, draft, [
    { rarity: "N", kind: "voice" },
    { rarity: "N", kind: "image" },
    { rarity: "N", kind: "voice" },
    { rarity: "R", kind: "voice" },
    { rarity: "R", kind: "video" },
    { rarity: "SR", kind: "image" },
    { rarity: "SR", kind: "voice" },
    { rarity: "SSR", kind: "voice" },
  ]);
  const rateTable = await fx.createRateTable(db, draft, fx.standardRates(items));
  live = { campaign: await fx.approveCampaign(db, draft, rateTable), items, rateTable };
  ended = await fx.createApprovedCampaign(db, vtuber, { window: fx.WINDOWS.ended });
  upcoming = await fx.createApprovedCampaign(db, vtuber, { window: fx.WINDOWS.upcoming });
  exchange = {
    dear: await fx.createExchangeItem(db, vtuber, { name: "限定ボイス", costMedals: 800 }),
    cheap: await fx.createExchangeItem(db, vtuber, { name: "限定壁紙", costMedals: 300, stock: 5 }),
    soldOut: await fx.createExchangeItem(db, vtuber, { costMedals: 100, stock: 0 }),
  };
  // Not on offer: a draft, an archived one, one whose period is over, one not yet open.
  await fx.createExchangeItem(db, vtuber, { status: "draft" });
  await fx.createExchangeItem(db, vtuber, { status: "archived" });
  await fx.createExchangeItem(db, vtuber, {
    availableFrom: new Date("2000-01-01T00:00:00Z"),
    availableUntil: new Date("2000-02-01T00:00:00Z"),
  });
  await fx.createExchangeItem(db, vtuber, { availableFrom: new Date("2999-01-01T00:00:00Z") });
});

afterAll(async () => {
  restoreDb?.();
  await t?.close();
});

describe("GET /api/gachas/{id}", () => {
  it("answers a live campaign with prices, medals, items with kinds and the rate table version and hash", async () => {
    const { status, body } = await gacha(live.campaign.id);
    expect(status).toBe(200);
    expect(body.gacha).toMatchObject({
      id: live.campaign.id,
      title: live.campaign.title,
      vtuber: { id: vtuber.id, slug: vtuber.slug, name: "星野ミオ" },
      singlePriceJpy: 150,
      tenPriceJpy: 1400,
      medals: { N: 5, R: 15, SR: 40, SSR: 120 },
      startsAt: fx.WINDOWS.active.startsAt.toISOString(),
      endsAt: fx.WINDOWS.active.endsAt.toISOString(),
      rateTable: { id: live.rateTable.id, version: 1, contentHash: live.rateTable.contentHash },
    });
    const expectedItems = live.items.map((item) => ({
      id: item.id,
      name: item.name,
      rarity: item.rarity,
      kind: item.file.kind,
    }));
    expect(body.gacha.items).toHaveLength(8);
    expect(body.gacha.items).toEqual(expect.arrayContaining(expectedItems));
    expect(body.gacha.items.map((i: { rarity: string }) => i.rarity)).toEqual([
      "N",
      "N",
      "N",
      "R",
      "R",
      "SR",
      "SR",
      "SSR",
    ]);
  });

  it("serves exactly the odds computeOdds gives for the table the draw loads", async () => {
    const { body } = await gacha(live.campaign.id);
    const table = await asService(db, "test:draw-path", (tx) => loadRateTable(tx, live.rateTable.id));
    const expected = computeOdds(
      table,
      { singlePriceJpy: 150, tenPriceJpy: 1400, medals: { N: 5, R: 15, SR: 40, SSR: 120 } },
      [
        { id: exchange.cheap.id, name: "限定壁紙", costMedals: 300 },
        { id: exchange.dear.id, name: "限定ボイス", costMedals: 800 },
      ],
    );
    expect(body.gacha.odds).toEqual(JSON.parse(JSON.stringify(expected)));
  });

  it("states every rate as the database's rows say, ppm → % (rounded half-up in SQL)", async () => {
    const { body } = await gacha(live.campaign.id);
    const rows = await asService(db, "test:rates", (tx) =>
      tx.query<{ slot: "regular" | "guaranteed"; item_id: string; rarity: string; weight_ppm: number; pct: string }>(
        `select slot, item_id, rarity, weight_ppm, to_char(round(weight_ppm / 10000.0, 3), 'FM990.000') as pct
           from public.rate_table_entries where rate_table_id = $1`,
        [live.rateTable.id],
      ),
    );
    for (const slot of ["regular", "guaranteed"] as const) {
      const fromDb = rows
        .filter((r) => r.slot === slot)
        .map((r) => ({ itemId: r.item_id, rarity: r.rarity, ppm: r.weight_ppm, percent: r.pct }));
      expect(body.gacha.odds.slots[slot].items).toHaveLength(fromDb.length);
      expect(body.gacha.odds.slots[slot].items).toEqual(expect.arrayContaining(fromDb));
      expect(body.gacha.odds.slots[slot].percent).toBe("100.000");
    }
    const byRarity = await asService(db, "test:rates", (tx) =>
      tx.query<{ slot: "regular" | "guaranteed"; rarity: string; ppm: number; pct: string }>(
        `select slot, rarity, sum(weight_ppm)::int as ppm, to_char(round(sum(weight_ppm) / 10000.0, 3), 'FM990.000') as pct
           from public.rate_table_entries where rate_table_id = $1 group by slot, rarity`,
        [live.rateTable.id],
      ),
    );
    for (const r of byRarity) {
      expect(body.gacha.odds.slots[r.slot].rarities).toContainEqual({ rarity: r.rarity, ppm: r.ppm, percent: r.pct });
    }
    expect(body.gacha.odds.slots.regular.rarities.map((r: { percent: string }) => r.percent)).toEqual([
      "70.000",
      "22.000",
      "7.000",
      "1.000",
    ]);
  });

  it("prices the SSR at 1 %: 100 single pulls at ¥150 = ¥15,000; 10-pulls at ¥1,400", async () => {
    const { body } = await gacha(live.campaign.id);
    const ssr = live.items.find((item) => item.rarity === "SSR")!;
    expect(body.gacha.odds.ssrItems).toEqual([
      {
        itemId: ssr.id,
        singlePulls: { expectedPulls: "100.00", expectedYen: 15_000 },
        // 1 / (1 − 0.99¹⁰) = 10.4582901… 10-pulls × ¥1,400 = ¥14,641.61
        tenPulls: { expectedPulls: "10.46", expectedYen: 14_642, chancePerTenPullPercent: "9.562" },
      },
    ]);
  });

  it("offers the exchange items open now and in stock, cheapest first, with the pulls that earn them", async () => {
    const { body } = await gacha(live.campaign.id);
    // m₁ = 0.7·5 + 0.22·15 + 0.07·40 + 0.01·120 = 10.8; m₁₀ = 9·10.8 + 0.99·40 + 0.01·120 = 138
    expect(body.gacha.odds.medals).toEqual({ perSinglePull: "10.80", perTenPull: "138.00" });
    expect(body.gacha.odds.exchange.map((e: { exchangeItemId: string }) => e.exchangeItemId)).toEqual([
      exchange.cheap.id,
      exchange.dear.id,
    ]);
    // 300 / 10.8 = 27.78 pulls = ¥4,166.67; 300 / 138 = 2.17 10-pulls = ¥3,043.48
    expect(body.gacha.odds.exchange[0]).toMatchObject({
      costMedals: 300,
      singlePulls: { expectedPulls: "27.78", expectedYen: 4_167 },
      tenPulls: { expectedPulls: "2.17", expectedYen: 3_043 },
    });
  });

  it.each([
    ["an ended campaign", () => ended.campaign.id],
    ["an upcoming campaign", () => upcoming.campaign.id],
    ["an unknown id", () => "6f1c1b1e-0000-4000-8000-000000000000"],
    ["a malformed id", () => "not-a-uuid"],
    ["an injection attempt", () => "1' or '1'='1"],
    ["an over-long id", () => `${live.campaign.id}0`],
  ])("answers 404 campaign_not_found for %s", async (_name, id) => {
    const { status, body } = await gacha(id());
    expect(status).toBe(404);
    expect(body.error.code).toBe("campaign_not_found");
  });

  it("answers 404 for a draft campaign and for the campaign of a suspended VTuber", async () => {
    const draft = await fx.createCampaign(db, vtuber);
    expect((await gacha(draft.id)).status).toBe(404);

    const other = await fx.createVtuber(db);
    const gone = await fx.createApprovedCampaign(db, other);
    expect((await gacha(gone.campaign.id)).status).toBe(200);
    await asService(db, "test:suspend", (tx) =>
      tx.query("update public.vtubers set status = 'suspended' where id = $1", [other.id]),
    );
    expect((await gacha(gone.campaign.id)).status).toBe(404);
  });

  it("speaks English when asked, and never leaks a driver message", async () => {
    const response = await getGacha(
      new Request("http://localhost/api/gachas/x", { headers: { "accept-language": "en-US,en;q=0.9" } }),
      { params: Promise.resolve({ id: "x" }) },
    );
    expect(await response.json()).toEqual({
      error: { code: "campaign_not_found", message: "This gacha does not exist or is not open.", details: [] },
    });
  });
});

describe("GET /api/gachas", () => {
  it("lists live campaigns only", async () => {
    const { status, body } = await call(listGachas, "/api/gachas");
    expect(status).toBe(200);
    const ids = body.gachas.map((g: { id: string }) => g.id);
    expect(ids).toContain(live.campaign.id);
    expect(ids).not.toContain(ended.campaign.id);
    expect(ids).not.toContain(upcoming.campaign.id);
    expect(body.gachas.find((g: { id: string }) => g.id === live.campaign.id)).toMatchObject({
      singlePriceJpy: 150,
      tenPriceJpy: 1400,
      vtuber: { slug: vtuber.slug, name: "星野ミオ" },
    });
  });
});

describe("GET /api/vtubers and /api/vtubers/{slug}", () => {
  it("lists approved VTubers only", async () => {
    const applied = await fx.createVtuber(db, { status: "applied" });
    const { body } = await call(listVtubers, "/api/vtubers");
    const slugs = body.vtubers.map((v: { slug: string }) => v.slug);
    expect(slugs).toContain(vtuber.slug);
    expect(slugs).not.toContain(applied.slug);
  });

  it("shows one VTuber with their live campaigns", async () => {
    const { status, body } = await call(getVtuber, `/api/vtubers/${vtuber.slug}`, { slug: vtuber.slug });
    expect(status).toBe(200);
    expect(body.vtuber).toMatchObject({ id: vtuber.id, slug: vtuber.slug, name: "星野ミオ" });
    expect(body.gachas.map((g: { id: string }) => g.id)).toEqual([live.campaign.id]);
  });

  it.each([
    ["an unknown slug", "nobody-here"],
    ["a malformed slug", "Not A Slug!"],
  ])("answers 404 vtuber_not_found for %s", async (_name, slug) => {
    const { status, body } = await call(getVtuber, `/api/vtubers/x`, { slug });
    expect(status).toBe(404);
    expect(body.error.code).toBe("vtuber_not_found");
  });

  it("answers 404 for a VTuber not (yet) approved", async () => {
    const applied = await fx.createVtuber(db, { status: "applied" });
    expect((await call(getVtuber, "/api/vtubers/x", { slug: applied.slug })).status).toBe(404);
    expect((await call(getExchange, "/api/vtubers/x/exchange", { slug: applied.slug })).status).toBe(404);
  });
});

describe("GET /api/vtubers/{slug}/exchange", () => {
  it("lists the items open now, sold-out ones included, cheapest first", async () => {
    const { status, body } = await call(getExchange, `/api/vtubers/${vtuber.slug}/exchange`, { slug: vtuber.slug });
    expect(status).toBe(200);
    expect(body.items.map((i: { id: string }) => i.id)).toEqual([
      exchange.soldOut.id,
      exchange.cheap.id,
      exchange.dear.id,
    ]);
    expect(body.items[0]).toMatchObject({ costMedals: 100, stock: 0, perUserLimit: 1 });
    expect(body.items[2]).toMatchObject({ costMedals: 800, stock: null, availableFrom: null, availableUntil: null });
  });

  it("answers 404 for a malformed slug", async () => {
    const { status, body } = await call(getExchange, "/api/vtubers/x/exchange", { slug: "../etc" });
    expect(status).toBe(404);
    expect(body.error.code).toBe("vtuber_not_found");
  });
});
