/**
 * Refresh-token rotation, reuse detection, the two-tabs grace window, sign-out and
 * suspension. Domain calls run at chosen instants; the routes run at the real clock.
 */
import { describe, expect, it } from "vitest";
import { POST as logoutRoute } from "@/app/api/auth/logout/route";
import { POST as refreshRoute } from "@/app/api/auth/refresh/route";
import { exportAccountData } from "@/lib/account/export-data";
import { suspendUser } from "@/lib/admin/suspend-user";
import { authenticateToken } from "@/lib/auth/authenticate";
import { authCookieNames } from "@/lib/auth/cookies";
import { getLocalKeyResolver } from "@/lib/auth/keys";
import { login } from "@/lib/auth/login";
import { refreshSession } from "@/lib/auth/refresh";
import { findFamily, rotateRefreshToken } from "@/lib/auth/refresh-tokens";
import { signup } from "@/lib/auth/signup";
import { startSession, type AuthDeps } from "@/lib/auth/session";
import { asService } from "@/lib/db/session";
import { getConfig } from "@/lib/config";
import type { DomainError } from "@/lib/domain-error";
import { withRequestTiming } from "@/lib/timing/request-timing";
import { call, cookieValue, errorCode, jsonRequest, setCookies, signIn, testDeps } from "../helpers/auth";
import { createUser } from "../helpers/fixtures";
import { setUpRouteTests } from "../helpers/route-test-context";
import { transactionNamesWriting } from "../helpers/transaction-names";

const app = setUpRouteTests();

const T0 = new Date("2026-12-01T03:00:00Z");
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);
const policy = (grace = 10) => ({ refreshTokenTtlDays: 30, refreshReuseGraceSeconds: grace });
const cookies = () => authCookieNames(getConfig().auth.cookieSecure);

async function newSession(now = T0) {
  const deps = await testDeps(app.db, app.keys, { now });
  const user = await createUser(app.db);
  return { user, deps, ...(await signIn(deps, user)) };
}

async function familyState(familyId: string) {
  const [row] = await app.db.query<{ revoked_reason: string | null }>(
    "select revoked_reason from public.refresh_token_families where id = $1",
    [familyId],
  );
  return row!.revoked_reason;
}

/** What the route handlers' check says about an access token at `now`. */
async function accessOutcome(deps: AuthDeps, token: string, now: Date): Promise<string> {
  try {
    await authenticateToken(app.db, token, { keys: await getLocalKeyResolver(now), auth: deps.auth, now });
    return "ok";
  } catch (err) {
    return (err as { code: string }).code;
  }
}

/** A refresh attempt's outcome: "ok" or the failure reason. */
async function rotateOutcome(token: string, now: Date, grace = 10): Promise<string> {
  const result = await rotateRefreshToken(app.db, token, now, policy(grace));
  return result.ok ? "ok" : result.reason;
}

describe("rotation", () => {
  it("trades a token for a new one of the same family and retires the old one", async () => {
    const s = await newSession();
    const rotated = await rotateRefreshToken(app.db, s.refreshToken.token, at(60), policy());
    expect(rotated).toMatchObject({ ok: true, familyId: s.refreshToken.familyId, userId: s.user.id, graced: false });
    if (!rotated.ok) throw new Error("unreachable");
    expect(rotated.token).not.toBe(s.refreshToken.token);
    expect(rotated.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(rotated.expiresAt).toEqual(new Date(at(60).getTime() + 30 * 86_400_000));
    expect(await rotateOutcome(rotated.token, at(120))).toBe("ok");
  });

  it("stores only a hash of the token", async () => {
    const s = await newSession();
    const rows = await app.db.query<{ token_hash: string }>(
      "select token_hash from public.refresh_tokens where family_id = $1",
      [s.refreshToken.familyId],
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]!.token_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(rows[0]!.token_hash).not.toContain(s.refreshToken.token);
  });

  it("revokes the whole family when a retired token comes back after the grace window", async () => {
    const s = await newSession();
    const first = await rotateRefreshToken(app.db, s.refreshToken.token, at(60), policy());
    const second = await rotateRefreshToken(app.db, first.ok ? first.token : "", at(120), policy());
    if (!first.ok || !second.ok) throw new Error("rotation failed");

    // The original token again, long after it was rotated: someone copied it.
    expect(await rotateOutcome(s.refreshToken.token, at(600))).toBe("reused");
    expect(await familyState(s.refreshToken.familyId)).toBe("reuse_detected");
    // Every token of the family is dead, the newest included, and so is the session's access token.
    expect(await rotateOutcome(first.token, at(601))).toBe("revoked");
    expect(await rotateOutcome(second.token, at(601))).toBe("revoked");
    expect(await accessOutcome(s.deps, s.accessToken.token, at(602))).toBe("token_invalid");
  });

  it("answers a second use inside the grace window with a new sibling token (two tabs)", async () => {
    const s = await newSession();
    const tabA = await rotateRefreshToken(app.db, s.refreshToken.token, at(60), policy());
    const tabB = await rotateRefreshToken(app.db, s.refreshToken.token, at(65), policy());
    if (!tabA.ok || !tabB.ok) throw new Error("a tab was signed out");
    expect(tabB.graced).toBe(true);
    expect(tabB.familyId).toBe(s.refreshToken.familyId);
    expect(tabB.token).not.toBe(tabA.token);
    expect(await familyState(s.refreshToken.familyId)).toBeNull();

    // The browser keeps one cookie (tab B's); rotating it retires tab A's orphan, which
    // from then on is reuse like any retired token.
    expect(await rotateOutcome(tabB.token, at(120))).toBe("ok");
    expect(await rotateOutcome(tabA.token, at(200))).toBe("reused");
    expect(await familyState(s.refreshToken.familyId)).toBe("reuse_detected");
  });

  it("counts the grace window from the rotation, to the second", async () => {
    const s = await newSession();
    await rotateRefreshToken(app.db, s.refreshToken.token, at(60), policy());
    expect(await rotateOutcome(s.refreshToken.token, at(69))).toBe("ok");
    expect(await rotateOutcome(s.refreshToken.token, at(70))).toBe("reused");
  });

  it("lets two parallel rotations both through inside the grace window, as two tokens", async () => {
    const s = await newSession();
    const results = await Promise.all(
      [1, 2].map(() => rotateRefreshToken(app.db, s.refreshToken.token, at(60), policy())),
    );
    expect(results.map((r) => r.ok)).toEqual([true, true]);
    const tokens = results.map((r) => (r.ok ? r.token : ""));
    expect(new Set(tokens).size).toBe(2);
    expect(results.filter((r) => r.ok && r.graced)).toHaveLength(1);
  });

  it("lets exactly one of two parallel rotations through without a grace window, and kills the family", async () => {
    const s = await newSession();
    const results = await Promise.all(
      [1, 2].map(() => rotateRefreshToken(app.db, s.refreshToken.token, at(60), policy(0))),
    );
    expect(results.map((r) => (r.ok ? "ok" : r.reason)).sort()).toEqual(["ok", "reused"]);
    const winner = results.find((r) => r.ok);
    expect(await rotateOutcome(winner!.ok ? winner!.token : "", at(61), 0)).toBe("revoked");
  });

  it("refuses an expired token, an unknown one and a malformed one", async () => {
    const s = await newSession();
    expect(await rotateOutcome(s.refreshToken.token, at(30 * 86_400))).toBe("expired");
    expect(await rotateOutcome("A".repeat(43), at(1))).toBe("unknown");
    expect(await rotateOutcome("short", at(1))).toBe("unknown");
  });

  it("accepts tokens using every character of the base64url alphabet, '-' and '_' included", async () => {
    // Tokens are random: sign in until both characters have come up (each does in about
    // half of all tokens), then use those tokens.
    const seen = new Map<string, string>();
    for (let i = 0; i < 40 && seen.size < 2; i++) {
      const token = (await newSession()).refreshToken.token;
      for (const char of ["-", "_"]) if (token.includes(char) && !seen.has(char)) seen.set(char, token);
    }
    expect([...seen.keys()].sort()).toEqual(["-", "_"]);
    for (const token of seen.values()) expect(await rotateOutcome(token, at(60))).toBe("ok");
  });

  it("refuses a token that is not 43 base64url characters without a database round trip", async () => {
    const valid = "D".repeat(43);
    const work = async (fn: () => Promise<unknown>) => (await withRequestTiming(fn)).timing;
    // A well-formed unknown token needs the database to say so; anything else does not.
    expect(await work(() => rotateOutcome(valid, at(1)))).toMatchObject({ transactions: 1 });
    for (const junk of [`x${valid}`, `${valid}x`, `${valid.slice(1)}.`, "short"]) {
      expect(await work(() => rotateOutcome(junk, at(1)))).toMatchObject({ transactions: 0, statements: 0 });
      expect(await rotateOutcome(junk, at(1))).toBe("unknown");
    }
    const lookup = (token: string) => work(() => asService(app.db, "test", (tx) => findFamily(tx, token)));
    const [wellFormed, malformed] = [await lookup(valid), await lookup(`x${valid}`)];
    // The malformed token's lookup sends what a transaction that looks nothing up sends.
    const nothing = await work(() => asService(app.db, "test", async () => null));
    expect(malformed).toMatchObject({ statements: nothing.statements, roundTrips: nothing.roundTrips });
    // One SELECT; on PostgreSQL the BEGIN and COMMIT that only a transaction with a statement sends.
    expect(wellFormed.statements - malformed.statements).toBe(app.db.engine === "postgres" ? 3 : 1);
  });

  it("names its transaction for the database's activity view (pg_stat_activity)", async () => {
    const s = await newSession();
    const names = await transactionNamesWriting(app.db, "refresh_token_families", "update", async () => {
      expect(await rotateOutcome(s.refreshToken.token, at(60))).toBe("ok");
    });
    expect(names).toEqual(["koepon:refresh-token-rotation"]);
  });

  it("says why a refresh was refused, in the error's details", async () => {
    const refusal = async (token: string | null, now: Date) => {
      try {
        await refreshSession(await testDeps(app.db, app.keys, { now }), token);
      } catch (err) {
        return { code: (err as DomainError).code, details: (err as DomainError).details };
      }
      throw new Error("the refresh was not refused");
    };
    const invalid = (reason: string) => ({ code: "refresh_token_invalid", details: [{ reason }] });
    const s = await newSession();
    expect(await refusal(null, at(1))).toEqual(invalid("missing"));
    expect(await refusal("", at(1))).toEqual(invalid("missing"));
    expect(await refusal("C".repeat(43), at(1))).toEqual(invalid("unknown"));
    expect(await refusal(s.refreshToken.token, at(30 * 86_400))).toEqual(invalid("expired"));
    await refreshSession(await testDeps(app.db, app.keys, { now: at(60) }), s.refreshToken.token);
    expect(await refusal(s.refreshToken.token, at(600))).toEqual(invalid("reused"));
    expect(await refusal(s.refreshToken.token, at(601))).toEqual(invalid("revoked"));
  });

  it("mints the access token with the role the database holds now", async () => {
    const s = await newSession();
    await app.db.query("update public.users set role = 'vtuber' where id = $1", [s.user.id]);
    const tokens = await refreshSession(await testDeps(app.db, app.keys, { now: at(60) }), s.refreshToken.token);
    const claims = JSON.parse(Buffer.from(tokens.accessToken.token.split(".")[1]!, "base64url").toString());
    expect(claims).toMatchObject({ sub: s.user.id, role: "vtuber", sid: s.refreshToken.familyId });
  });
});

describe("the sessions a fan sees in their data export", () => {
  async function sessionsOf(userId: string, now: Date) {
    const data = await exportAccountData(app.db, { sub: userId, appRole: "user" }, { now });
    return data.sessions;
  }

  it("shows each sign-in's browser, cut to 512 characters, and when it was last refreshed", async () => {
    const user = await createUser(app.db);
    const userAgent = `Mozilla/5.0 (${"x".repeat(600)})`;
    const start = async (now: Date, agent: string | null) =>
      asService(app.db, "test-sign-in", async (tx) =>
        startSession(tx, await testDeps(app.db, app.keys, { now }), user, agent),
      );
    const laptop = await start(T0, userAgent);
    const unnamed = await start(at(1), null);
    expect(await rotateOutcome(laptop.refreshToken.token, at(60))).toBe("ok");
    // A refused rotation is not a use.
    expect(await rotateOutcome(laptop.refreshToken.token, at(600))).toBe("reused");

    expect(await sessionsOf(user.id, at(700))).toEqual([
      {
        id: laptop.refreshToken.familyId,
        created_at: T0,
        last_used_at: at(60),
        revoked_at: at(600),
        user_agent: userAgent.slice(0, 512),
      },
      { id: unnamed.refreshToken.familyId, created_at: at(1), last_used_at: at(1), revoked_at: null, user_agent: null },
    ]);
  });
});

describe("POST /api/auth/refresh", () => {
  it("rotates the cookie and answers a new access token", async () => {
    const s = await newSession(new Date());
    const response = await call(
      refreshRoute,
      new Request("http://localhost/api/auth/refresh", {
        method: "POST",
        headers: { cookie: `${cookies().refresh}=${s.refreshToken.token}` },
      }),
    );
    expect(response.status).toBe(200);
    const body = (await response.json()) as { accessToken: string; expiresIn: number };
    expect(body.expiresIn).toBe(900);
    expect(Object.keys(body).sort()).toEqual(["accessToken", "expiresIn"]);
    const set = setCookies(response);
    expect(cookieValue(set.get(cookies().access))).toBe(body.accessToken);
    expect(set.get(cookies().access)).toMatch(/; Path=\/; Max-Age=900; HttpOnly; SameSite=Lax/);
    expect(set.get(cookies().refresh)).toMatch(/; Path=\/api\/auth; Max-Age=2592000; HttpOnly; SameSite=Strict/);
    const newRefresh = cookieValue(set.get(cookies().refresh));
    expect(newRefresh).not.toBe(s.refreshToken.token);
    expect(await accessOutcome(s.deps, body.accessToken, new Date())).toBe("ok");
  });

  it("takes the token from a JSON body for API clients", async () => {
    const s = await newSession(new Date());
    const response = await call(refreshRoute, jsonRequest("/api/auth/refresh", { refreshToken: s.refreshToken.token }));
    expect(response.status).toBe(200);
  });

  it.each([
    [
      "no token at all",
      new Request("http://localhost/api/auth/refresh", { method: "POST" }),
      401,
      "refresh_token_invalid",
    ],
    [
      "an unknown token",
      jsonRequest("/api/auth/refresh", { refreshToken: "B".repeat(43) }),
      401,
      "refresh_token_invalid",
    ],
    ["an unknown field", jsonRequest("/api/auth/refresh", { refreshToken: "x", extra: 1 }), 400, "validation_failed"],
    ["a number for the token", jsonRequest("/api/auth/refresh", { refreshToken: 42 }), 400, "validation_failed"],
    ["malformed JSON", jsonRequest("/api/auth/refresh", "{"), 400, "invalid_json"],
  ])("answers %s with %i %s", async (_name, request, status, code) => {
    const response = await call(refreshRoute, request);
    expect([response.status, await errorCode(response)]).toEqual([status, code]);
  });
});

describe("signing out", () => {
  it("kills the session: its refresh token and its access token stop working", async () => {
    const s = await newSession(new Date());
    const response = await call(
      logoutRoute,
      new Request("http://localhost/api/auth/logout", {
        method: "POST",
        headers: {
          authorization: `Bearer ${s.accessToken.token}`,
          cookie: `${cookies().refresh}=${s.refreshToken.token}`,
        },
      }),
    );
    expect(response.status).toBe(204);
    const cleared = setCookies(response);
    expect(cleared.get(cookies().access)).toMatch(/^[^=]+=; Path=\/; Max-Age=0/);
    expect(cleared.get(cookies().refresh)).toMatch(/^[^=]+=; Path=\/api\/auth; Max-Age=0/);
    expect(await familyState(s.refreshToken.familyId)).toBe("logout");
    expect(await rotateOutcome(s.refreshToken.token, new Date())).toBe("revoked");
    expect(await accessOutcome(s.deps, s.accessToken.token, new Date())).toBe("token_invalid");
  });

  it("ends the access token's own session when no refresh token is presented", async () => {
    const s = await newSession(new Date());
    const other = await signIn(s.deps, s.user);
    const response = await call(
      logoutRoute,
      new Request("http://localhost/api/auth/logout", {
        method: "POST",
        headers: { authorization: `Bearer ${s.accessToken.token}` },
      }),
    );
    expect(response.status).toBe(204);
    expect(await familyState(s.refreshToken.familyId)).toBe("logout");
    expect(await familyState(other.refreshToken.familyId)).toBeNull();
  });

  it("ends the session of the refresh token presented, not the access token's, when both are the caller's", async () => {
    const laptop = await newSession(new Date());
    const phone = await signIn(laptop.deps, laptop.user);
    const response = await call(
      logoutRoute,
      jsonRequest(
        "/api/auth/logout",
        { refreshToken: phone.refreshToken.token },
        { authorization: `Bearer ${laptop.accessToken.token}` },
      ),
    );
    expect(response.status).toBe(204);
    expect(await familyState(phone.refreshToken.familyId)).toBe("logout");
    expect(await familyState(laptop.refreshToken.familyId)).toBeNull();
  });

  it("does not end someone else's session when handed their refresh token", async () => {
    const mine = await newSession(new Date());
    const theirs = await newSession(new Date());
    const response = await call(
      logoutRoute,
      jsonRequest(
        "/api/auth/logout",
        { refreshToken: theirs.refreshToken.token },
        { authorization: `Bearer ${mine.accessToken.token}` },
      ),
    );
    expect(response.status).toBe(204);
    expect(await familyState(theirs.refreshToken.familyId)).toBeNull();
    expect(await familyState(mine.refreshToken.familyId)).toBe("logout");
  });

  it("signs out everywhere with {everywhere: true}", async () => {
    const s = await newSession(new Date());
    const phone = await signIn(s.deps, s.user);
    const response = await call(
      logoutRoute,
      jsonRequest("/api/auth/logout", { everywhere: true }, { authorization: `Bearer ${s.accessToken.token}` }),
    );
    expect(response.status).toBe(204);
    expect(await familyState(s.refreshToken.familyId)).toBe("logout_all");
    expect(await familyState(phone.refreshToken.familyId)).toBe("logout_all");
    expect(await rotateOutcome(phone.refreshToken.token, new Date())).toBe("revoked");
    expect(await accessOutcome(s.deps, phone.accessToken.token, new Date())).toBe("token_invalid");
  });

  it("needs a signed-in caller", async () => {
    const response = await call(logoutRoute, new Request("http://localhost/api/auth/logout", { method: "POST" }));
    expect([response.status, await errorCode(response)]).toEqual([401, "unauthenticated"]);
  });
});

describe("suspension", () => {
  it("kills every session, blocks refresh, sign-in and requests, and leaves an audit row", async () => {
    const deps = await testDeps(app.db, app.keys, { now: T0 });
    const password = "correct horse battery staple";
    const { answer, createdUserId } = await signup(deps, {
      email: `suspend-${Date.now()}@test.koepon.invalid`,
      password,
      displayName: "停止予定",
      birthdate: "1990-01-01",
      acceptTerms: true,
    });
    const user = { id: createdUserId!, email: answer.email };
    const laptop = await login(deps, { email: user.email, password }, { ip: "192.0.2.10", userAgent: "laptop" });
    const phone = await login(deps, { email: user.email, password }, { ip: "192.0.2.11", userAgent: "phone" });
    const admin = await createUser(app.db, { role: "admin" });

    const result = await suspendUser(app.db, {
      actorId: admin.id,
      userId: user.id,
      reason: "chargeback fraud",
      requestId: "req-1",
      now: at(60),
    });
    expect(result).toEqual({ suspended: true, revokedSessions: 2 });

    for (const session of [laptop, phone]) {
      expect(await familyState(session.refreshToken.familyId)).toBe("suspended");
      await expect(refreshSession({ ...deps, now: at(61) }, session.refreshToken.token)).rejects.toMatchObject({
        code: "account_suspended",
      });
      expect(await accessOutcome(deps, session.accessToken.token, at(61))).toBe("account_suspended");
    }
    await expect(
      login({ ...deps, now: at(62) }, { email: user.email, password }, { ip: "192.0.2.10", userAgent: null }),
    ).rejects.toMatchObject({
      code: "account_suspended",
    });
    const audit = await app.db.query<{
      actor_id: string;
      action: string;
      target_id: string;
      details: unknown;
      request_id: string;
    }>(
      "select actor_id, action, target_id, details, request_id from public.audit_log where target_id = $1 and action like 'user.%'",
      [user.id],
    );
    expect(audit).toEqual([
      {
        actor_id: admin.id,
        action: "user.suspend",
        target_id: user.id,
        details: { reason: "chargeback fraud", revokedSessions: 2 },
        request_id: "req-1",
      },
    ]);
    // Suspending again changes nothing and writes no second row.
    expect(await suspendUser(app.db, { actorId: admin.id, userId: user.id, reason: "again", now: at(70) })).toEqual({
      suspended: false,
      revokedSessions: 0,
    });
  });

  it("answers not_found for an unknown user", async () => {
    const admin = await createUser(app.db, { role: "admin" });
    await expect(
      suspendUser(app.db, { actorId: admin.id, userId: "00000000-0000-4000-8000-000000000000", reason: "x", now: T0 }),
    ).rejects.toMatchObject({ code: "not_found" });
  });
});
