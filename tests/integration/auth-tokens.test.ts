/**
 * The route handlers' own token check (`route()` → `authenticateRequest`), with real keys
 * and a real database, as if the Edge gate had let everything through.
 */
import fs from "node:fs/promises";
import path from "node:path";
import type { JWK, JWTVerifyGetKey } from "jose";
import { describe, expect, it } from "vitest";
import { route } from "@/lib/api/handler";
import { authenticateToken } from "@/lib/auth/authenticate";
import { authCookieNames } from "@/lib/auth/cookies";
import { KEYRING_FILE } from "@/lib/auth/keys";
import { getConfig } from "@/lib/config";
import type { AppRole } from "@/lib/auth/caller";
import { DomainError } from "@/lib/domain-error";
import {
  algorithmConfusionTokens,
  attackTokens,
  call,
  errorCode,
  forgeToken,
  signIn,
  testDeps,
  forgeContextFor,
} from "../helpers/auth";
import { createUser } from "../helpers/fixtures";
import { suspendUser } from "@/lib/admin/suspend-user";
import { setUpRouteTests } from "../helpers/route-test-context";

// Test-only handlers, one per access level, answering with who they saw.
const whoAmI = async ({ user }: { user: { id: string; role: AppRole } | null }) => ({
  id: user?.id ?? null,
  role: user?.role ?? null,
});
const signedIn = route({ access: "signed-in" }, whoAmI);
const vtuberOnly = route({ access: "vtuber" }, whoAmI);
const adminOnly = route({ access: "admin" }, whoAmI);
const anyone = route({ access: "public" }, whoAmI);

const app = setUpRouteTests();

function get(token: string | null, via: "header" | "cookie" = "header"): Request {
  const headers: Record<string, string> = {};
  if (token !== null && via === "header") headers.authorization = `Bearer ${token}`;
  if (token !== null && via === "cookie")
    headers.cookie = `${authCookieNames(getConfig().auth.cookieSecure).access}=${token}`;
  return new Request("http://localhost/api/test", { headers });
}

async function sessionFor(role: AppRole) {
  const deps = await testDeps(app.db, app.keys);
  const user = await createUser(app.db, { role });
  const tokens = await signIn(deps, user);
  return { user, tokens, token: tokens.accessToken.token };
}

describe("attack table through the route handler", () => {
  it("answers 401 with the right code for every row, by header and by cookie", async () => {
    const { user, tokens } = await sessionFor("user");
    const ctx = await forgeContextFor(app.keys, user, tokens);
    const rows = await attackTokens(ctx);
    for (const via of ["header", "cookie"] as const) {
      const seen: Record<string, string> = {};
      for (const row of rows) {
        const response = await call(signedIn, get(row.token, via));
        seen[row.name] = `${response.status} ${await errorCode(response)}`;
      }
      expect(seen).toEqual(Object.fromEntries(rows.map((row) => [row.name, `401 ${row.code}`])));
    }
    // The control: the same context, unforged, gets in.
    const response = await call(signedIn, get(await forgeToken(ctx)));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ id: user.id, role: "user" });
  });

  it("refuses other algorithms made from the server's own keys, even from a key set that would hand out a key for them", async () => {
    const { user, tokens } = await sessionFor("user");
    const { auth } = getConfig();
    const ctx = await forgeContextFor(app.keys, user, tokens);
    const stored = JSON.parse(await fs.readFile(path.join(app.keys.dir, KEYRING_FILE), "utf8")) as { signing: JWK };
    const rows = await algorithmConfusionTokens(ctx, stored.signing);
    const withKeys = async (token: string, keys: JWTVerifyGetKey) => {
      try {
        return (await authenticateToken(app.db, token, { keys, auth, now: ctx.now })).id;
      } catch (err) {
        if (err instanceof DomainError) return err.code;
        throw err;
      }
    };
    const seen: Record<string, string> = {};
    for (const row of rows) {
      const response = await call(signedIn, get(row.token));
      seen[`${row.name}, the server's keys`] = `${response.status} ${await errorCode(response)}`;
      seen[`${row.name}, lenient key set`] = await withKeys(row.token, row.lenientKeys);
    }
    expect(seen).toEqual(
      Object.fromEntries(
        rows.flatMap((row) => [
          [`${row.name}, the server's keys`, "401 token_invalid"],
          [`${row.name}, lenient key set`, "token_invalid"],
        ]),
      ),
    );
    // The control: the lenient key set lets a genuine RS256 token in.
    expect(await withKeys(await forgeToken(ctx), rows[0]!.lenientKeys)).toBe(user.id);
  });

  it("refuses a well-signed token for a user that does not exist", async () => {
    const { tokens } = await sessionFor("user");
    const ctx = {
      signing: (await app.keys.store.keyring()).signing,
      issuer: getConfig().auth.issuer,
      audience: getConfig().auth.audience,
      now: new Date(),
      sub: "00000000-0000-4000-8000-000000000000",
      sid: tokens.refreshToken.familyId,
      refreshToken: tokens.refreshToken.token,
    };
    const response = await call(signedIn, get(await forgeToken(ctx)));
    expect([response.status, await errorCode(response)]).toEqual([401, "token_invalid"]);
  });

  it("refuses an Authorization header that is not a Bearer token", async () => {
    const request = new Request("http://localhost/api/test", { headers: { authorization: "Basic dXNlcjpwYXNz" } });
    const response = await call(signedIn, request);
    expect([response.status, await errorCode(response)]).toEqual([401, "token_invalid"]);
  });

  it("treats a broken token on a public route as anonymous", async () => {
    const expired = await call(anyone, get("not-a-token"));
    expect(expired.status).toBe(200);
    expect(await expired.json()).toEqual({ id: null, role: null });
    const { user, token } = await sessionFor("vtuber");
    expect(await (await call(anyone, get(token))).json()).toEqual({ id: user.id, role: "vtuber" });
  });
});

describe("roles, checked by the handler itself", () => {
  it("gives a fan 403 on VTuber and admin routes, with the middleware bypassed", async () => {
    const { token } = await sessionFor("user");
    for (const handler of [vtuberOnly, adminOnly]) {
      const response = await call(handler, get(token));
      expect([response.status, await errorCode(response)]).toEqual([403, "forbidden"]);
    }
  });

  it("lets a VTuber into VTuber routes but not admin routes; an admin into both", async () => {
    const vtuber = await sessionFor("vtuber");
    const admin = await sessionFor("admin");
    expect((await call(vtuberOnly, get(vtuber.token))).status).toBe(200);
    expect((await call(adminOnly, get(vtuber.token))).status).toBe(403);
    expect((await call(vtuberOnly, get(admin.token))).status).toBe(200);
    expect((await call(adminOnly, get(admin.token))).status).toBe(200);
  });

  it("trusts the database's role, not the token's", async () => {
    // A token minted while the account was an admin, after a demotion to fan.
    const admin = await sessionFor("admin");
    await app.db.query("update public.users set role = 'user' where id = $1", [admin.user.id]);
    const response = await call(adminOnly, get(admin.token));
    expect([response.status, await errorCode(response)]).toEqual([403, "forbidden"]);
  });

  it("refuses a suspended account's still-unexpired token with account_suspended", async () => {
    const fan = await sessionFor("user");
    const admin = await createUser(app.db, { role: "admin" });
    expect((await call(signedIn, get(fan.token))).status).toBe(200);
    await suspendUser(app.db, { actorId: admin.id, userId: fan.user.id, reason: "test", now: new Date() });
    const response = await call(signedIn, get(fan.token));
    expect([response.status, await errorCode(response)]).toEqual([403, "account_suspended"]);
  });
});
