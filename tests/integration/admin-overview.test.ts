/** The overview's series from metric_rollups: buckets, totals, shares and the change. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readOverview } from "@/lib/admin/overview";
import { asService } from "@/lib/db/session";
import { createTestDatabase, type TestDatabase } from "../helpers/database";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => {
  await t.close();
});

const NOW = new Date("2026-12-10T12:30:00Z");
const at = (minutesAgo: number) => new Date(NOW.getTime() - minutesAgo * 60_000);

async function put(metric: string, bucket: Date, value: number, campaign: string | null = null) {
  await asService(t.db, "test", (tx) =>
    tx.query("insert into public.metric_rollups (metric, bucket, campaign_id, value) values ($1, $2, $3, $4)", [
      metric,
      bucket,
      campaign,
      value,
    ]),
  );
}

describe("readOverview", () => {
  it("adds counters per bucket, divides them for shares, and compares the range with the one before", async () => {
    // This 24 h: 5 + 7 pulls in the last hour's bucket, 10 three hours back. The 24 h before: 11.
    await put("gacha.pulls.total", at(10), 5);
    await put("gacha.pulls.total", at(20), 7);
    await put("gacha.pulls.total", at(3 * 60 - 5), 10);
    await put("gacha.pulls.total", at(30 * 60), 11);
    // A share of two counters: 2 + 4 server errors of 100 + 100 answers in one bucket; 1 of 100 the day before.
    for (const [minutesAgo, errors] of [
      [10, 2],
      [20, 4],
      [26 * 60, 1],
    ] as const) {
      await put("http.requests", at(minutesAgo), 100);
      await put("http.requests.5xx", at(minutesAgo), errors);
    }
    // Outside both ranges: ignored.
    await put("gacha.pulls.total", at(49 * 60), 1000);

    const series = await readOverview(t.db, "24h", NOW);
    const pulls = series.find((s) => s.metric === "gacha.pulls.total")!;
    expect(pulls.points).toHaveLength(24);
    expect(pulls.points.at(-1)).toEqual({ at: "2026-12-10T11:30:00.000Z", value: 12 });
    expect(pulls.points.at(-3)).toEqual({ at: "2026-12-10T09:30:00.000Z", value: 10 });
    expect(pulls.points.filter((p) => p.value !== null)).toHaveLength(2);
    expect(pulls).toMatchObject({ current: 22, previous: 11, change: 1 });

    const errors = series.find((s) => s.metric === "system.errors.rate")!;
    expect(errors.points.at(-1)!.value).toBeCloseTo(0.03, 10);
    expect(errors.current).toBeCloseTo(0.03, 10);
    expect(errors.change).toBeCloseTo(2, 10);
    expect(errors.threshold).toBe(0.05);

    const revenue = series.find((s) => s.metric === "gacha.revenue.total")!;
    expect(revenue).toMatchObject({ current: null, previous: null, change: null });
    expect(revenue.points.every((p) => p.value === null)).toBe(true);
  });

  it("draws 30 daily buckets for 30 days", async () => {
    const series = await readOverview(t.db, "30d", NOW);
    const pulls = series.find((s) => s.metric === "gacha.pulls.total")!;
    expect(pulls.points).toHaveLength(30);
    // Everything of the 24 h test above falls into the range (1000 was 49 h back: inside 30 days).
    expect(pulls.current).toBe(5 + 7 + 10 + 11 + 1000);
  });
});
