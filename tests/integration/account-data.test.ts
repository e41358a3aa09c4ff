/**
 * GET /api/me/export and POST /api/me/delete through their route handlers, with real
 * tokens, a real paid pull in the sandbox and the stripe provider against the local
 * Stripe-protocol server for the saved cards. PGlite by default, PostgreSQL when
 * DATABASE_URL is set.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as deleteRoute } from "@/app/api/me/delete/route";
import { GET as exportRoute } from "@/app/api/me/export/route";
import { deleteAccount, deletedEmail, DELETED_DISPLAY_NAME } from "@/lib/account/delete-account";
import { login } from "@/lib/auth/login";
import { hashPassword } from "@/lib/auth/password";
import { rotateRefreshToken } from "@/lib/auth/refresh-tokens";
import { asService } from "@/lib/db/session";
import { DomainError } from "@/lib/domain-error";
import { seededRandom } from "@/lib/gacha/random";
import { payAndPull } from "@/lib/payments/pay-and-pull";
import { call, errorCode, jsonRequest, signIn, testDeps, TEST_BCRYPT_COST } from "../helpers/auth";
import * as fx from "../helpers/fixtures";
import { pullRequest } from "../helpers/payment-fixtures";
import { setUpPaymentTests } from "../helpers/payment-test-context";
import { saveCard, stripeProviderAt } from "../helpers/stripe-cards";
import { startStripeStub, type StripeStub } from "../helpers/stripe-server";

const t = setUpPaymentTests({ app: true });
const PASSWORD = "kiramekiStar-2026";
let stub: StripeStub;

beforeAll(async () => {
  stub = await startStripeStub();
});
afterAll(() => stub?.close());

/** A fan who can sign in with PASSWORD and has bought one pull. */
async function payingFan(options: { role?: "user" | "admin" } = {}) {
  const user = await fx.createUser(t.db, {
    role: options.role,
    displayName: `ひかり ${randomUUID().slice(0, 8)}`,
  });
  const hash = await hashPassword(PASSWORD, TEST_BCRYPT_COST);
  await asService(t.db, "test", (tx) =>
    tx.query("update public.users set password_hash = $2 where id = $1", [user.id, hash]),
  );
  const { pull } = await payAndPull(
    { db: t.db, provider: t.sandbox.provider, now: new Date(), rng: seededRandom(5) },
    pullRequest(user, t.gacha.campaign),
  );
  return { user, pull };
}

async function bearer(user: { id: string; role: "user" | "admin" | "vtuber" }, signedInAt = new Date()) {
  const deps = await testDeps(t.db, t.keys, { now: signedInAt, auth: { accessTokenTtlSeconds: 3600 } });
  const tokens = await signIn(deps, user);
  return { authorization: `Bearer ${tokens.accessToken.token}`, refreshToken: tokens.refreshToken.token };
}

const getExport = (headers: Record<string, string>) =>
  call(
    exportRoute,
    new Request("http://localhost/api/me/export", { headers: { ...headers, "x-request-id": "req-export" } }),
  );

const postDelete = (headers: Record<string, string>, body: unknown) =>
  call(deleteRoute, jsonRequest("/api/me/delete", body, { ...headers, "x-request-id": "req-delete" }));

const auditOf = (userId: string, action: string) =>
  t.db.query<{ actor_id: string; details: Record<string, unknown>; request_id: string }>(
    "select actor_id, details, request_id from public.audit_log where target_id = $1 and action = $2 order by id",
    [userId, action],
  );

describe("GET /api/me/export", () => {
  it("downloads the fan's own purchases, pulls with results, medals, rewards and sessions, and nothing secret", async () => {
    const { user, pull } = await payingFan();
    const other = await payingFan();
    const response = await getExport(await bearer(user));

    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^application\/json/);
    expect(response.headers.get("content-disposition")).toMatch(
      /^attachment; filename="koepon-export-\d{4}-\d{2}-\d{2}\.json"$/,
    );
    expect(response.headers.get("cache-control")).toBe("no-store");
    const text = await response.text();
    const data = JSON.parse(text);

    expect(data.format).toBe("koepon-account-export/1");
    expect(data.profile).toMatchObject({ id: user.id, email: user.email, role: "user" });
    expect(data.purchases).toHaveLength(1);
    expect(data.purchases[0]).toMatchObject({ amount_jpy: 100, status: "fulfilled", pull_count: 1 });
    expect(data.pulls).toHaveLength(1);
    expect(data.pulls[0]).toMatchObject({ id: pull.id, campaign_title: t.gacha.campaign.title });
    expect(data.pulls[0].results.map((r: { item_id: string }) => r.item_id)).toEqual(pull.results.map((r) => r.itemId));
    expect(data.medals.balances).toEqual([
      expect.objectContaining({ vtuber_id: t.vtuber.id, balance: pull.medalBalance }),
    ]);
    expect(data.medals.ledger).toHaveLength(1);
    expect(data.rewards.length).toBeGreaterThan(0);
    expect(data.sessions.length).toBeGreaterThanOrEqual(1);
    expect(data.monthlySpend).toEqual([expect.objectContaining({ committed_jpy: 100, pending_jpy: 0 })]);

    for (const secret of ["password_hash", "token_hash", "idempotency_key", "provider_payment_id", "$2b$"]) {
      expect(text).not.toContain(secret);
    }
    expect(text).not.toContain(other.user.id);
    expect(text).not.toContain(other.user.email);

    expect(await auditOf(user.id, "account.export")).toEqual([
      {
        actor_id: user.id,
        details: { purchases: 1, pulls: 1, rewards: data.rewards.length },
        request_id: "req-export",
      },
    ]);
  });

  it("gives an admin only their own rows, though their policies can read everyone's", async () => {
    const { user: admin } = await payingFan({ role: "admin" });
    const data = await (await getExport(await bearer(admin))).json();
    expect(data.purchases).toHaveLength(1);
    expect(data.pulls).toHaveLength(1);
    expect(new Set(data.medals.ledger.map((l: { id: number }) => l.id)).size).toBe(1);
  });

  it("asks for a fresh sign-in when the session's sign-in is older than the window", async () => {
    const { user } = await payingFan();
    const response = await getExport(await bearer(user, new Date(Date.now() - 16 * 60_000)));
    expect(response.status).toBe(403);
    expect(await errorCode(response)).toBe("reauthentication_required");
    expect(await auditOf(user.id, "account.export")).toEqual([]);
  });

  it("refuses without a session", async () => {
    const response = await getExport({});
    expect(response.status).toBe(401);
  });
});

describe("POST /api/me/delete", () => {
  it.each([
    ["a wrong confirmation", { password: PASSWORD, confirmation: "delete" }, 422, "confirmation_mismatch"],
    [
      "a wrong password",
      { password: "not-the-password", confirmation: "削除します" },
      403,
      "current_password_incorrect",
    ],
    ["no confirmation", { password: PASSWORD }, 400, "validation_failed"],
  ])("refuses %s and changes nothing", async (_, body, status, code) => {
    const { user } = await payingFan();
    const response = await postDelete(await bearer(user), body);
    expect(response.status).toBe(status);
    expect(await errorCode(response)).toBe(code);
    const [row] = await t.db.query<{ email: string; deleted_at: Date | null }>(
      "select email, deleted_at from public.users where id = $1",
      [user.id],
    );
    expect(row).toEqual({ email: user.email, deleted_at: null });
  });

  it("anonymises the account, ends every session, keeps the purchase rows without personal data, and audits", async () => {
    const { user, pull } = await payingFan();
    const [before] = await t.db.query<{ display_name: string; birthdate: string }>(
      "select display_name, birthdate::text as birthdate from public.users where id = $1",
      [user.id],
    );
    const session = await bearer(user);
    const otherSession = await bearer(user);

    const response = await postDelete(session, { password: PASSWORD, confirmation: "DELETE" });
    expect(response.status).toBe(204);
    expect(response.headers.getSetCookie().join("\n")).toMatch(/Max-Age=0/);

    const [row] = await t.db.query<Record<string, unknown>>(
      `select email, display_name, birthdate::text as birthdate, status, voluntary_monthly_limit_jpy,
              deleted_at is not null as deleted
         from public.users where id = $1`,
      [user.id],
    );
    expect(row).toEqual({
      email: deletedEmail(user.id),
      display_name: DELETED_DISPLAY_NAME,
      birthdate: "1995-01-01",
      status: "suspended",
      voluntary_monthly_limit_jpy: null,
      deleted: true,
    });

    // Sign-in, refresh and the old access tokens all fail.
    const deps = await testDeps(t.db, t.keys);
    for (const email of [user.email, deletedEmail(user.id)]) {
      const err = await login(deps, { email, password: PASSWORD }, { ip: "203.0.113.9", userAgent: null }).catch(
        (e) => e,
      );
      expect(err).toBeInstanceOf(DomainError);
      expect((err as DomainError).code).toBe("invalid_credentials");
    }
    const refreshed = await rotateRefreshToken(t.db, otherSession.refreshToken, new Date(), deps.auth);
    expect(refreshed.ok).toBe(false);
    const stale = await getExport(otherSession);
    expect(stale.status).toBeGreaterThanOrEqual(401);
    expect(stale.status).toBeLessThan(404);
    const [sessions] = await t.db.query<{ live: number; agents: number }>(
      `select count(*) filter (where revoked_at is null)::int as live, count(user_agent)::int as agents
         from public.refresh_token_families where user_id = $1`,
      [user.id],
    );
    expect(sessions).toEqual({ live: 0, agents: 0 });

    // What the law keeps is still there, and nothing joined to it names the fan.
    const kept = await t.db.query<{ purchase: string; pull: string; owner: string }>(
      `select row_to_json(pu)::text as purchase, row_to_json(pl)::text as pull, row_to_json(u)::text as owner
         from public.purchases pu join public.pulls pl on pl.purchase_id = pu.id join public.users u on u.id = pu.user_id
        where pu.user_id = $1`,
      [user.id],
    );
    expect(kept).toHaveLength(1);
    expect(kept[0]!.pull).toContain(pull.id);
    const everything = JSON.stringify(kept) + JSON.stringify(await auditOf(user.id, "account.delete"));
    for (const personal of [user.email, before!.display_name, before!.birthdate]) {
      expect(everything).not.toContain(personal);
    }

    expect(await auditOf(user.id, "account.delete")).toEqual([
      { actor_id: user.id, details: { role: "user", revokedSessions: 2 }, request_id: "req-delete" },
    ]);
  });

  it("deletes once when two requests race", async () => {
    const { user } = await payingFan();
    const headers = await bearer(user);
    const statuses = (
      await Promise.all([0, 1].map(() => postDelete(headers, { password: PASSWORD, confirmation: "削除します" })))
    ).map((r) => r.status);
    expect(statuses.filter((s) => s === 204)).toHaveLength(1);
    expect(statuses.every((s) => s === 204 || (s >= 401 && s <= 404))).toBe(true);
    expect(await auditOf(user.id, "account.delete")).toHaveLength(1);
  });

  it("refuses a VTuber with a campaign on sale, and an admin", async () => {
    const vtuberUser = t.vtuber.user;
    const hash = await hashPassword(PASSWORD, TEST_BCRYPT_COST);
    await asService(t.db, "test", (tx) =>
      tx.query("update public.users set password_hash = $2 where id = $1", [vtuberUser.id, hash]),
    );
    const refused = await postDelete(await bearer(vtuberUser), { password: PASSWORD, confirmation: "DELETE" });
    expect(refused.status).toBe(409);
    expect(await refused.json()).toMatchObject({
      error: { code: "vtuber_has_open_campaigns", details: [{ openCampaigns: 1 }] },
    });

    const { user: admin } = await payingFan({ role: "admin" });
    const forbidden = await postDelete(await bearer(admin), { password: PASSWORD, confirmation: "DELETE" });
    expect(forbidden.status).toBe(403);
    expect(await errorCode(forbidden)).toBe("forbidden");
    for (const id of [vtuberUser.id, admin.id]) {
      const [row] = await t.db.query<{ deleted_at: Date | null }>("select deleted_at from public.users where id = $1", [
        id,
      ]);
      expect(row!.deleted_at).toBeNull();
    }
  });

  it("has Stripe forget the fan's customer and saved cards", async () => {
    const stripe = stripeProviderAt(stub, t.db);
    const { user } = await payingFan();
    await saveCard(stub, stripe, user.id);
    expect(await stripe.savedCards(user.id)).toHaveLength(1);

    await deleteAccount(
      { db: t.db, provider: stripe, bcryptCost: TEST_BCRYPT_COST, now: new Date() },
      { userId: user.id, password: PASSWORD, confirmation: "DELETE" },
    );
    expect(await stripe.savedCards(user.id)).toEqual([]);
    expect(stub.customers.size).toBe(0);
  });
});
