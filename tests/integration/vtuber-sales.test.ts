/**
 * The console's sales: pulls, revenue and refunds appear after the rollup runs, with
 * medals, exchanges, top items and a fan count; B sees none of A's; CSV of the same.
 */
import { describe, expect, it } from "vitest";
import { GET } from "@/app/api/vtuber/sales/route";
import { rollUpMinutes } from "@/lib/metrics/rollups";
import type { Sales } from "@/lib/vtuber/sales";
import { signIn, testDeps } from "../helpers/auth";
import {
  createApprovedCampaign,
  createFulfilledPull,
  createUser,
  createVtuber,
  type VtuberFixture,
} from "../helpers/fixtures";
import { setUpRouteTests } from "../helpers/route-test-context";

const app = setUpRouteTests();

async function sales(vtuber: VtuberFixture, format?: "csv"): Promise<Response> {
  const token = (await signIn(await testDeps(app.db, app.keys), vtuber.user)).accessToken.token;
  return GET(
    new Request(`http://localhost/api/vtuber/sales${format ? "?format=csv" : ""}`, {
      headers: { authorization: `Bearer ${token}` },
    }),
    { params: Promise.resolve({}) },
  );
}

describe("GET /api/vtuber/sales", () => {
  it("shows the pulls after the next rollup, with medals, fans as a count and top items; B sees none of it", async () => {
    const a = await createVtuber(app.db);
    const b = await createVtuber(app.db);
    const gacha = await createApprovedCampaign(app.db, a, {
      title: "Aの夏ガチャ",
      singlePriceJpy: 100,
      tenPriceJpy: 1000,
    });
    const fans = [await createUser(app.db), await createUser(app.db)];
    const ten = await createFulfilledPull(app.db, fans[0]!, gacha, { pullCount: 10 });
    const one = await createFulfilledPull(app.db, fans[1]!, gacha, { pullCount: 1 });
    await createFulfilledPull(app.db, fans[0]!, gacha, { pullCount: 1 });

    const before = (await (await sales(a)).json()) as Sales;
    expect(before.total).toMatchObject({ pulls: 0, revenueJpy: 0 });
    expect(before.asOf).toBeNull();

    await rollUpMinutes(app.db, { now: new Date(Date.now() + 120_000) });
    const after = (await (await sales(a)).json()) as Sales;
    const medals = ten.pull.medalsEarned + one.pull.medalsEarned * 2;
    expect(after.campaigns).toEqual([
      expect.objectContaining({
        campaignId: gacha.campaign.id,
        title: "Aの夏ガチャ",
        pulls: 12,
        revenueJpy: 1200,
        refundsJpy: 0,
        medalsGranted: medals,
        fans: 2,
      }),
    ]);
    expect(after.total).toEqual({
      pulls: 12,
      revenueJpy: 1200,
      refundsJpy: 0,
      medalsGranted: medals,
      fans: 2,
      medalsSpent: 0,
      exchanges: 0,
    });
    expect(after.campaigns[0]!.topItems[0]!.drawn).toBeGreaterThanOrEqual(after.campaigns[0]!.topItems.at(-1)!.drawn);
    expect(after.campaigns[0]!.topItems.reduce((s, t) => s + t.drawn, 0)).toBeLessThanOrEqual(12);
    expect(after.series.at(-1)).toMatchObject({ pulls: 12, revenueJpy: 1200 });
    expect(after.asOf).not.toBeNull();
    // Counts only: no fan's id, email or name anywhere in the answer.
    const text = JSON.stringify(after);
    for (const fan of fans) {
      expect(text).not.toContain(fan.id);
      expect(text).not.toContain(fan.email);
    }

    const other = (await (await sales(b)).json()) as Sales;
    expect(other).toEqual({
      campaigns: [],
      total: { pulls: 0, revenueJpy: 0, refundsJpy: 0, medalsGranted: 0, fans: 0, medalsSpent: 0, exchanges: 0 },
      series: [],
      asOf: null,
    });

    const csv = await sales(a, "csv");
    expect(csv.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    const bytes = Buffer.from(await csv.arrayBuffer());
    // A byte-order mark first, so spreadsheet apps read the Japanese titles as UTF-8.
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(bytes.subarray(3).toString("utf8")).toBe(
      `campaign_id,title,pulls,revenue_jpy,refunds_jpy,medals_granted,fans\r\n${gacha.campaign.id},Aの夏ガチャ,12,1200,0,${medals},2\r\ntotal,,12,1200,0,${medals},2\r\n`,
    );
  });
});
