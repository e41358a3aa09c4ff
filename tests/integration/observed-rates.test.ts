/**
 * Observed versus disclosed rates: after seeded pulls and a run of the `rollups` job, what
 * the page and `GET /api/gachas/{id}/observed` show equals an independent count over the
 * raw pull results (per slot, rarity and item), the intervals are the Wilson intervals
 * of those counts, a table that discloses wrong rates is flagged, and the rollup rows
 * are written once and readable only as RLS says. PGlite, or PostgreSQL with DATABASE_URL.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as getObserved } from "@/app/api/gachas/[id]/observed/route";
import { asAnon, asUser } from "@/lib/db/session";
import type { Database } from "@/lib/db/types";
import { ITEM_MIN_EXPECTED_DRAWS, readObservedRates, type ObservedRates } from "@/lib/gacha/observed-rates";
import type { RateEntry } from "@/lib/gacha/rate-table";
import { PPM_TOTAL, type Rarity, type Slot } from "@/lib/gacha/types";
import { wilsonInterval } from "@/lib/gacha/wilson";
import { CATCH_UP_STEP_DAYS, DRAWS_JOB, rollUpDraws } from "@/lib/metrics/draw-rollups";
import { JOBS } from "@/lib/ops/jobs";
import { useAppDatabase } from "../helpers/app-db";
import { createTestDatabase, type TestDatabase } from "../helpers/database";
import * as fx from "../helpers/fixtures";
import { prng } from "../helpers/prng";
import { attempt, DENIED } from "../helpers/rls";

const SEED = 20261213;
const SINGLES = 150;
const TENS = 30;

let t: TestDatabase;
let db: Database;
let restoreDb: () => void;
let vtuber: fx.VtuberFixture;
let fan: fx.UserFixture;
let honest: fx.GachaFixture;
let misdisclosed: fx.GachaFixture;
let empty: fx.GachaFixture;

/** A job run a little after the last pull, so the minute it was stamped in is closed. */
const later = () => new Date(Date.now() + 120_000);

/** Draws results for a pull from `entries` (the true rates), independently of lib/gacha/draw.ts. */
function sampler(entries: readonly RateEntry[], seed: number) {
  const r = prng(seed);
  const pick = (slot: Slot): RateEntry => {
    const roll = r.int(PPM_TOTAL);
    let upper = 0;
    for (const entry of entries.filter((e) => e.slot === slot)) {
      upper += entry.weightPpm;
      if (roll < upper) return entry;
    }
    throw new Error(`no ${slot} entry covers ${roll}`);
  };
  return (count: 1 | 10) =>
    Array.from({ length: count }, (_, i) => pick(count === 10 && i === 9 ? "guaranteed" : "regular"));
}

async function seedPulls(
  gacha: fx.GachaFixture,
  trueRates: readonly RateEntry[],
  seed: number,
  singles: number,
  tens: number,
) {
  const draw = sampler(trueRates, seed);
  const byId = new Map(gacha.items.map((item) => [item.id, item]));
  for (const pullCount of [...Array<1>(singles).fill(1), ...Array<10>(tens).fill(10)]) {
    const purchase = await fx.createPurchase(db, fan, gacha.campaign, { pullCount });
    await fx.createPull(
      db,
      purchase,
      gacha,
      draw(pullCount).map((entry) => byId.get(entry.itemId)!),
    );
  }
}

interface RawCount {
  slot: Slot;
  item_id: string;
  rarity: Rarity;
  draws: number;
}

/** The independent count: straight from pulls and pull_results, no rollup involved. */
async function rawCounts(campaignId: string): Promise<RawCount[]> {
  const rows = await db.query<{ slot: Slot; item_id: string; rarity: Rarity; draws: string }>(
    `select case when r.guaranteed then 'guaranteed' else 'regular' end as slot, r.item_id, r.rarity,
            count(*)::text as draws
       from public.pull_results r
       join public.pulls p on p.id = r.pull_id
       join public.campaigns c on c.id = p.campaign_id
      where p.campaign_id = $1 and p.rate_table_id = c.current_rate_table_id
      group by 1, 2, 3`,
    [campaignId],
  );
  return rows.map((row) => ({ ...row, draws: Number(row.draws) }));
}

const sum = (rows: readonly RawCount[]) => rows.reduce((total, row) => total + row.draws, 0);

/** Every figure of the observed page checked against the raw count and the disclosed table. */
function expectMatchesRaw(observed: ObservedRates, raw: readonly RawCount[], table: readonly RateEntry[]) {
  for (const slot of observed.slots) {
    const ofSlot = raw.filter((row) => row.slot === slot.slot);
    const n = sum(ofSlot);
    expect(slot.draws, slot.slot).toBe(n);
    for (const row of slot.rarities) {
      const x = sum(ofSlot.filter((r) => r.rarity === row.rarity));
      const ppm = table
        .filter((e) => e.slot === slot.slot && e.rarity === row.rarity)
        .reduce((s, e) => s + e.weightPpm, 0);
      expect({ slot: slot.slot, rarity: row.rarity, draws: row.draws, ppm: row.disclosedPpm }).toEqual({
        slot: slot.slot,
        rarity: row.rarity,
        draws: x,
        ppm,
      });
      expect(row.observed).toBe(n === 0 ? null : x / n);
      const interval = wilsonInterval(x, n);
      expect(row.interval).toEqual(interval);
      expect(row.outside).toBe(interval !== null && (ppm / PPM_TOTAL < interval.lo || ppm / PPM_TOTAL > interval.hi));
    }
    // Every rarity the slot discloses has its row.
    const disclosedRarities = new Set(table.filter((e) => e.slot === slot.slot).map((e) => e.rarity));
    expect(new Set(slot.rarities.map((r) => r.rarity))).toEqual(disclosedRarities);

    const entries = table.filter((e) => e.slot === slot.slot);
    const shown = entries.filter((e) => (n * e.weightPpm) / PPM_TOTAL >= ITEM_MIN_EXPECTED_DRAWS);
    expect(slot.items.map((row) => row.itemId).sort()).toEqual(shown.map((e) => e.itemId).sort());
    expect(slot.itemsWaiting).toBe(entries.length - shown.length);
    for (const row of slot.items) {
      const x = ofSlot.find((r) => r.item_id === row.itemId)?.draws ?? 0;
      expect(row.draws, row.name).toBe(x);
      expect(row.disclosedPpm).toBe(entries.find((e) => e.itemId === row.itemId)!.weightPpm);
      expect(row.interval).toEqual(wilsonInterval(x, n));
    }
  }
  expect(observed.draws.currentTable).toBe(sum(raw));
}

beforeAll(async () => {
  t = await createTestDatabase();
  db = t.db;
  restoreDb = useAppDatabase(db);
  vtuber = await fx.createVtuber(db);
  fan = await fx.createUser(db);
  honest = await fx.createApprovedCampaign(db, vtuber);
  // Discloses 40 % N and 37 % SR in the regular slot, while its draws follow 70 % N and 7 % SR.
  misdisclosed = await fx.createApprovedCampaign(db, vtuber, {
    rates: { regular: { N: 400_000, R: 220_000, SR: 370_000, SSR: 10_000 }, guaranteed: fx.STANDARD_RATES.guaranteed },
  });
  empty = await fx.createApprovedCampaign(db, vtuber);

  await seedPulls(honest, honest.rateTable.entries, SEED, SINGLES, TENS);
  await seedPulls(misdisclosed, fx.standardRates(misdisclosed.items), SEED + 1, 200, 0);
  await JOBS.rollups.run(db, later());
}, 240_000);

afterAll(async () => {
  restoreDb?.();
  await t?.close();
});

describe("observed versus disclosed rates", () => {
  it(`after ${SINGLES} single and ${TENS} ten-pulls and a rollup run, equals a count over the raw pull results`, async () => {
    const observed = (await readObservedRates(db, honest.campaign.id, new Date()))!;
    const raw = await rawCounts(honest.campaign.id);
    expect(sum(raw)).toBe(SINGLES + TENS * 10);
    expect(observed.draws).toEqual({ total: SINGLES + TENS * 10, currentTable: SINGLES + TENS * 10, earlierTables: 0 });
    // Regular: every single pull and nine slots of each 10-pull; guaranteed: each 10-pull's tenth.
    expect(observed.slots.map((s) => [s.slot, s.draws])).toEqual([
      ["regular", SINGLES + TENS * 9],
      ["guaranteed", TENS],
    ]);
    expectMatchesRaw(observed, raw, honest.rateTable.entries);
    // The guaranteed slot never shows N or R.
    expect(observed.slots[1]!.rarities.map((r) => r.rarity)).toEqual(["SR", "SSR"]);
    // Drawn from the very rates it discloses, with this seed nothing falls outside.
    expect(observed.flagged).toBe(0);
    expect(observed.comparisons).toBe(observed.slots.reduce((n, s) => n + s.rarities.length + s.items.length, 0));
    expect(observed.countedUntil).not.toBeNull();
  });

  it("the API answers the same figures as JSON, cacheable by a CDN", async () => {
    const response = await getObserved(new Request(`http://localhost/api/gachas/${honest.campaign.id}/observed`), {
      params: Promise.resolve({ id: honest.campaign.id }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toMatch(/^public, max-age=0, s-maxage=60/);
    const body = (await response.json()) as { observed: ObservedRates };
    expectMatchesRaw(body.observed, await rawCounts(honest.campaign.id), honest.rateTable.entries);
  });

  it("flags the rates a table discloses wrongly, and only those", async () => {
    const observed = (await readObservedRates(db, misdisclosed.campaign.id, new Date()))!;
    expectMatchesRaw(observed, await rawCounts(misdisclosed.campaign.id), misdisclosed.rateTable.entries);
    const regular = observed.slots[0]!;
    const outside = regular.rarities.filter((r) => r.outside).map((r) => r.rarity);
    expect(outside).toEqual(["N", "SR"]);
    expect(
      regular.items
        .filter((r) => r.outside)
        .map((r) => r.rarity)
        .sort(),
    ).toEqual(["N", "N", "N", "SR", "SR"]);
    expect(observed.flagged).toBe(2 + 5);
    // No 10-pulls: the guaranteed slot has nothing to compare.
    expect(observed.slots[1]).toMatchObject({ draws: 0, items: [] });
    expect(observed.slots[1]!.rarities.every((r) => r.interval === null && !r.outside)).toBe(true);
  });

  it("reads the rollups, not the raw rows: a new pull shows after the next run", async () => {
    const before = (await readObservedRates(db, honest.campaign.id, new Date()))!;
    await seedPulls(honest, honest.rateTable.entries, SEED + 2, 0, 1);
    const stale = (await readObservedRates(db, honest.campaign.id, new Date()))!;
    expect(stale.draws.total).toBe(before.draws.total);

    await JOBS.rollups.run(db, later());
    const fresh = (await readObservedRates(db, honest.campaign.id, new Date()))!;
    expect(fresh.draws.total).toBe(before.draws.total + 10);
    expectMatchesRaw(fresh, await rawCounts(honest.campaign.id), honest.rateTable.entries);
  });

  it("recounts rather than adds: running again writes nothing and changes nothing", async () => {
    const rows = () =>
      db.query("select bucket, rate_table_id, slot, item_id, draws from public.draw_rollups order by 1, 2, 3, 4");
    const before = await rows();
    const again = await rollUpDraws(db, { now: later() });
    expect(again.written).toBe(0);
    expect(await rows()).toEqual(before);
    // Two runs started together (overlapping on PostgreSQL; PGlite has one connection and takes them in turn).
    await Promise.all([rollUpDraws(db, { now: later() }), rollUpDraws(db, { now: later() })]);
    expect(await rows()).toEqual(before);
  });

  it("counts draws under an earlier table version apart, and compares only the current one", async () => {
    const next = await fx.createRateTable(db, honest.campaign, fx.standardRates(honest.items));
    const previous = (await readObservedRates(db, honest.campaign.id, new Date()))!;
    honest = { ...honest, campaign: await fx.approveCampaign(db, honest.campaign, next), rateTable: next };
    await seedPulls(honest, next.entries, SEED + 3, 5, 0);
    await JOBS.rollups.run(db, later());

    const observed = (await readObservedRates(db, honest.campaign.id, new Date()))!;
    expect(observed.rateTable.version).toBe(next.version);
    expect(observed.draws).toEqual({
      total: previous.draws.total + 5,
      currentTable: 5,
      earlierTables: previous.draws.total,
    });
    expectMatchesRaw(observed, await rawCounts(honest.campaign.id), next.entries);
  });

  it("has an empty state before the first draw", async () => {
    const observed = (await readObservedRates(db, empty.campaign.id, new Date()))!;
    expect(observed.draws).toEqual({ total: 0, currentTable: 0, earlierTables: 0 });
    expect(observed.comparisons).toBe(0);
    expect(observed.flagged).toBe(0);
    expect(observed.slots.every((s) => s.draws === 0 && s.items.length === 0)).toBe(true);
  });

  it("answers 404 for a campaign that is not open, as the odds page does", async () => {
    const ended = await fx.createApprovedCampaign(db, vtuber, { window: fx.WINDOWS.ended });
    expect(await readObservedRates(db, ended.campaign.id, new Date())).toBeNull();
    for (const id of [ended.campaign.id, "not-a-uuid"]) {
      const response = await getObserved(new Request(`http://localhost/api/gachas/${id}/observed`), {
        params: Promise.resolve({ id }),
      });
      expect(response.status).toBe(404);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe("campaign_not_found");
    }
  });

  it("starts at the first pull ever made and catches up a long history in bounded steps, the page saying how far", async () => {
    const history = await fx.createApprovedCampaign(db, vtuber);
    const now = later();
    const day = 86_400_000;
    await fx.buyAt(db, fan, history, 1, new Date(now.getTime() - 100 * day));
    await fx.buyAt(db, fan, history, 10, new Date(now.getTime() - 10 * day));
    const others = (await readObservedRates(db, honest.campaign.id, new Date()))!;
    // As on a database that had pulls before this job existed.
    await db.query("delete from public.job_watermarks where job = $1", [DRAWS_JOB]);

    const first = await rollUpDraws(db, { now });
    expect(first.from.getTime()).toBe(Math.floor((now.getTime() - 100 * day) / 3_600_000) * 3_600_000);
    expect(first.to.getTime()).toBe(first.from.getTime() + CATCH_UP_STEP_DAYS * day);
    const partial = (await readObservedRates(db, history.campaign.id, new Date()))!;
    expect(partial.draws.total).toBe(1);
    expect(partial.countedUntil).toEqual(first.to);

    let runs = 1;
    for (let run = first; run.to.getTime() < Math.floor(now.getTime() / 60_000) * 60_000; runs++) {
      run = await rollUpDraws(db, { now });
    }
    expect(runs).toBe(Math.ceil(100 / CATCH_UP_STEP_DAYS));
    const done = (await readObservedRates(db, history.campaign.id, new Date()))!;
    expect(done.draws.total).toBe(11);
    expectMatchesRaw(done, await rawCounts(history.campaign.id), history.rateTable.entries);
    // Recounting every other campaign's hours on the way changed none of them.
    const again = (await readObservedRates(db, honest.campaign.id, new Date()))!;
    expect({ ...again, countedUntil: null }).toEqual({ ...others, countedUntil: null });
  });

  it("keeps the rollup table itself away from visitors and other VTubers (RLS)", async () => {
    const select = "select campaign_id from public.draw_rollups";
    expect(await attempt(asAnon(db, (tx) => tx.query(select)))).toEqual(DENIED);
    expect(await attempt(asUser(db, fan.claims, (tx) => tx.query(select)))).toEqual({ rows: 0 });
    const other = await fx.createVtuber(db);
    expect(await attempt(asUser(db, other.user.claims, (tx) => tx.query(select)))).toEqual({ rows: 0 });
    const own = await asUser(db, vtuber.user.claims, (tx) => tx.query<{ campaign_id: string }>(select));
    expect(own.length).toBeGreaterThan(0);
    const admin = await fx.createUser(db, { role: "admin" });
    const all = await asUser(db, admin.claims, (tx) => tx.query(select));
    expect(all.length).toBe(own.length);
  });
});
