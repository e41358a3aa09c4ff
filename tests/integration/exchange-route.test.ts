/** POST /api/exchange/{itemId} with real access tokens. */
import { describe, expect, it } from "vitest";
import { POST } from "@/app/api/exchange/[itemId]/route";
import { errorCode, signIn, testDeps } from "../helpers/auth";
import { createExchangeItem, createUser, createVtuber, grantMedals as giveMedals } from "../helpers/fixtures";
import { setUpRouteTests } from "../helpers/route-test-context";

const app = setUpRouteTests();

async function fanWith(vtuber: { id: string }, medals: number) {
  const fan = await createUser(app.db);
  await giveMedals(app.db, fan, vtuber, medals);
  const token = (await signIn(await testDeps(app.db, app.keys), fan)).accessToken.token;
  return { fan, token };
}

function post(itemId: string, headers: Record<string, string>): Promise<Response> {
  return POST(new Request(`http://localhost/api/exchange/${itemId}`, { method: "POST", headers }), {
    params: Promise.resolve({ itemId }),
  });
}

const auth = (token: string, key?: string) => ({
  authorization: `Bearer ${token}`,
  ...(key === undefined ? {} : { "idempotency-key": key }),
});

describe("POST /api/exchange/{itemId}", () => {
  it("answers 201 with the receipt, then 200 with the very same body for the same key", async () => {
    const vtuber = await createVtuber(app.db);
    const item = await createExchangeItem(app.db, vtuber, { name: "サイン画像", stock: 10, costMedals: 300 });
    const { token } = await fanWith(vtuber, 1000);

    const first = await post(item.id, auth(token, "exchange-route-key-1"));
    expect(first.status).toBe(201);
    const firstBody = await first.text();
    expect(JSON.parse(firstBody)).toEqual({
      exchange: {
        id: expect.any(String),
        itemId: item.id,
        costMedals: 300,
        medalBalance: 700,
        reward: { id: expect.any(String), title: "サイン画像", kind: "voice" },
      },
    });

    const again = await post(item.id, auth(token, "exchange-route-key-1"));
    expect(again.status).toBe(200);
    expect(await again.text()).toBe(firstBody);
  });

  it.each([
    ["missing", undefined],
    ["too short", "short"],
    ["too long", "k".repeat(256)],
    ["with other characters", "key with spaces!"],
  ])("requires an Idempotency-Key header (%s) with 400", async (_, key) => {
    const vtuber = await createVtuber(app.db);
    const item = await createExchangeItem(app.db, vtuber, { costMedals: 10 });
    const { fan, token } = await fanWith(vtuber, 100);
    const response = await post(item.id, auth(token, key));
    expect(response.status).toBe(400);
    expect(await errorCode(response)).toBe("idempotency_key_required");
    const [row] = await app.db.query<{ n: number }>(
      "select count(*)::int as n from public.exchanges where user_id = $1",
      [fan.id],
    );
    expect(row!.n).toBe(0);
  });

  it("answers 409 for a key reused on another item", async () => {
    const vtuber = await createVtuber(app.db);
    const [a, b] = [
      await createExchangeItem(app.db, vtuber, { costMedals: 10 }),
      await createExchangeItem(app.db, vtuber, { costMedals: 10 }),
    ];
    const { token } = await fanWith(vtuber, 100);
    expect((await post(a.id, auth(token, "reused-route-key"))).status).toBe(201);
    const response = await post(b.id, auth(token, "reused-route-key"));
    expect(response.status).toBe(409);
    expect(await errorCode(response)).toBe("idempotency_key_reused");
  });

  it("maps business refusals to 422 with their codes, and unknown items to 404", async () => {
    const vtuber = await createVtuber(app.db);
    const soldOut = await createExchangeItem(app.db, vtuber, { stock: 0, costMedals: 10 });
    const pricey = await createExchangeItem(app.db, vtuber, { costMedals: 5000 });
    const { token } = await fanWith(vtuber, 100);

    const outOfStock = await post(soldOut.id, auth(token, "route-sold-out"));
    expect([outOfStock.status, await errorCode(outOfStock)]).toEqual([422, "out_of_stock"]);
    const poor = await post(pricey.id, auth(token, "route-too-pricey"));
    expect([poor.status, await errorCode(poor)]).toEqual([422, "insufficient_medals"]);
    const missing = await post("00000000-0000-4000-8000-000000000000", auth(token, "route-missing-item"));
    expect([missing.status, await errorCode(missing)]).toEqual([404, "exchange_item_not_found"]);
  });

  it("refuses a signed-out caller with 401 and spends nothing", async () => {
    const vtuber = await createVtuber(app.db);
    const item = await createExchangeItem(app.db, vtuber, { costMedals: 10 });
    const response = await post(item.id, { "idempotency-key": "signed-out-key" });
    expect(response.status).toBe(401);
    expect(await errorCode(response)).toBe("unauthenticated");
  });
});
