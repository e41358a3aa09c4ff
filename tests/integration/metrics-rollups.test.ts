/**
 * The per-minute rollups job: exact per-minute series recomputed from the books, written
 * once however many runners there are (two at once on separate connections), catching up
 * after a stop, keeping 90 days, and readable only as the policies say.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Database } from "@/lib/db";
import { asAnon, asUser } from "@/lib/db/session";
import { LOOKBACK_MINUTES, rollUpMinutes } from "@/lib/metrics/rollups";
import { createTestDatabase, type TestDatabase } from "../helpers/database";
import * as fx from "../helpers/fixtures";

const at = (time: string) => new Date(`2026-11-20T${time}Z`);

let database: TestDatabase;
let db: Database;
let vtA: fx.VtuberFixture;
let vtB: fx.VtuberFixture;
let gachaA: fx.GachaFixture;
let gachaB: fx.GachaFixture;
let fan: fx.UserFixture;
let admin: fx.UserFixture;

const buy = (gacha: fx.GachaFixture, pullCount: 1 | 10, when: Date, refundedAt?: Date) =>
  fx.buyAt(db, fan, gacha, pullCount, when, refundedAt);

interface RollupRow {
  metric: string;
  bucket: string;
  campaign: string;
  kind: string | null;
  value: number;
}

async function rollups(): Promise<RollupRow[]> {
  const rows = await db.query<{
    metric: string;
    bucket: Date;
    campaign_id: string | null;
    kind: string | null;
    value: string;
  }>(
    "select metric, bucket, campaign_id, kind, value from public.metric_rollups order by metric, bucket, campaign_id, kind",
  );
  return rows.map((r) => ({
    metric: r.metric,
    bucket: r.bucket.toISOString().slice(11, 16),
    campaign:
      r.campaign_id === gachaA.campaign.id ? "A" : r.campaign_id === gachaB.campaign.id ? "B" : String(r.campaign_id),
    kind: r.kind,
    value: Number(r.value),
  }));
}

beforeAll(async () => {
  database = await createTestDatabase();
  db = database.db;
  vtA = await fx.createVtuber(db);
  vtB = await fx.createVtuber(db);
  gachaA = await fx.createApprovedCampaign(db, vtA);
  gachaB = await fx.createApprovedCampaign(db, vtB);
  fan = await fx.createUser(db);
  admin = await fx.createUser(db, { role: "admin" });

  await buy(gachaA, 1, at("10:00:05"));
  await buy(gachaA, 1, at("10:00:59.999"));
  await buy(gachaA, 10, at("10:00:30"));
  await buy(gachaB, 10, at("10:01:00"));
  await buy(gachaB, 1, at("10:02:10"), at("10:03:00"));
});

afterAll(async () => {
  await database?.close();
});

/*
 * By hand, per minute (UTC): A 10:00 → single 2, ten 10, revenue 1200; B 10:01 → ten 10,
 * revenue 1000; B 10:02 → single 1, revenue 100; B 10:03 → refund 100.
 */
const EXPECTED: RollupRow[] = [
  { metric: "gacha.pulls.total", bucket: "10:00", campaign: "A", kind: "single", value: 2 },
  { metric: "gacha.pulls.total", bucket: "10:00", campaign: "A", kind: "ten", value: 10 },
  { metric: "gacha.pulls.total", bucket: "10:01", campaign: "B", kind: "ten", value: 10 },
  { metric: "gacha.pulls.total", bucket: "10:02", campaign: "B", kind: "single", value: 1 },
  { metric: "gacha.refunds.total", bucket: "10:03", campaign: "B", kind: null, value: 100 },
  { metric: "gacha.revenue.total", bucket: "10:00", campaign: "A", kind: null, value: 1200 },
  { metric: "gacha.revenue.total", bucket: "10:01", campaign: "B", kind: null, value: 1000 },
  { metric: "gacha.revenue.total", bucket: "10:02", campaign: "B", kind: null, value: 100 },
];

describe("per-minute rollups", () => {
  it("two runners on separate connections at once, twice over, write every series once with its exact value", async () => {
    // On PostgreSQL the second runner has its own pool: a real race between two instances.
    const other = database.url ? await openDatabase({ kind: "postgres", url: database.url, poolMax: 4 }) : db;
    try {
      const now = at("10:05:30");
      const first = await Promise.all([rollUpMinutes(db, { now }), rollUpMinutes(other, { now })]);
      expect(first.map((r) => r.to.toISOString())).toEqual(["2026-11-20T10:05:00.000Z", "2026-11-20T10:05:00.000Z"]);
      // Between them they wrote the eight series once: the one that came second changed nothing.
      expect(first.map((r) => r.written).sort((a, b) => a - b)).toEqual([0, 8]);
      await Promise.all([rollUpMinutes(db, { now }), rollUpMinutes(other, { now })]);
    } finally {
      if (other !== db) await other.close();
    }
    expect(await rollups()).toEqual(EXPECTED);
  });

  it("the minute in progress is left for later, and a commit that lands late in a rolled-up minute is corrected, not added", async () => {
    await buy(gachaA, 1, at("10:05:10"));
    const run = await rollUpMinutes(db, { now: at("10:05:50") });
    // Done until 10:05, so it goes back LOOKBACK_MINUTES (10) from there, up to the minute in progress.
    expect(LOOKBACK_MINUTES).toBe(10);
    expect([run.from.toISOString(), run.to.toISOString()]).toEqual([
      "2026-11-20T09:55:00.000Z",
      "2026-11-20T10:05:00.000Z",
    ]);
    expect((await rollups()).filter((r) => r.bucket === "10:05")).toEqual([]);

    // A pull stamped 10:00:40 (its transaction began then) commits only now.
    await buy(gachaA, 1, at("10:00:40"));
    const next = await rollUpMinutes(db, { now: at("10:06:01") });
    // A 10:00: single 2 → 3, revenue 1200 → 1300; A 10:05: single 1 and revenue 100, new.
    expect(next.written).toBe(4);
    const rows = await rollups();
    expect(rows.find((r) => r.bucket === "10:00" && r.kind === "single")?.value).toBe(3);
    expect(rows.find((r) => r.bucket === "10:00" && r.metric === "gacha.revenue.total")?.value).toBe(1300);
    expect(rows.find((r) => r.bucket === "10:05" && r.kind === "single")?.value).toBe(1);
  });

  it("catches up from where it stopped, and deletes rollups older than 90 days", async () => {
    await buy(gachaB, 10, at("12:30:00"));
    await db.query(
      "insert into public.metric_rollups (metric, bucket, campaign_id, kind, value) values ('gacha.pulls.total', $1, $2, 'ten', 10)",
      [new Date(at("10:00:00").getTime() - 91 * 86_400_000), gachaB.campaign.id],
    );
    // Stopped after 10:06 (the last run) until 14:00: it resumes from 10:06 minus the lookback.
    const run = await rollUpMinutes(db, { now: at("14:00:30") });
    expect(run.from.toISOString()).toBe("2026-11-20T09:56:00.000Z");
    expect(run.expired).toBe(1);
    const rows = await rollups();
    expect(rows.find((r) => r.bucket === "12:30" && r.kind === "ten")).toEqual({
      metric: "gacha.pulls.total",
      bucket: "12:30",
      campaign: "B",
      kind: "ten",
      value: 10,
    });
    expect(rows.every((r) => !r.bucket.startsWith("10:00") || r.value > 0)).toBe(true);
    // The eight of the first run, A's two at 10:05 and B's two at 12:30.
    expect(rows).toHaveLength(12);
  });

  it("are read by admins in full, by a VTuber for their own campaigns only, by fans and visitors not at all", async () => {
    const count = (rows: { campaign_id: string | null }[]) => rows.length;
    const sql = "select campaign_id from public.metric_rollups";
    const all = await db.query<{ campaign_id: string | null }>(sql);
    const ofA = all.filter((r) => r.campaign_id === gachaA.campaign.id).length;
    expect(ofA).toBeGreaterThan(0);
    expect(ofA).toBeLessThan(all.length);

    expect(count(await asUser(db, admin.claims, (tx) => tx.query(sql)))).toBe(all.length);
    const seenByA = await asUser(db, vtA.user.claims, (tx) => tx.query<{ campaign_id: string | null }>(sql));
    expect(seenByA.length).toBe(ofA);
    expect(new Set(seenByA.map((r) => r.campaign_id))).toEqual(new Set([gachaA.campaign.id]));
    expect(count(await asUser(db, fan.claims, (tx) => tx.query(sql)))).toBe(0);
    await expect(asAnon(db, (tx) => tx.query(sql))).rejects.toMatchObject({ code: "42501" });
    await expect(
      asUser(db, admin.claims, (tx) =>
        tx.query("update public.metric_rollups set value = 0 where campaign_id = $1", [gachaA.campaign.id]),
      ),
    ).rejects.toMatchObject({ code: "42501" });
  });
});
