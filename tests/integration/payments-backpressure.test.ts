/**
 * A saturated server turns requests away instead of queueing them without bound: with
 * every database connection taken and no room in the queue, a pull is answered 503
 * `server_busy` with Retry-After before it writes anything, and the same request goes
 * through once the database is free. Work outside a request (jobs, webhook deliveries)
 * and a request's later transactions wait instead.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST } from "@/app/api/gachas/[id]/pulls/route";
import type { Database } from "@/lib/db";
import { withRequestTiming } from "@/lib/timing/request-timing";
import { useAppDatabase } from "../helpers/app-db";
import { signIn, testDeps, useTestKeys, type TestKeys } from "../helpers/auth";
import { createTestDatabase, type TestDatabase } from "../helpers/database";
import * as fx from "../helpers/fixtures";
import { collectingSandbox, countRows, usePaymentProvider } from "../helpers/payment-fixtures";

let database: TestDatabase;
let db: Database;
let keys: TestKeys;
let campaignId: string;
const undo: (() => unknown)[] = [];

beforeAll(async () => {
  // One connection on PostgreSQL (PGlite has one anyway) and no queue at all.
  database = await createTestDatabase({ poolMax: 1, backpressure: { queueMax: 0, waitMs: 60_000 } });
  db = database.db;
  const vtuber = await fx.createVtuber(db);
  campaignId = (await fx.createApprovedCampaign(db, vtuber)).campaign.id;
  keys = await useTestKeys();
  undo.push(useAppDatabase(db), usePaymentProvider(collectingSandbox(db).provider), () => keys.restore());
});

afterAll(async () => {
  for (const step of undo.reverse()) await step();
  await database?.close();
});

/** Takes the database's only connection until the returned function is called. */
async function holdTheDatabase(): Promise<{ release: () => Promise<void> }> {
  let release!: () => void;
  let holding!: Promise<void>;
  await new Promise<void>((started) => {
    holding = db.transaction(
      () =>
        new Promise<void>((done) => {
          release = done;
          started();
        }),
    );
  });
  return {
    release: async () => {
      release();
      await holding;
    },
  };
}

function pull(token: string, key: string): Promise<Response> {
  return POST(
    new Request(`http://localhost/api/gachas/${campaignId}/pulls`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}`, "idempotency-key": key },
      body: JSON.stringify({ count: 1, paymentMethodId: "pm_card_visa" }),
    }),
    { params: Promise.resolve({ id: campaignId }) },
  );
}

/** A fresh fan's pull sent while the database is held; the hold is lifted once it answered. */
async function pullWhileSaturated(key: string) {
  const user = await fx.createUser(db);
  const token = (await signIn(await testDeps(db, keys), user)).accessToken.token;
  const hold = await holdTheDatabase();
  const refused = await pull(token, key);
  await hold.release();
  return { user, token, refused };
}

describe("backpressure", () => {
  it("answers a pull 503 server_busy with Retry-After while the database is saturated, writing nothing", async () => {
    const { user, token, refused } = await pullWhileSaturated("busy-key-0001");

    expect(refused.status).toBe(503);
    expect(refused.headers.get("retry-after")).toBe("1");
    const body = (await refused.json()) as { error: { code: string; message: string; details: unknown[] } };
    expect(body.error.code).toBe("server_busy");
    expect(body.error.details).toEqual([{ reason: "database_queue_full", retryAfterSeconds: 1 }]);
    expect(await countRows(db, "purchases", "user_id = $1", [user.id])).toBe(0);
    expect(await countRows(db, "sandbox_payments", "customer_ref = $1", [user.id])).toBe(0);
    expect(await countRows(db, "monthly_spend", "user_id = $1", [user.id])).toBe(0);

    // Nothing was half done: the same request, key included, now goes through as the first.
    const retried = await pull(token, "busy-key-0001");
    expect(retried.status).toBe(201);
    expect(await countRows(db, "purchases", "user_id = $1 and status = 'fulfilled'", [user.id])).toBe(1);
  });

  it("says so in Japanese by default", async () => {
    const { token, refused } = await pullWhileSaturated("busy-key-ja01");
    expect(refused.status).toBe(503);
    expect(((await refused.json()) as { error: { message: string } }).error.message).toContain("アクセスが集中");
    expect((await pull(token, "busy-key-ja01")).status).toBe(201);
  });

  it("lets work outside a request, and a request that has begun, wait for the connection instead", async () => {
    let holdIsOn!: () => void;
    const held = new Promise<void>((resolve) => (holdIsOn = resolve));
    let firstDone!: () => void;
    const first = new Promise<void>((resolve) => (firstDone = resolve));
    const request = withRequestTiming(async () => {
      await db.transaction((tx) => tx.query("select 1"));
      firstDone();
      await held;
      // Its second transaction, with the database saturated: it waits, it is not refused.
      return db.transaction((tx) => tx.query<{ two: number }>("select 2 as two"));
    });
    await first;
    const hold = await holdTheDatabase();
    holdIsOn();
    const job = db.transaction((tx) => tx.query<{ one: number }>("select 1 as one"));
    let settled = false;
    void Promise.allSettled([job, request]).then(() => (settled = true));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(settled).toBe(false);
    await hold.release();
    expect(await job).toEqual([{ one: 1 }]);
    expect((await request).result).toEqual([{ two: 2 }]);
  });
});
