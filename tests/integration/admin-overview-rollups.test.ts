/**
 * The overview's production series end to end: requests answered by two server
 * instances (their signal counts), pulls bought, sign-ups and sign-ins, then the jobs
 * that roll them up; each chart then has exactly the points those events make, and a
 * second run of the jobs changes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readOverview, type OverviewSeries } from "@/lib/admin/overview";
import type { Database } from "@/lib/db";
import { rollUpDays } from "@/lib/metrics/daily-rollups";
import { countAnswer, flushSignals, processSignals } from "@/lib/metrics/signals";
import { JOBS } from "@/lib/ops/jobs";
import { createTestDatabase, type TestDatabase } from "../helpers/database";
import * as fx from "../helpers/fixtures";

const NOW = new Date("2026-12-10T12:30:00Z");
const utc = (time: string) => new Date(`2026-12-10T${time}:00Z`);

let database: TestDatabase;
let db: Database;

type Store = ReturnType<typeof processSignals>;
const instance = (id: string): Store => ({ instanceId: id, minutes: new Map(), lastFlush: 0 });

/** Answers of one instance in the minute of `at`: [status, milliseconds] each, then written. */
async function answer(store: Store, at: Date, answers: [number, number][]) {
  for (const [status, ms] of answers) countAnswer(status, ms, { now: at.getTime(), store });
  await flushSignals(db, { now: at, store });
}

async function runJobs() {
  await JOBS.rollups.run(db, NOW);
  await rollUpDays(db, { now: NOW });
}

beforeAll(async () => {
  database = await createTestDatabase();
  db = database.db;
  const a = instance("web-a");
  const b = instance("web-b");
  await answer(a, utc("10:15"), [
    [200, 4],
    [200, 4],
    [200, 3],
    [304, 1],
  ]);
  await answer(a, utc("11:05"), [
    ...Array.from({ length: 6 }, (): [number, number] => [200, 20]),
    [500, 300],
    [404, 30],
  ]);
  await answer(b, utc("11:40"), [
    [503, 2000],
    [200, 20],
  ]);

  const fan = await fx.createUser(db);
  const gacha = await fx.createApprovedCampaign(db, await fx.createVtuber(db));
  await fx.buyAt(db, fan, gacha, 1, utc("10:20"));
  await fx.buyAt(db, fan, gacha, 10, utc("11:10"));
  await fx.buyAt(db, fan, gacha, 1, utc("11:50"));

  // Retention of 2026-12-09 (JST): of the two who signed up on 12-02, one came back.
  await db.query("update public.users set created_at = '2026-01-01T00:00:00Z'");
  const stayed = await fx.createUser(db);
  const left = await fx.createUser(db);
  await fx.stampSignUp(db, stayed, new Date("2026-12-02T03:00:00Z"));
  await fx.stampSignUp(db, left, new Date("2026-12-02T04:00:00Z"));
  await fx.createSession(db, stayed, [new Date("2026-12-09T03:00:00Z")]);

  await runJobs();
});
afterAll(async () => {
  await database.close();
});

const byMetric = (series: OverviewSeries[], metric: string) => series.find((s) => s.metric === metric)!;
/** The points that have a figure, by their index in the range. */
const drawn = (s: OverviewSeries) =>
  Object.fromEntries(s.points.flatMap((p, i) => (p.value === null ? [] : [[i, p.value]])));

describe("the overview's production series", () => {
  it("has each chart's exact points over 24 hours", async () => {
    const series = await readOverview(db, "24h", NOW);
    // Hour buckets from 12-09 12:30: index 21 holds 09:30–10:30, 22 10:30–11:30, 23 11:30–12:30.
    const requests = byMetric(series, "http.requests");
    expect(drawn(requests)).toEqual({ 21: 4, 22: 10 });
    expect(requests.current).toBe(14);

    const errors = byMetric(series, "system.errors.rate");
    expect(drawn(errors)).toEqual({ 21: 0, 22: 0.2 });
    expect(errors.current).toBeCloseTo(2 / 14, 12);

    // The 10:00 hour: four answers within 5 ms. The 11:00 hour: 7 within 25 ms, then 50, 500 and 2,500.
    expect(drawn(byMetric(series, "system.performance.p50"))).toEqual({ 21: 5, 22: 25 });
    expect(drawn(byMetric(series, "system.performance.p95"))).toEqual({ 21: 5, 22: 2500 });
    expect(drawn(byMetric(series, "system.performance.p99"))).toEqual({ 21: 5, 22: 2500 });
    expect(byMetric(series, "system.performance.p50").current).toBe(25);

    const rate = byMetric(series, "gacha.pulls.rate");
    expect(drawn(rate)).toEqual({ 21: 1 / 60, 22: 10 / 60, 23: 1 / 60 });
    expect(rate.current).toBeCloseTo(12 / 1440, 12);
  });

  it("has the retention of each finished day", async () => {
    const retention = byMetric(await readOverview(db, "7d", NOW), "users.retention.7day");
    // Six-hour buckets from 12-03 12:30; 2026-12-09 JST begins 12-08 15:00, in bucket 20.
    expect(drawn(retention)).toEqual({ 20: 0.5 });
  });

  it("writes nothing new when the jobs run again", async () => {
    const before = await db.query("select metric, bucket, value from public.metric_rollups order by 1, 2");
    const again = (await JOBS.rollups.run(db, NOW)) as { written: number; requestHours: { written: number } };
    await rollUpDays(db, { now: NOW });
    expect(again.written).toBe(0);
    expect(again.requestHours.written).toBe(0);
    expect(await db.query("select metric, bucket, value from public.metric_rollups order by 1, 2")).toEqual(before);
  });
});
