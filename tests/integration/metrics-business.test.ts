/**
 * The business metrics after a scripted JST day at fixed instants: sign-ups a week
 * earlier and on the day, sessions on both sides of midnight, single and 10-pulls, a
 * decline and refunds. Every figure is checked against a value worked out by hand, and
 * again after the following day has happened (a past interval recomputes the same).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "@/lib/db";
import { dailyUserFigures, gachaFigures, jstDay } from "@/lib/metrics/business";
import { createTestDatabase, type TestDatabase } from "../helpers/database";
import * as fx from "../helpers/fixtures";

/** The scripted day, in JST. Single pulls cost 100 yen and 10-pulls 1,000 (the fixtures' prices). */
const DAY = "2026-11-20";
const jst = (day: string, time: string) => new Date(`${day}T${time}+09:00`);

let database: TestDatabase;
let db: Database;
let gacha: fx.GachaFixture;
let users: Record<"a" | "b" | "c" | "d" | "e" | "f" | "g", fx.UserFixture>;
let purchaseOfA: fx.PurchaseFixture;

async function buy(
  user: fx.UserFixture,
  pullCount: 1 | 10,
  at: Date,
  options: { status?: "fulfilled" | "failed" | "refunded"; refundedAt?: Date } = {},
): Promise<fx.PurchaseFixture> {
  const purchase = await fx.createPurchase(db, user, gacha.campaign, { pullCount, status: options.status });
  if (options.status !== "failed") await fx.createPull(db, purchase, gacha);
  await fx.stampPurchase(db, purchase, at, options.refundedAt);
  return purchase;
}

beforeAll(async () => {
  database = await createTestDatabase();
  db = database.db;
  const vtuber = await fx.createVtuber(db);
  gacha = await fx.createApprovedCampaign(db, vtuber);
  expect([gacha.campaign.singlePriceJpy, gacha.campaign.tenPriceJpy]).toEqual([100, 1000]);

  const entries = await Promise.all(
    (["a", "b", "c", "d", "e", "f", "g"] as const).map(async (k) => [k, await fx.createUser(db)] as const),
  );
  users = Object.fromEntries(entries) as typeof users;
  const { a, b, c, d, e, f, g } = users;

  // The cohort of 7 days earlier: a, b, c, d. e signed up a day before it; f and g on the day.
  for (const u of [a, b, c, d]) await fx.stampSignUp(db, u, jst("2026-11-13", "10:00:00"));
  await fx.stampSignUp(db, e, jst("2026-11-12", "23:59:59"));
  await fx.stampSignUp(db, f, jst(DAY, "09:00:00"));
  await fx.stampSignUp(db, g, jst(DAY, "09:30:00"));

  // Sessions: a signs in and refreshes; b signs in at 23:30 JST; c just before and just after
  // the day (c's second token is 15:00 UTC on the 20th: counting by UTC day would count c).
  await fx.createSession(db, a, [jst(DAY, "08:00:00"), jst(DAY, "08:15:00")]);
  await fx.createSession(db, b, [jst(DAY, "23:30:00")]);
  await fx.createSession(db, c, [jst("2026-11-19", "23:59:59"), jst("2026-11-21", "00:00:00")]);
  await fx.createSession(db, f, [jst(DAY, "09:00:00")]);
  await fx.createSession(db, g, [jst(DAY, "09:30:00")]);

  // The day's purchases.
  purchaseOfA = await buy(a, 1, jst(DAY, "08:05:00"));
  await buy(f, 10, jst(DAY, "12:00:00"));
  await buy(g, 1, jst(DAY, "12:30:00"), { status: "refunded", refundedAt: jst(DAY, "20:00:00") });
  await buy(e, 1, jst(DAY, "13:00:00"), { status: "failed" });
  await buy(b, 10, jst(DAY, "23:59:59.999"));
  // d bought the day before and was refunded on the day: a refund of the day, revenue of the day before.
  await buy(d, 1, jst("2026-11-19", "21:00:00"), { status: "refunded", refundedAt: jst(DAY, "10:00:00") });
  // a's next pull falls exactly at the next midnight: not the day's.
  await buy(a, 1, jst("2026-11-21", "00:00:00"));
});

afterAll(async () => {
  await database?.close();
});

/*
 * By hand, for 2026-11-20 JST:
 *   pulls: a 1 + g 1 (single), f 10 + b 10 (ten) → single 2, ten 20, total 22; per minute 22 / 1440
 *   revenue: a 100 + f 1000 + g 100 (refunded later, still sold that day) + b 1000 = 2200
 *   refunds: g 100 + d 100 = 200
 *   active: a, b, f, g (sessions) + e (declined purchase) = 5; c's tokens fall outside, d's purchase was the day before
 *   paying: a, f, g, b = 4 → conversion 0.8
 *   cohort 2026-11-13: a, b, c, d = 4; active on the day: a, b → retention 0.5
 */
const EXPECTED_GACHA = {
  pullsSingle: 2,
  pullsTen: 20,
  pullsTotal: 22,
  pullsPerMinute: 22 / 1440,
  revenueJpy: 2200,
  refundsJpy: 200,
};
const EXPECTED_USERS = {
  day: DAY,
  active: 5,
  paying: 4,
  conversion: 0.8,
  cohort: 4,
  retained: 2,
  retention7day: 0.5,
};

describe("business metrics over a scripted JST day", () => {
  it("equal the hand-computed figures for the day", async () => {
    expect(await gachaFigures(db, jstDay(DAY))).toEqual(EXPECTED_GACHA);
    expect(await dailyUserFigures(db, DAY)).toEqual(EXPECTED_USERS);
  });

  it("equal the hand-computed figures for an hour inside the day", async () => {
    const noon = { from: jst(DAY, "12:00:00"), to: jst(DAY, "13:00:00") };
    expect(await gachaFigures(db, noon)).toEqual({
      pullsSingle: 1,
      pullsTen: 10,
      pullsTotal: 11,
      pullsPerMinute: 11 / 60,
      revenueJpy: 1100,
      refundsJpy: 0,
    });
  });

  it("give the same figures for the day when recomputed after the next day happened", async () => {
    // The next day: a refund of a's purchase of the day, more sign-ups, sessions and pulls.
    await db.query("update public.purchases set status = 'refunded', refunded_at = $2 where id = $1", [
      purchaseOfA.id,
      jst("2026-11-21", "09:00:00"),
    ]);
    const late = await fx.createUser(db);
    await fx.createSession(db, late, [jst("2026-11-21", "10:00:00")]);
    await buy(late, 10, jst("2026-11-21", "10:05:00"));

    expect(await gachaFigures(db, jstDay(DAY))).toEqual(EXPECTED_GACHA);
    expect(await dailyUserFigures(db, DAY)).toEqual(EXPECTED_USERS);
    // The next day sees what it should: a's midnight single and late's 10-pull; the refund of a's purchase.
    expect(await gachaFigures(db, jstDay("2026-11-21"))).toMatchObject({
      pullsTotal: 11,
      revenueJpy: 1100,
      refundsJpy: 100,
    });
  });

  it("report no rate for an empty day rather than a division by zero", async () => {
    expect(await dailyUserFigures(db, "2026-10-01")).toEqual({
      day: "2026-10-01",
      active: 0,
      paying: 0,
      conversion: null,
      cohort: 0,
      retained: 0,
      retention7day: null,
    });
  });
});
