/** GET /api/me/medals with real access tokens. */
import { describe, expect, it } from "vitest";
import { GET } from "@/app/api/me/medals/route";
import { exchangeItem } from "@/lib/exchange/exchange-item";
import { errorCode, signIn, testDeps } from "../helpers/auth";
import { createExchangeItem, createUser, createVtuber, grantMedals as giveMedals } from "../helpers/fixtures";
import { setUpRouteTests } from "../helpers/route-test-context";

const app = setUpRouteTests();

const get = (token: string | null) =>
  GET(new Request("http://localhost/api/me/medals", { headers: token ? { authorization: `Bearer ${token}` } : {} }), {
    params: Promise.resolve({}),
  });

describe("GET /api/me/medals", () => {
  it("answers the caller's balance per VTuber and nobody else's", async () => {
    const [mio, yui] = [
      await createVtuber(app.db, { name: "星野ミオ" }),
      await createVtuber(app.db, { name: "花咲ユイ" }),
    ];
    const [fan, other] = [await createUser(app.db), await createUser(app.db)];
    await giveMedals(app.db, fan, mio, 120);
    await giveMedals(app.db, fan, yui, 80);
    const item = await createExchangeItem(app.db, yui, { costMedals: 80 });
    await exchangeItem(app.db, { userId: fan.id, itemId: item.id, idempotencyKey: "spend-it-all", now: new Date() });
    await giveMedals(app.db, other, mio, 999);
    const token = (await signIn(await testDeps(app.db, app.keys), fan)).accessToken.token;

    const response = await get(token);

    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      medals: [
        { vtuber: { id: mio.id, slug: mio.slug, name: "星野ミオ" }, balance: 120 },
        { vtuber: { id: yui.id, slug: yui.slug, name: "花咲ユイ" }, balance: 0 },
      ],
    });
  });

  it("refuses a signed-out caller with 401", async () => {
    const response = await get(null);
    expect(response.status).toBe(401);
    expect(await errorCode(response)).toBe("unauthenticated");
  });
});
