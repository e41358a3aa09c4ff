import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { asService, asUser } from "@/lib/db/session";
import { getMedalBalances } from "@/lib/medals/get-medal-balances";
import { grantMedals, type MedalGrant } from "@/lib/medals/grant-medals";
import { createTestDatabase, type TestDatabase } from "../helpers/database";
import {
  createApprovedCampaign,
  createPull,
  createPurchase,
  createUser,
  createVtuber,
  type GachaFixture,
  type UserFixture,
} from "../helpers/fixtures";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(() => t.close());

const engine = process.env.DATABASE_URL ? "PostgreSQL" : "PGlite";

/** A pull row to grant for (medals are granted inside its fulfilment, after it exists). */
async function pullOf(fan: UserFixture, gacha: GachaFixture): Promise<string> {
  const purchase = await createPurchase(t.db, fan, gacha.campaign);
  return (await createPull(t.db, purchase, gacha)).id;
}

const grant = (g: MedalGrant) => asService(t.db, "test-fulfilment", (tx) => grantMedals(tx, g));

async function ledgerOf(userId: string) {
  return t.db.query<{ vtuber_id: string; delta: number; balance_after: number; reason: string; pull_id: string }>(
    "select vtuber_id, delta, balance_after, reason, pull_id from public.medal_ledger where user_id = $1 order by id",
    [userId],
  );
}

describe(`grantMedals on ${engine}`, () => {
  it("credits the balance and appends a ledger row with the balance after it", async () => {
    const vtuber = await createVtuber(t.db);
    const gacha = await createApprovedCampaign(t.db, vtuber);
    const fan = await createUser(t.db);
    const first = await pullOf(fan, gacha);
    const second = await pullOf(fan, gacha);

    expect(await grant({ userId: fan.id, vtuberId: vtuber.id, amount: 120, pullId: first })).toEqual({
      granted: true,
      balance: 120,
    });
    expect(await grant({ userId: fan.id, vtuberId: vtuber.id, amount: 50, pullId: second })).toEqual({
      granted: true,
      balance: 170,
    });
    expect(await ledgerOf(fan.id)).toEqual([
      { vtuber_id: vtuber.id, delta: 120, balance_after: 120, reason: "pull", pull_id: first },
      { vtuber_id: vtuber.id, delta: 50, balance_after: 170, reason: "pull", pull_id: second },
    ]);
  });

  it("grants once per pull: a repeat changes nothing and says so", async () => {
    const vtuber = await createVtuber(t.db);
    const gacha = await createApprovedCampaign(t.db, vtuber);
    const fan = await createUser(t.db);
    const pullId = await pullOf(fan, gacha);
    const g = { userId: fan.id, vtuberId: vtuber.id, amount: 100, pullId };

    await grant(g);
    expect(await grant(g)).toEqual({ granted: false, balance: 100 });
    expect(await ledgerOf(fan.id)).toHaveLength(1);
  });

  it("grants once when the same fulfilment runs in parallel (request and webhook racing)", async () => {
    const vtuber = await createVtuber(t.db);
    const gacha = await createApprovedCampaign(t.db, vtuber);
    const fan = await createUser(t.db);
    const pullId = await pullOf(fan, gacha);

    const results = await Promise.all(
      Array.from({ length: 10 }, () => grant({ userId: fan.id, vtuberId: vtuber.id, amount: 70, pullId })),
    );

    expect(results.filter((r) => r.granted)).toHaveLength(1);
    expect(results.every((r) => r.balance === 70)).toBe(true);
    expect(await ledgerOf(fan.id)).toHaveLength(1);
  });

  it("rolls back with the fulfilment it is part of", async () => {
    const vtuber = await createVtuber(t.db);
    const gacha = await createApprovedCampaign(t.db, vtuber);
    const fan = await createUser(t.db);
    const pullId = await pullOf(fan, gacha);

    await expect(
      asService(t.db, "test-fulfilment", async (tx) => {
        await grantMedals(tx, { userId: fan.id, vtuberId: vtuber.id, amount: 40, pullId });
        throw new Error("draw failed");
      }),
    ).rejects.toThrow("draw failed");

    expect(await ledgerOf(fan.id)).toEqual([]);
    expect(await grant({ userId: fan.id, vtuberId: vtuber.id, amount: 40, pullId })).toEqual({
      granted: true,
      balance: 40,
    });
  });

  it("grants nothing for 0 medals and refuses a negative or fractional amount", async () => {
    const vtuber = await createVtuber(t.db);
    const gacha = await createApprovedCampaign(t.db, vtuber, { medals: { N: 0, R: 0 } });
    const fan = await createUser(t.db);
    const pullId = await pullOf(fan, gacha);

    expect(await grant({ userId: fan.id, vtuberId: vtuber.id, amount: 0, pullId })).toEqual({
      granted: false,
      balance: 0,
    });
    await expect(grant({ userId: fan.id, vtuberId: vtuber.id, amount: -5, pullId })).rejects.toThrow(/non-negative/);
    await expect(grant({ userId: fan.id, vtuberId: vtuber.id, amount: 1.5, pullId })).rejects.toThrow(/non-negative/);
    expect(await ledgerOf(fan.id)).toEqual([]);
  });
});

describe(`getMedalBalances on ${engine}`, () => {
  it("lists a fan's own balances per VTuber, largest first, and nobody else's under RLS", async () => {
    const [mio, ren] = [await createVtuber(t.db, { name: "星野ミオ" }), await createVtuber(t.db, { name: "月城レン" })];
    const [gachaMio, gachaRen] = [await createApprovedCampaign(t.db, mio), await createApprovedCampaign(t.db, ren)];
    const fan = await createUser(t.db);
    const other = await createUser(t.db);
    await grant({ userId: fan.id, vtuberId: mio.id, amount: 30, pullId: await pullOf(fan, gachaMio) });
    await grant({ userId: fan.id, vtuberId: ren.id, amount: 90, pullId: await pullOf(fan, gachaRen) });
    await grant({ userId: other.id, vtuberId: mio.id, amount: 500, pullId: await pullOf(other, gachaMio) });

    expect(await asUser(t.db, fan.claims, (tx) => getMedalBalances(tx, fan.id))).toEqual([
      { vtuber: { id: ren.id, slug: ren.slug, name: "月城レン" }, balance: 90 },
      { vtuber: { id: mio.id, slug: mio.slug, name: "星野ミオ" }, balance: 30 },
    ]);
    // Asking for someone else's id under one's own claims shows nothing.
    expect(await asUser(t.db, fan.claims, (tx) => getMedalBalances(tx, other.id))).toEqual([]);
  });
});
