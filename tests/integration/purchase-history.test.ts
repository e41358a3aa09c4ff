/**
 * A fan's purchase history: `readPurchaseHistory` under the fan's own RLS, the
 * `private.purchased_campaign_title` function that names campaigns fans can no longer
 * read, and `GET /api/me/purchases` as Next calls it. Purchases are made through the
 * real pull route and sandbox where the saga's outcome matters, by fixtures where only
 * their order does. PGlite by default, PostgreSQL when DATABASE_URL is set.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST } from "@/app/api/gachas/[id]/pulls/route";
import { GET } from "@/app/api/me/purchases/route";
import { asAnon, asService, asUser } from "@/lib/db/session";
import {
  PURCHASE_HISTORY_PAGE_SIZE,
  readPurchaseHistory,
  readPurchasedCampaignTitles,
  type PurchaseHistoryPage,
} from "@/lib/payments/purchase-history";
import { useAppDatabase } from "../helpers/app-db";
import { errorCode, signIn, testDeps, useTestKeys, type TestKeys } from "../helpers/auth";
import { createTestDatabase, type TestDatabase } from "../helpers/database";
import * as fx from "../helpers/fixtures";
import { collectingSandbox, usePaymentProvider } from "../helpers/payment-fixtures";

let t: TestDatabase;
let keys: TestKeys;
let restore: (() => void)[] = [];
let vtuber: fx.VtuberFixture;
let gacha: fx.GachaFixture;

async function session() {
  const user = await fx.createUser(t.db);
  const tokens = await signIn(await testDeps(t.db, keys), user);
  return { user, token: tokens.accessToken.token };
}

/** `POST /api/gachas/{id}/pulls` with a fresh Idempotency-Key. */
async function pull(token: string, campaignId: string, count: 1 | 10, paymentMethodId: string): Promise<Response> {
  const request = new Request(`http://localhost/api/gachas/${campaignId}/pulls`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      authorization: `Bearer ${token}`,
      "idempotency-key": `history-${randomUUID()}`,
    },
    body: JSON.stringify({ count, paymentMethodId }),
  });
  return POST(request, { params: Promise.resolve({ id: campaignId }) });
}

function purchasesRoute(query = "", token?: string): Promise<Response> {
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  return GET(new Request(`http://localhost/api/me/purchases${query}`, { headers }), {
    params: Promise.resolve({}),
  });
}

function historyOf(user: fx.UserFixture, before?: string | null): Promise<PurchaseHistoryPage> {
  return asUser(t.db, user.claims, (tx) => readPurchaseHistory(tx, user.id, { before }));
}

/** Sets a purchase's creation time, so order and ties are chosen rather than left to the clock. */
async function stamp(purchase: { id: string }, at: Date): Promise<void> {
  await asService(t.db, "test-stamp", (tx) =>
    tx.query("update public.purchases set created_at = $2 where id = $1", [purchase.id, at]),
  );
}

/** `count` purchases of one fan, all created at the same instant (ties are broken by id). */
async function purchasesAt(user: fx.UserFixture, count: number, at: Date): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const purchase = await fx.createPurchase(t.db, user, gacha.campaign, { status: "fulfilled" });
    await stamp(purchase, at);
    ids.push(purchase.id);
  }
  return ids;
}

/** Every page from the newest back, as the route's clients walk them. */
async function allPages(user: fx.UserFixture): Promise<PurchaseHistoryPage[]> {
  const pages = [await historyOf(user)];
  while (pages.at(-1)!.nextCursor !== null) pages.push(await historyOf(user, pages.at(-1)!.nextCursor));
  return pages;
}

beforeAll(async () => {
  t = await createTestDatabase();
  keys = await useTestKeys();
  restore = [useAppDatabase(t.db), usePaymentProvider(collectingSandbox(t.db).provider)];
  vtuber = await fx.createVtuber(t.db);
  gacha = await fx.createApprovedCampaign(t.db, vtuber);
});

afterAll(async () => {
  for (const undo of restore) undo();
  await keys.restore();
  await t.close();
});

describe("readPurchaseHistory", () => {
  it("lists the fan's own purchases, newest first, and never another fan's", async () => {
    const me = await fx.createUser(t.db);
    const other = await fx.createUser(t.db);
    const mine = [];
    for (const [i, status] of (["fulfilled", "failed", "pending", "refunded", "paid"] as const).entries()) {
      const purchase = await fx.createPurchase(t.db, me, gacha.campaign, { status, pullCount: i % 2 ? 10 : 1 });
      await stamp(purchase, new Date(Date.UTC(2026, 10, 1, 0, i)));
      mine.push(purchase);
    }
    const theirs = await fx.createPurchase(t.db, other, gacha.campaign);
    await stamp(theirs, new Date(Date.UTC(2026, 10, 1, 0, 2, 30)));

    const page = await historyOf(me);
    expect(page.purchases.map((p) => p.id)).toEqual(mine.map((p) => p.id).reverse());
    expect(page.nextCursor).toBeNull();
    expect(page.purchases.map((p) => [p.status, p.count, p.amountJpy])).toEqual(
      mine.map((p) => [p.status, p.pullCount, p.amountJpy]).reverse(),
    );
    expect(page.purchases.every((p) => p.campaign.title === gacha.campaign.title)).toBe(true);
    expect((await historyOf(other)).purchases.map((p) => p.id)).toEqual([theirs.id]);
  });

  it("finds nothing when paged from another fan's purchase", async () => {
    const me = await fx.createUser(t.db);
    const other = await fx.createUser(t.db);
    await purchasesAt(me, 3, new Date("2026-11-02T00:00:00Z"));
    const [theirs] = await purchasesAt(other, 1, new Date("2026-11-03T00:00:00Z"));

    expect(await historyOf(me, theirs)).toEqual({ purchases: [], nextCursor: null });
    // Nor does naming the fan from another fan's session.
    const asOther = await asUser(t.db, other.claims, (tx) => readPurchaseHistory(tx, me.id));
    expect(asOther).toEqual({ purchases: [], nextCursor: null });
  });

  it.each([
    { total: PURCHASE_HISTORY_PAGE_SIZE, pages: [20] },
    { total: PURCHASE_HISTORY_PAGE_SIZE + 1, pages: [20, 1] },
    { total: PURCHASE_HISTORY_PAGE_SIZE * 2, pages: [20, 20] },
    { total: PURCHASE_HISTORY_PAGE_SIZE * 2 + 1, pages: [20, 20, 1] },
  ])("pages $total purchases made at one instant into $pages, each exactly once", async ({ total, pages }) => {
    const me = await fx.createUser(t.db);
    const ids = await purchasesAt(me, total, new Date("2026-11-04T00:00:00Z"));

    const walked = await allPages(me);
    expect(walked.map((p) => p.purchases.length)).toEqual(pages);
    const seen = walked.flatMap((p) => p.purchases.map((x) => x.id));
    // Ties on created_at fall back to the id, descending, so the order is total and stable.
    expect(seen).toEqual([...ids].sort().reverse());
    for (const [i, page] of walked.entries()) {
      expect(page.nextCursor).toBe(i < walked.length - 1 ? page.purchases.at(-1)!.id : null);
    }
  });

  it("names a campaign the fan can no longer read once it has ended", async () => {
    const me = await fx.createUser(t.db);
    const bystander = await fx.createUser(t.db);
    const ended = await fx.createApprovedCampaign(t.db, vtuber, {
      title: "終わった夏のボイス",
      window: fx.WINDOWS.ended,
    });
    const purchase = await fx.createPurchase(t.db, me, ended.campaign, { status: "fulfilled" });

    const visible = await asUser(t.db, me.claims, (tx) =>
      tx.query("select id from public.campaigns where id = $1", [ended.campaign.id]),
    );
    expect(visible).toEqual([]);
    const [entry] = (await historyOf(me)).purchases;
    expect(entry).toMatchObject({ id: purchase.id, campaign: { id: ended.campaign.id, title: "終わった夏のボイス" } });

    const titles = (user: fx.UserFixture) =>
      asUser(t.db, user.claims, (tx) => readPurchasedCampaignTitles(tx, [ended.campaign.id, gacha.campaign.id]));
    expect(await titles(me)).toEqual(new Map([[ended.campaign.id, "終わった夏のボイス"]]));
    expect(await titles(bystander)).toEqual(new Map());
  });

  it("gives the title only to buyers: no one else, and never to a signed-out visitor", async () => {
    const buyer = await fx.createUser(t.db);
    const other = await fx.createUser(t.db);
    const ended = await fx.createApprovedCampaign(t.db, vtuber, { window: fx.WINDOWS.ended });
    await fx.createPurchase(t.db, buyer, ended.campaign, { status: "failed" });
    const title = (rows: { title: string | null }[]) => rows[0]!.title;
    const sql = "select private.purchased_campaign_title($1) as title";

    expect(title(await asUser(t.db, buyer.claims, (tx) => tx.query(sql, [ended.campaign.id])))).toBe(
      ended.campaign.title,
    );
    expect(title(await asUser(t.db, other.claims, (tx) => tx.query(sql, [ended.campaign.id])))).toBeNull();
    await expect(asAnon(t.db, (tx) => tx.query(sql, [ended.campaign.id]))).rejects.toMatchObject({ code: "42501" });
  });
});

describe("purchases made through the pull route", () => {
  it("lists a declined card as failed with its code and no pull, and a paid 10-pull with its pull", async () => {
    const { user, token } = await session();
    const declined = await pull(token, gacha.campaign.id, 1, "pm_card_chargeDeclined");
    expect(declined.status).toBe(402);
    const broke = await pull(token, gacha.campaign.id, 10, "pm_card_visa_chargeDeclinedInsufficientFunds");
    expect(broke.status).toBe(402);
    const paid = await pull(token, gacha.campaign.id, 10, "pm_card_visa");
    expect(paid.status).toBe(201);
    const { pull: drawn } = (await paid.json()) as { pull: { id: string } };

    const [ten, poor, single] = (await historyOf(user)).purchases;
    expect(ten).toMatchObject({ status: "fulfilled", count: 10, amountJpy: 1000, failureCode: null, pullId: drawn.id });
    expect(ten!.paidAt).toBeInstanceOf(Date);
    expect(ten!.fulfilledAt).toBeInstanceOf(Date);
    expect(ten!.failedAt).toBeNull();
    expect(poor).toMatchObject({ status: "failed", count: 10, failureCode: "insufficient_funds", pullId: null });
    expect(single).toMatchObject({ status: "failed", count: 1, amountJpy: 100, failureCode: "card_declined" });
    expect(single).toMatchObject({ pullId: null, paidAt: null, fulfilledAt: null, refundedAt: null });
    expect(single!.failedAt).toBeInstanceOf(Date);
  });
});

describe("GET /api/me/purchases", () => {
  it("answers the fan's purchases in the documented shape, with dates as ISO strings", async () => {
    const { user, token } = await session();
    const response = await pull(token, gacha.campaign.id, 1, "pm_card_visa");
    const { pull: drawn } = (await response.json()) as { pull: { id: string } };

    const answer = await purchasesRoute("", token);
    expect(answer.status).toBe(200);
    const body = (await answer.json()) as { purchases: Record<string, unknown>[]; nextCursor: string | null };
    expect(body.nextCursor).toBeNull();
    expect(body.purchases).toHaveLength(1);
    const [entry] = body.purchases;
    expect(Object.keys(entry!).sort()).toEqual([
      "amountJpy",
      "campaign",
      "count",
      "createdAt",
      "failedAt",
      "failureCode",
      "fulfilledAt",
      "id",
      "paidAt",
      "pullId",
      "refundedAt",
      "status",
    ]);
    expect(entry).toMatchObject({
      campaign: { id: gacha.campaign.id, title: gacha.campaign.title },
      count: 1,
      amountJpy: 100,
      status: "fulfilled",
      failureCode: null,
      pullId: drawn.id,
      failedAt: null,
      refundedAt: null,
    });
    expect(new Date(entry!.createdAt as string).toISOString()).toBe(entry!.createdAt);
    const stored = await asService(t.db, "test", (tx) =>
      tx.query<{ id: string }>("select id from public.purchases where user_id = $1", [user.id]),
    );
    expect(stored.map((row) => row.id)).toEqual([entry!.id]);
  });

  it("pages with the cursor it hands out", async () => {
    const { user, token } = await session();
    const ids = await purchasesAt(user, PURCHASE_HISTORY_PAGE_SIZE + 2, new Date("2026-11-05T00:00:00Z"));
    const first = (await (await purchasesRoute("", token)).json()) as {
      purchases: { id: string }[];
      nextCursor: string;
    };
    expect(first.purchases).toHaveLength(PURCHASE_HISTORY_PAGE_SIZE);
    const second = (await (await purchasesRoute(`?before=${first.nextCursor}`, token)).json()) as {
      purchases: { id: string }[];
      nextCursor: string | null;
    };
    expect(second.nextCursor).toBeNull();
    expect([...first.purchases, ...second.purchases].map((p) => p.id)).toEqual([...ids].sort().reverse());
  });

  it("refuses a signed-out caller (401) and a malformed cursor (400)", async () => {
    const anonymous = await purchasesRoute();
    expect(anonymous.status).toBe(401);
    expect(await errorCode(anonymous)).toBe("unauthenticated");

    const { token } = await session();
    for (const before of ["nope", "1", "00000000-0000-0000-0000-00000000000g", ""]) {
      const response = await purchasesRoute(`?before=${before}`, token);
      expect(response.status, `before=${before}`).toBe(400);
      expect(await response.json()).toMatchObject({
        error: { code: "validation_failed", details: [{ field: "before", reason: "string.guid" }] },
      });
    }
  });
});
