/** GET /api/me/medals with real access tokens. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET } from "@/app/api/me/medals/route";
import { exchangeItem } from "@/lib/exchange/exchange-item";
import { useAppDatabase } from "../helpers/app-db";
import { errorCode, signIn, testDeps, useTestKeys, type TestKeys } from "../helpers/auth";
import { createTestDatabase, type TestDatabase } from "../helpers/database";
import { createExchangeItem, createUser, createVtuber, grantMedals as giveMedals } from "../helpers/fixtures";

let t: TestDatabase;
let keys: TestKeys;
let restoreDb: () => void;

beforeAll(async () => {
  t = await createTestDatabase();
  keys = await useTestKeys();
  restoreDb = useAppDatabase(t.db);
});
afterAll(async () => {
  restoreDb();
  await keys.restore();
  await t.close();
});

const get = (token: string | null) =>
  GET(new Request("http://localhost/api/me/medals", { headers: token ? { authorization: `Bearer ${token}` } : {} }), {
    params: Promise.resolve({}),
  });

describe("GET /api/me/medals", () => {
  it("answers the caller's balance per VTuber and nobody else's", async () => {
    const [mio, yui] = [await createVtuber(t.db, { name: "星野ミオ" }), await createVtuber(t.db, { name: "花咲ユイ" })];
    const [fan, other] = [await createUser(t.db), await createUser(t.db)];
    await giveMedals(t.db, fan, mio, 120);
    await giveMedals(t.db, fan, yui, 80);
    const item = await createExchangeItem(t.db, yui, { costMedals: 80 });
    await exchangeItem(t.db, { userId: fan.id, itemId: item.id, idempotencyKey: "spend-it-all", now: new Date() });
    await giveMedals(t.db, other, mio, 999);
    const token = (await signIn(await testDeps(t.db, keys), fan)).accessToken.token;

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
