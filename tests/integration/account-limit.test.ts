/** PATCH /api/me: an adult's voluntary monthly limit, with real access tokens. */
import { describe, expect, it } from "vitest";
import { PATCH } from "@/app/api/me/route";
import { errorCode, signIn, testDeps } from "../helpers/auth";
import { createUser, type UserFixture } from "../helpers/fixtures";
import { setUpRouteTests } from "../helpers/route-test-context";

const app = setUpRouteTests();

async function patch(user: UserFixture | null, body: unknown): Promise<Response> {
  const token = user ? (await signIn(await testDeps(app.db, app.keys), user)).accessToken.token : null;
  return PATCH(
    new Request("http://localhost/api/me", {
      method: "PATCH",
      headers: {
        "content-type": "application/json",
        "x-request-id": "req-limit",
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: JSON.stringify(body),
    }),
    { params: Promise.resolve({}) },
  );
}

const auditOf = (user: UserFixture) =>
  app.db.query<{ actor_id: string; action: string; details: unknown; request_id: string }>(
    "select actor_id, action, details, request_id from public.audit_log where target_id = $1 order by id",
    [user.id],
  );

describe("PATCH /api/me", () => {
  it("sets, raises and removes an adult's limit at once, auditing each change", async () => {
    const fan = await createUser(app.db);

    const set = await patch(fan, { voluntaryMonthlyLimitJpy: 3_000 });
    expect(set.status).toBe(200);
    expect((await set.json()).user).toMatchObject({ id: fan.id, ageBand: "adult", monthlyLimitJpy: 3_000 });

    const raised = await patch(fan, { voluntaryMonthlyLimitJpy: 20_000 });
    expect((await raised.json()).user.monthlyLimitJpy).toBe(20_000);

    const removed = await patch(fan, { voluntaryMonthlyLimitJpy: null });
    expect((await removed.json()).user.monthlyLimitJpy).toBeNull();

    expect(await auditOf(fan)).toEqual([
      {
        actor_id: fan.id,
        action: "user.set_voluntary_limit",
        details: { fromJpy: null, toJpy: 3_000 },
        request_id: "req-limit",
      },
      {
        actor_id: fan.id,
        action: "user.set_voluntary_limit",
        details: { fromJpy: 3_000, toJpy: 20_000 },
        request_id: "req-limit",
      },
      {
        actor_id: fan.id,
        action: "user.set_voluntary_limit",
        details: { fromJpy: 20_000, toJpy: null },
        request_id: "req-limit",
      },
    ]);
  });

  it("writes nothing when the limit is already the one asked for", async () => {
    const fan = await createUser(app.db, { voluntaryMonthlyLimitJpy: 5_000 });
    const response = await patch(fan, { voluntaryMonthlyLimitJpy: 5_000 });
    expect(response.status).toBe(200);
    expect(await auditOf(fan)).toEqual([]);
  });

  it("leaves a minor's legal cap alone", async () => {
    const minor = await createUser(app.db, { birthdate: "2014-06-01" });
    const response = await patch(minor, { voluntaryMonthlyLimitJpy: 1_000 });
    expect(response.status).toBe(403);
    expect(await errorCode(response)).toBe("forbidden");
    expect(await auditOf(minor)).toEqual([]);
  });

  it("refuses amounts outside 0–¥10,000,000, fractions and a missing field", async () => {
    const fan = await createUser(app.db);
    for (const body of [
      { voluntaryMonthlyLimitJpy: -1 },
      { voluntaryMonthlyLimitJpy: 10_000_001 },
      { voluntaryMonthlyLimitJpy: 100.5 },
      { voluntaryMonthlyLimitJpy: "1000" },
      {},
    ]) {
      const response = await patch(fan, body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(await errorCode(response)).toBe("validation_failed");
    }
    const zero = await patch(fan, { voluntaryMonthlyLimitJpy: 0 });
    expect((await zero.json()).user.monthlyLimitJpy).toBe(0);
  });

  it("refuses a signed-out caller with 401", async () => {
    const response = await patch(null, { voluntaryMonthlyLimitJpy: 1_000 });
    expect(response.status).toBe(401);
    expect(await errorCode(response)).toBe("unauthenticated");
  });
});
