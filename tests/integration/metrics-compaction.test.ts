/**
 * Hourly rollups after 7 days: minute rows older than a week become one row per series
 * and hour holding their exact sum, two compactors at once move each minute once, a late
 * minute is added to its hour, the per-minute job never writes below what was compacted,
 * and the history readers give the same totals on both sides of the boundary (and only
 * what RLS lets the reader see).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Database } from "@/lib/db";
import { asService, asUser } from "@/lib/db/session";
import { compactHours, compactionCutoff } from "@/lib/metrics/compaction";
import { historySeriesIn, historyTotalIn, type HistoryQuery } from "@/lib/metrics/history";
import { rollUpMinutes } from "@/lib/metrics/rollups";
import { createTestDatabase, type TestDatabase } from "../helpers/database";
import * as fx from "../helpers/fixtures";

const DAY = 86_400_000;
/** The day whose minutes get compacted, and a week later, when they do. */
const on = (time: string) => new Date(`2026-11-10T${time}Z`);
const weekLater = (time: string) => new Date(on(time).getTime() + 7 * DAY);

let database: TestDatabase;
let db: Database;
let vtA: fx.VtuberFixture;
let gachaA: fx.GachaFixture;
let gachaB: fx.GachaFixture;
let fan: fx.UserFixture;

const buy = (gacha: fx.GachaFixture, pullCount: 1 | 10, when: Date, refundedAt?: Date) =>
  fx.buyAt(db, fan, gacha, pullCount, when, refundedAt);

async function rows() {
  const all = await db.query<{ metric: string; bucket: Date; kind: string | null; value: string; resolution: string }>(
    `select metric, bucket, kind, value, resolution from public.metric_rollups
      where campaign_id = $1 order by metric, bucket, kind`,
    [gachaA.campaign.id],
  );
  return all.map((r) => [r.metric, r.bucket.toISOString().slice(5, 16), r.kind, Number(r.value), r.resolution]);
}

const total = (q: HistoryQuery) => asService(db, "test", (tx) => historyTotalIn(tx, q));

beforeAll(async () => {
  database = await createTestDatabase();
  db = database.db;
  vtA = await fx.createVtuber(db);
  const vtB = await fx.createVtuber(db);
  gachaA = await fx.createApprovedCampaign(db, vtA);
  gachaB = await fx.createApprovedCampaign(db, vtB);
  fan = await fx.createUser(db);

  await buy(gachaA, 1, on("10:00:10"));
  await buy(gachaA, 10, on("10:30:20"));
  await buy(gachaA, 1, on("10:59:50"));
  await buy(gachaA, 1, on("11:00:05"));
  await buy(gachaA, 1, on("12:20:00"), on("12:55:00"));
  await buy(gachaB, 10, on("10:45:00"));
  await rollUpMinutes(db, { now: on("13:30:00") });
});

afterAll(async () => {
  await database?.close();
});

describe("hourly compaction", () => {
  it("folds the minutes of hours older than 7 days into one exact row per series, two runners at once moving each minute once", async () => {
    const window = { from: on("10:00:00"), to: on("13:00:00") };
    const before = {
      pulls: await total({ metric: "gacha.pulls.total", ...window }),
      revenue: await total({ metric: "gacha.revenue.total", ...window }),
      revenueA: await total({ metric: "gacha.revenue.total", ...window, campaignId: gachaA.campaign.id }),
    };
    expect(before).toEqual({ pulls: 24, revenue: 2400, revenueA: 1400 });

    const now = weekLater("11:30:00");
    expect(compactionCutoff(now).toISOString()).toBe("2026-11-10T11:00:00.000Z");
    const other = database.url ? await openDatabase({ kind: "postgres", url: database.url, poolMax: 2 }) : db;
    try {
      const runs = await Promise.all([compactHours(db, { now }), compactHours(other, { now })]);
      // Hour 10 of A: pulls single (10:00, 10:59) and ten (10:30), revenue (3 minutes); of B: pulls and revenue.
      expect(runs.map((r) => r.compacted).sort((a, b) => a - b)).toEqual([0, 8]);
    } finally {
      if (other !== db) await other.close();
    }

    expect(await rows()).toEqual([
      ["gacha.pulls.total", "11-10T10:00", "single", 2, "hour"],
      ["gacha.pulls.total", "11-10T10:00", "ten", 10, "hour"],
      ["gacha.pulls.total", "11-10T11:00", "single", 1, "minute"],
      ["gacha.pulls.total", "11-10T12:20", "single", 1, "minute"],
      ["gacha.refunds.total", "11-10T12:55", null, 100, "minute"],
      ["gacha.revenue.total", "11-10T10:00", null, 1200, "hour"],
      ["gacha.revenue.total", "11-10T11:00", null, 100, "minute"],
      ["gacha.revenue.total", "11-10T12:20", null, 100, "minute"],
    ]);
    // The same totals, now read across the boundary (hour rows, then minute rows).
    expect(await total({ metric: "gacha.pulls.total", ...window })).toBe(before.pulls);
    expect(await total({ metric: "gacha.revenue.total", ...window })).toBe(before.revenue);
    expect(await total({ metric: "gacha.revenue.total", ...window, campaignId: gachaA.campaign.id })).toBe(
      before.revenueA,
    );
    expect(await total({ metric: "gacha.pulls.total", ...window, kind: "ten" })).toBe(20);
  });

  it("a later run folds the next hours (the :00 minute becomes the hour's row) and leaves the rest", async () => {
    const run = await compactHours(db, { now: weekLater("13:05:00") });
    // A: 11:00 pulls and revenue (promoted), 12:20 pulls and revenue, 12:55 refund.
    expect(run.compacted).toBe(5);
    expect(await rows()).toEqual([
      ["gacha.pulls.total", "11-10T10:00", "single", 2, "hour"],
      ["gacha.pulls.total", "11-10T10:00", "ten", 10, "hour"],
      ["gacha.pulls.total", "11-10T11:00", "single", 1, "hour"],
      ["gacha.pulls.total", "11-10T12:00", "single", 1, "hour"],
      ["gacha.refunds.total", "11-10T12:00", null, 100, "hour"],
      ["gacha.revenue.total", "11-10T10:00", null, 1200, "hour"],
      ["gacha.revenue.total", "11-10T11:00", null, 100, "hour"],
      ["gacha.revenue.total", "11-10T12:00", null, 100, "hour"],
    ]);
    expect((await compactHours(db, { now: weekLater("13:05:00") })).compacted).toBe(0);
  });

  it("the per-minute job never writes below the compacted hours, and a late minute row is added to its hour", async () => {
    // The rollups job last stopped at 13:30 on the day; an instance whose clock is behind
    // would recompute from 13:20 back to its earliest, 12:40, over the compacted 12:55 refund.
    await db.query("update public.job_watermarks set done_until = $1 where job = 'rollups'", [on("12:50:00")]);
    const run = await rollUpMinutes(db, { now: weekLater("12:40:00") });
    expect(run.from.toISOString()).toBe("2026-11-10T13:00:00.000Z");
    expect((await rows()).filter((r) => r[4] === "minute")).toEqual([]);

    await db.query(
      "insert into public.metric_rollups (metric, bucket, campaign_id, kind, value) values ('gacha.revenue.total', $1, $2, null, 1000)",
      [on("12:41:00"), gachaA.campaign.id],
    );
    await compactHours(db, { now: weekLater("13:10:00") });
    expect((await rows()).filter((r) => r[0] === "gacha.revenue.total" && r[1] === "11-10T12:00")).toEqual([
      ["gacha.revenue.total", "11-10T12:00", null, 1100, "hour"],
    ]);
  });

  it("reads a series by step across the boundary, each point saying how many minutes it covers", async () => {
    await buy(gachaA, 10, weekLater("12:35:00"));
    await buy(gachaA, 1, weekLater("12:36:30"));
    await rollUpMinutes(db, { now: weekLater("12:50:00") });
    const series = await asService(db, "test", (tx) =>
      historySeriesIn(tx, {
        metric: "gacha.pulls.total",
        campaignId: gachaA.campaign.id,
        from: on("10:00:00"),
        to: weekLater("13:00:00"),
        stepMinutes: 1,
      }),
    );
    expect(series.map((p) => [p.bucket.toISOString().slice(5, 16), p.value, p.minutes])).toEqual([
      ["11-10T10:00", 12, 60],
      ["11-10T11:00", 1, 60],
      ["11-10T12:00", 1, 60],
      ["11-17T12:35", 10, 1],
      ["11-17T12:36", 1, 1],
    ]);
    const daily = await asService(db, "test", (tx) =>
      historySeriesIn(tx, {
        metric: "gacha.pulls.total",
        campaignId: gachaA.campaign.id,
        from: on("00:00:00"),
        to: weekLater("23:59:00"),
        stepMinutes: 1440,
      }),
    );
    expect(daily.map((p) => [p.bucket.toISOString().slice(5, 10), p.value, p.minutes])).toEqual([
      ["11-10", 14, 1440],
      ["11-17", 11, 1440],
    ]);
  });

  it("hour rows are read as the policies say: a VTuber sees its own campaign's, and they expire after 90 days", async () => {
    const window = { metric: "gacha.revenue.total" as const, from: on("00:00:00"), to: on("23:59:00") };
    expect(await asUser(db, vtA.user.claims, (tx) => historyTotalIn(tx, window))).toBe(1400 + 1000);
    expect(await asUser(db, fan.claims, (tx) => historyTotalIn(tx, window))).toBe(0);

    const run = await rollUpMinutes(db, { now: new Date(on("12:00:00").getTime() + 90 * DAY) });
    // A's pulls and revenue hours 10 and 11 (five rows), B's pulls and revenue hour 10 ...
    expect(run.expired).toBe(7);
    expect(await total(window)).toBe(1100); // ... leaving A's 12:00 hour
  });
});
