/**
 * The payment routes as Next calls them: `POST /api/gachas/{id}/pulls` and
 * `GET /api/me/pulls`, with a real access token and the test database behind getDb().
 */
import { describe, expect, it } from "vitest";
import { POST } from "@/app/api/gachas/[id]/pulls/route";
import { GET } from "@/app/api/me/pulls/route";
import { setUpPaymentTests } from "../helpers/payment-test-context";
import { attackTokens, errorCode, forgeContextFor, forgeToken, signIn, testDeps } from "../helpers/auth";
import * as fx from "../helpers/fixtures";
import { asService } from "@/lib/db/session";
import { revokeFamily } from "@/lib/auth/refresh-tokens";
import { birthdateForAge, countRows } from "../helpers/payment-fixtures";

const t = setUpPaymentTests({ app: true });

async function session(options: { birthdate?: string } = {}) {
  const user = await fx.createUser(t.db, options);
  const tokens = await signIn(await testDeps(t.db, t.keys), user);
  return { user, token: tokens.accessToken.token, sessionId: tokens.refreshToken.familyId, tokens };
}

function pull(campaignId: string, body: unknown, headers: Record<string, string | undefined>): Promise<Response> {
  const request = new Request(`http://localhost/api/gachas/${campaignId}/pulls`, {
    method: "POST",
    headers: Object.fromEntries(
      Object.entries({ "content-type": "application/json", ...headers }).filter(([, v]) => v !== undefined),
    ) as Record<string, string>,
    body: JSON.stringify(body),
  });
  return POST(request, { params: Promise.resolve({ id: campaignId }) });
}

function history(token: string, query = ""): Promise<Response> {
  return GET(new Request(`http://localhost/api/me/pulls${query}`, { headers: { authorization: `Bearer ${token}` } }), {
    params: Promise.resolve({}),
  });
}

describe("POST /api/gachas/{id}/pulls", () => {
  it("answers 201 with the pull, then 200 with the very same body for the same key", async () => {
    const { token } = await session();
    const headers = { authorization: `Bearer ${token}`, "idempotency-key": "route-key-0001" };
    const first = await pull(t.gacha.campaign.id, { count: 10, paymentMethodId: "pm_card_visa" }, headers);
    expect(first.status).toBe(201);
    const body = await first.text();
    const parsed = JSON.parse(body) as { pull: { id: string; count: number; amountJpy: number; results: unknown[] } };
    expect(Object.keys(parsed.pull).sort()).toEqual([
      "amountJpy",
      "count",
      "id",
      "medalBalance",
      "medalsEarned",
      "results",
    ]);
    expect(parsed.pull).toMatchObject({ count: 10, amountJpy: 1000 });
    expect(Object.keys(parsed.pull.results[0] as object).sort()).toEqual(["itemId", "kind", "name", "rarity"]);

    const again = await pull(t.gacha.campaign.id, { count: 10, paymentMethodId: "pm_card_visa" }, headers);
    expect(again.status).toBe(200);
    expect(await again.text()).toBe(body);
  });

  it.each([
    ["missing", undefined],
    ["too short", "short"],
    ["with forbidden characters", "key with spaces!"],
  ])("requires an Idempotency-Key (%s → 400 idempotency_key_required)", async (_, key) => {
    const { token } = await session();
    const response = await pull(
      t.gacha.campaign.id,
      { count: 1, paymentMethodId: "pm_card_visa" },
      {
        authorization: `Bearer ${token}`,
        "idempotency-key": key,
      },
    );
    expect(response.status).toBe(400);
    expect(await errorCode(response)).toBe("idempotency_key_required");
  });

  it.each([
    [{ count: 5, paymentMethodId: "pm_card_visa" }],
    [{ count: "1", paymentMethodId: "pm_card_visa" }],
    [{ count: 1 }],
    [{ count: 1, paymentMethodId: "pm_card_visa", priceJpy: 1 }],
    [{ count: 1, paymentMethodId: "pm card visa" }],
  ])("validates the body strictly: %o → 400 validation_failed", async (body) => {
    const { token } = await session();
    const response = await pull(t.gacha.campaign.id, body, {
      authorization: `Bearer ${token}`,
      "idempotency-key": "route-key-valid",
    });
    expect(response.status).toBe(400);
    expect(await errorCode(response)).toBe("validation_failed");
  });

  it("answers 402 payment_failed with the decline code", async () => {
    const { token, user } = await session();
    const response = await pull(
      t.gacha.campaign.id,
      { count: 1, paymentMethodId: "pm_card_chargeDeclined" },
      {
        authorization: `Bearer ${token}`,
        "idempotency-key": "route-key-declined",
      },
    );
    expect(response.status).toBe(402);
    expect(await response.json()).toMatchObject({
      error: { code: "payment_failed", details: [{ reason: "payment_declined", declineCode: "card_declined" }] },
    });
    expect(await countRows(t.db, "pulls", "user_id = $1", [user.id])).toBe(0);
  });

  it("answers 422 spending_cap_exceeded with the cap and what remains", async () => {
    const { token } = await session({ birthdate: birthdateForAge(12, new Date()) });
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      const response = await pull(
        t.gacha.campaign.id,
        { count: 10, paymentMethodId: "pm_card_visa" },
        {
          authorization: `Bearer ${token}`,
          "idempotency-key": `route-cap-${i}-key`,
        },
      );
      statuses.push(response.status);
      if (response.status === 422) {
        expect(await response.json()).toMatchObject({
          error: { code: "spending_cap_exceeded", details: [{ capJpy: 5000, remainingJpy: 0 }] },
        });
      }
    }
    expect(statuses).toEqual([201, 201, 201, 201, 201, 422]);
  });

  it("refuses without a token (401) and for a malformed campaign id (404)", async () => {
    const anonymous = await pull(
      t.gacha.campaign.id,
      { count: 1, paymentMethodId: "pm_card_visa" },
      { "idempotency-key": "route-key-anon" },
    );
    expect(anonymous.status).toBe(401);
    const { token } = await session();
    const response = await pull(
      "not-a-uuid",
      { count: 1, paymentMethodId: "pm_card_visa" },
      {
        authorization: `Bearer ${token}`,
        "idempotency-key": "route-key-404x",
      },
    );
    expect(response.status).toBe(404);
    expect(await errorCode(response)).toBe("campaign_not_found");
  });
});

/**
 * The pull route leaves the account and session check to the reservation's first read
 * (`access: "token"`), so these are the route auth's refusals proven on this route itself:
 * each ends before anything is written, a replay of an earlier key included.
 */
describe("POST /api/gachas/{id}/pulls: the caller's account and session", () => {
  const body = { count: 1, paymentMethodId: "pm_card_visa" };
  const purchasesOf = (userId: string) => countRows(t.db, "purchases", "user_id = $1", [userId]);
  const status = async (response: Response) => `${response.status} ${await errorCode(response)}`;

  it("answers every forged, expired or misused token 401 with its code, and charges nothing", async () => {
    const { user, tokens } = await session();
    const ctx = await forgeContextFor(t.keys, user, tokens);
    const rows = await attackTokens(ctx);
    const seen: Record<string, string> = {};
    for (const [i, row] of rows.entries()) {
      const headers = { authorization: row.token === null ? undefined : `Bearer ${row.token}` };
      seen[row.name] = await status(
        await pull(t.gacha.campaign.id, body, { ...headers, "idempotency-key": `attack-${i}-key` }),
      );
    }
    expect(seen).toEqual(Object.fromEntries(rows.map((row) => [row.name, `401 ${row.code}`])));
    expect(await purchasesOf(user.id)).toBe(0);
    // The control: the same context, unforged, pays.
    const control = await pull(t.gacha.campaign.id, body, {
      authorization: `Bearer ${await forgeToken(ctx)}`,
      "idempotency-key": "attack-control",
    });
    expect(control.status).toBe(201);
    expect(await purchasesOf(user.id)).toBe(1);
  });

  it("refuses a signed-out session (401 token_invalid), even the replay of a key it paid with", async () => {
    const { user, token, sessionId } = await session();
    const headers = { authorization: `Bearer ${token}`, "idempotency-key": "signed-out-key-1" };
    expect((await pull(t.gacha.campaign.id, body, headers)).status).toBe(201);
    await asService(t.db, "test-sign-out", (tx) => revokeFamily(tx, sessionId, "logout", new Date()));

    expect(await status(await pull(t.gacha.campaign.id, body, headers))).toBe("401 token_invalid");
    expect(
      await status(await pull(t.gacha.campaign.id, body, { ...headers, "idempotency-key": "signed-out-key-2" })),
    ).toBe("401 token_invalid");
    expect(await purchasesOf(user.id)).toBe(1);
  });

  it("refuses a suspended account (403 account_suspended) while its session is still live, a replay included", async () => {
    const { user, token } = await session();
    const paid = { authorization: `Bearer ${token}`, "idempotency-key": "suspended-key-1" };
    expect((await pull(t.gacha.campaign.id, body, paid)).status).toBe(201);
    await asService(t.db, "test-suspend", (tx) =>
      tx.query("update public.users set status = 'suspended' where id = $1", [user.id]),
    );
    const fresh = { ...paid, "idempotency-key": "suspended-key-2" };
    expect([
      await status(await pull(t.gacha.campaign.id, body, paid)),
      await status(await pull(t.gacha.campaign.id, body, fresh)),
    ]).toEqual(["403 account_suspended", "403 account_suspended"]);
    expect(await purchasesOf(user.id)).toBe(1);
  });

  it("refuses a well-signed token for a deleted user, or naming another user's session (401 token_invalid)", async () => {
    const victim = await session();
    const attacker = await session();
    const genuine = await forgeContextFor(t.keys, victim.user, victim.tokens);
    const forged = (sub: string, sid: string) => forgeToken({ ...genuine, sub, sid });
    const nobody = "00000000-0000-4000-8000-000000000000";
    const seen = {
      "deleted user": await status(
        await pull(t.gacha.campaign.id, body, {
          authorization: `Bearer ${await forged(nobody, victim.sessionId)}`,
          "idempotency-key": "deleted-user-key",
        }),
      ),
      "the victim's session under the attacker's id": await status(
        await pull(t.gacha.campaign.id, body, {
          authorization: `Bearer ${await forged(attacker.user.id, victim.sessionId)}`,
          "idempotency-key": "crossed-session-key",
        }),
      ),
    };
    expect(seen).toEqual({
      "deleted user": "401 token_invalid",
      "the victim's session under the attacker's id": "401 token_invalid",
    });
    expect([await purchasesOf(victim.user.id), await purchasesOf(attacker.user.id)]).toEqual([0, 0]);
  });
});

describe("GET /api/me/pulls", () => {
  it("lists the caller's own pulls, newest first, with results and the rate-table version and hash", async () => {
    const me = await session();
    const other = await session();
    const ids: string[] = [];
    for (const [i, count] of ([1, 10, 1] as const).entries()) {
      const response = await pull(
        t.gacha.campaign.id,
        { count, paymentMethodId: "pm_card_visa" },
        {
          authorization: `Bearer ${me.token}`,
          "idempotency-key": `history-${i}-key`,
        },
      );
      ids.push(((await response.json()) as { pull: { id: string } }).pull.id);
    }
    await pull(
      t.gacha.campaign.id,
      { count: 1, paymentMethodId: "pm_card_visa" },
      {
        authorization: `Bearer ${other.token}`,
        "idempotency-key": "history-other",
      },
    );

    const response = await history(me.token);
    expect(response.status).toBe(200);
    const { pulls, nextCursor } = (await response.json()) as {
      pulls: { id: string; count: number; rateTable: object; results: { slot: number; kind: string | null }[] }[];
      nextCursor: string | null;
    };
    expect(pulls.map((p) => p.id)).toEqual([...ids].reverse());
    expect(nextCursor).toBeNull();
    expect(pulls[1]!.results.map((r) => r.slot)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(pulls[1]!.results.every((r) => r.kind !== null)).toBe(true);
    for (const p of pulls) {
      expect(p.rateTable).toEqual({
        id: t.gacha.rateTable.id,
        version: t.gacha.rateTable.version,
        contentHash: t.gacha.rateTable.contentHash,
      });
    }
  });

  it("still names the rate-table version after the campaign has ended and its odds are no longer public", async () => {
    const me = await session();
    const ending = await fx.createApprovedCampaign(t.db, await fx.createVtuber(t.db));
    await pull(
      ending.campaign.id,
      { count: 1, paymentMethodId: "pm_card_visa" },
      {
        authorization: `Bearer ${me.token}`,
        "idempotency-key": "ended-campaign-key",
      },
    );
    await asService(t.db, "test", (tx) =>
      tx.query("update public.campaigns set status = 'ended' where id = $1", [ending.campaign.id]),
    );
    const { pulls } = (await (await history(me.token)).json()) as {
      pulls: { rateTable: object; results: { name: string }[] }[];
    };
    expect(pulls[0]!.rateTable).toEqual({
      id: ending.rateTable.id,
      version: ending.rateTable.version,
      contentHash: ending.rateTable.contentHash,
    });
    expect(pulls[0]!.results[0]!.name).toEqual(expect.any(String));
  });

  it("pages back with the cursor and refuses a malformed one", async () => {
    const me = await session();
    for (let i = 0; i < 22; i++) {
      await pull(
        t.gacha.campaign.id,
        { count: 1, paymentMethodId: "pm_card_visa" },
        {
          authorization: `Bearer ${me.token}`,
          "idempotency-key": `paging-${i}-key`,
        },
      );
    }
    const first = (await (await history(me.token)).json()) as { pulls: { id: string }[]; nextCursor: string };
    expect(first.pulls).toHaveLength(20);
    const second = (await (await history(me.token, `?before=${first.nextCursor}`)).json()) as {
      pulls: { id: string }[];
      nextCursor: string | null;
    };
    expect(second.pulls).toHaveLength(2);
    expect(second.nextCursor).toBeNull();
    expect(new Set([...first.pulls, ...second.pulls].map((p) => p.id)).size).toBe(22);
    expect((await history(me.token, "?before=nope")).status).toBe(400);
  });
});
