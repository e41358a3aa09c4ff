/**
 * The payment routes as Next calls them: `POST /api/gachas/{id}/pulls` and
 * `GET /api/me/pulls`, with a real access token and the test database behind getDb().
 */
import { describe, expect, it } from "vitest";
import { POST } from "@/app/api/gachas/[id]/pulls/route";
import { GET } from "@/app/api/me/pulls/route";
import { setUpPaymentTests } from "../helpers/payment-test-context";
import { errorCode, signIn, testDeps } from "../helpers/auth";
import * as fx from "../helpers/fixtures";
import { asService } from "@/lib/db/session";
import { birthdateForAge, countRows } from "../helpers/payment-fixtures";

const t = setUpPaymentTests({ app: true });

async function session(options: { birthdate?: string } = {}) {
  const user = await fx.createUser(t.db, options);
  const tokens = await signIn(await testDeps(t.db, t.keys), user);
  return { user, token: tokens.accessToken.token };
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
