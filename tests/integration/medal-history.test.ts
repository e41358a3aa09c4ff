/**
 * What the oshi medals page and the exchange page read about one fan, run the way the
 * pages run them: inside `asUser`, so Row Level Security decides what each fan sees.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { asService, asUser } from "@/lib/db/session";
import { exchangeItem } from "@/lib/exchange/exchange-item";
import { countOwnExchanges } from "@/lib/exchange/count-own-exchanges";
import { getMedalBalance } from "@/lib/medals/get-medal-balance";
import { listMedalHistory, MEDAL_HISTORY_LIMIT } from "@/lib/medals/list-medal-history";
import { createTestDatabase, type TestDatabase } from "../helpers/database";
import {
  createApprovedCampaign,
  createExchangeItem,
  createFulfilledPull,
  createUser,
  createVtuber,
  grantMedals as giveMedals,
  type UserFixture,
} from "../helpers/fixtures";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(() => t.close());

let keySeq = 0;
const spend = (fan: UserFixture, item: { id: string }) =>
  exchangeItem(t.db, { userId: fan.id, itemId: item.id, idempotencyKey: `history-${++keySeq}`, now: new Date() });

describe("listMedalHistory", () => {
  it("lists the fan's own movements newest first, with reason and the balance after each", async () => {
    const mio = await createVtuber(t.db, { name: "星野ミオ" });
    const yui = await createVtuber(t.db, { name: "花咲ユイ" });
    const [fan, other] = [await createUser(t.db), await createUser(t.db)];
    const gacha = await createApprovedCampaign(t.db, mio);
    const { pull } = await createFulfilledPull(t.db, fan, gacha, { pullCount: 10 });
    const item = await createExchangeItem(t.db, mio, { costMedals: 100 });
    const { exchange } = await spend(fan, item);
    await giveMedals(t.db, fan, yui, 30);
    await giveMedals(t.db, other, mio, 999);

    const history = await asUser(t.db, fan.claims, (tx) => listMedalHistory(tx, fan.id));

    expect(history.map(({ vtuber, delta, reason, balanceAfter }) => ({ vtuber, delta, reason, balanceAfter }))).toEqual(
      [
        { vtuber: { slug: yui.slug, name: "花咲ユイ" }, delta: 30, reason: "adjustment", balanceAfter: 30 },
        {
          vtuber: { slug: mio.slug, name: "星野ミオ" },
          delta: -100,
          reason: "exchange",
          balanceAfter: pull.medalsEarned - 100,
        },
        {
          vtuber: { slug: mio.slug, name: "星野ミオ" },
          delta: pull.medalsEarned,
          reason: "pull",
          balanceAfter: pull.medalsEarned,
        },
      ],
    );
    expect(exchange.medalBalance).toBe(pull.medalsEarned - 100);
    for (const entry of history) expect(entry.at).toBeInstanceOf(Date);
  });

  it("shows nobody else's movements, even when asked for another fan's id", async () => {
    const vtuber = await createVtuber(t.db);
    const [fan, other] = [await createUser(t.db), await createUser(t.db)];
    await giveMedals(t.db, other, vtuber, 50);

    await expect(asUser(t.db, fan.claims, (tx) => listMedalHistory(tx, other.id))).resolves.toEqual([]);
    await expect(asUser(t.db, fan.claims, (tx) => listMedalHistory(tx, fan.id))).resolves.toEqual([]);
    await expect(asUser(t.db, other.claims, (tx) => listMedalHistory(tx, other.id))).resolves.toHaveLength(1);
  });

  it(`keeps to the latest ${MEDAL_HISTORY_LIMIT} movements unless told otherwise`, async () => {
    const vtuber = await createVtuber(t.db);
    const fan = await createUser(t.db);
    for (let i = 1; i <= MEDAL_HISTORY_LIMIT + 2; i++) await giveMedals(t.db, fan, vtuber, i);

    const latest = await asUser(t.db, fan.claims, (tx) => listMedalHistory(tx, fan.id));
    const three = await asUser(t.db, fan.claims, (tx) => listMedalHistory(tx, fan.id, { limit: 3 }));

    // The n-th grant was of n medals: the newest twenty are 22 down to 3.
    expect(latest.map((e) => e.delta)).toEqual(Array.from({ length: MEDAL_HISTORY_LIMIT }, (_, i) => 22 - i));
    expect(three.map((e) => e.delta)).toEqual([22, 21, 20]);
    expect(latest[0]!.balanceAfter).toBe(((MEDAL_HISTORY_LIMIT + 2) * (MEDAL_HISTORY_LIMIT + 3)) / 2);
  });

  it("keeps the movements of a VTuber who is no longer listed, without their name", async () => {
    const vtuber = await createVtuber(t.db);
    const fan = await createUser(t.db);
    await giveMedals(t.db, fan, vtuber, 40);
    await asService(t.db, "test-suspend-vtuber", (tx) =>
      tx.query("update public.vtubers set status = 'suspended' where id = $1", [vtuber.id]),
    );

    const history = await asUser(t.db, fan.claims, (tx) => listMedalHistory(tx, fan.id));

    expect(history).toMatchObject([{ vtuber: null, delta: 40, balanceAfter: 40 }]);
  });
});

describe("getMedalBalance", () => {
  it("answers the fan's own balance with one VTuber, 0 when there is none or it is someone else's", async () => {
    const [mio, yui] = [await createVtuber(t.db), await createVtuber(t.db)];
    const [fan, other] = [await createUser(t.db), await createUser(t.db)];
    await giveMedals(t.db, fan, mio, 120);
    await giveMedals(t.db, other, yui, 70);

    const read = (who: UserFixture, userId: string, vtuberId: string) =>
      asUser(t.db, who.claims, (tx) => getMedalBalance(tx, userId, vtuberId));

    await expect(read(fan, fan.id, mio.id)).resolves.toBe(120);
    await expect(read(fan, fan.id, yui.id)).resolves.toBe(0);
    await expect(read(fan, other.id, yui.id)).resolves.toBe(0);
    await expect(read(other, other.id, yui.id)).resolves.toBe(70);
  });
});

describe("countOwnExchanges", () => {
  it("counts the fan's own exchanges per item of one VTuber", async () => {
    const [mio, yui] = [await createVtuber(t.db), await createVtuber(t.db)];
    const [fan, other] = [await createUser(t.db), await createUser(t.db)];
    await giveMedals(t.db, fan, mio, 1_000);
    await giveMedals(t.db, fan, yui, 1_000);
    await giveMedals(t.db, other, mio, 1_000);
    const repeatable = await createExchangeItem(t.db, mio, { costMedals: 10, perUserLimit: 3 });
    const once = await createExchangeItem(t.db, mio, { costMedals: 10 });
    const othersOnly = await createExchangeItem(t.db, mio, { costMedals: 10 });
    const elsewhere = await createExchangeItem(t.db, yui, { costMedals: 10 });
    await spend(fan, once);
    await spend(fan, elsewhere);
    await spend(other, othersOnly);
    // The reward box holds a file once, so a second exchange of one item cannot go through
    // the exchange itself here; the rows are what counting reads.
    await asService(t.db, "test-earlier-exchanges", async (tx) => {
      for (const key of ["earlier-exchange-1", "earlier-exchange-2"]) {
        await tx.query(
          `insert into public.exchanges (user_id, exchange_item_id, vtuber_id, cost_medals, idempotency_key)
           values ($1, $2, $3, 10, $4)`,
          [fan.id, repeatable.id, mio.id, key],
        );
      }
    });

    const counts = await asUser(t.db, fan.claims, (tx) => countOwnExchanges(tx, fan.id, mio.id));
    const peeked = await asUser(t.db, fan.claims, (tx) => countOwnExchanges(tx, other.id, mio.id));

    expect(Object.fromEntries(counts)).toEqual({ [repeatable.id]: 2, [once.id]: 1 });
    expect(peeked.size).toBe(0);
  });
});
