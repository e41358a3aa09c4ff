/**
 * Signup, login and /api/me through their route handlers, as Next would call them, on
 * the test database. Domain rules that need a fixed clock are called directly.
 */
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { POST as loginRoute } from "@/app/api/auth/login/route";
import { POST as signupRoute } from "@/app/api/auth/signup/route";
import { GET as meRoute } from "@/app/api/me/route";
import { signup, type SignupInput } from "@/lib/auth/signup";
import { TERMS_VERSION } from "@/lib/auth/terms";
import { call, errorCode, jsonRequest, setCookies, signIn, testDeps } from "../helpers/auth";
import { addMonthlySpend, createUser } from "../helpers/fixtures";
import { setUpRouteTests } from "../helpers/route-test-context";

const app = setUpRouteTests();

const PASSWORD = "correct horse battery staple";
const uniqueEmail = (prefix = "fan") => `${prefix}-${randomBytes(4).toString("hex")}@test.koepon.invalid`;

function signupBody(overrides: Partial<Record<keyof SignupInput, unknown>> = {}) {
  return {
    email: uniqueEmail(),
    password: PASSWORD,
    displayName: "テストファン",
    birthdate: "1995-05-05",
    acceptTerms: true,
    ...overrides,
  };
}

async function postSignup(body: unknown, headers: Record<string, string> = {}) {
  return call(signupRoute, jsonRequest("/api/auth/signup", body, headers));
}

async function postLogin(body: unknown, headers: Record<string, string> = {}) {
  return call(loginRoute, jsonRequest("/api/auth/login", body, { "x-real-ip": "192.0.2.50", ...headers }));
}

describe("POST /api/auth/signup", () => {
  it("creates the account unverified, stores the terms acceptance, mails a link and signs nobody in", async () => {
    const before = new Date();
    const email = uniqueEmail("New.Fan");
    const response = await postSignup(signupBody({ email: `  ${email.toUpperCase()} ` }), {
      "user-agent": "vitest-ua",
    });
    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({ status: "verification_sent", email: email.toLowerCase() });
    expect(response.headers.getSetCookie()).toEqual([]);

    const [row] = await app.db.query<Record<string, unknown>>(
      `select u.id, u.email, u.password_hash, u.terms_version, u.terms_accepted_at, u.guardian_consent_at, u.role,
              u.status, u.email_verified_at,
              (select count(*)::int from public.refresh_token_families f where f.user_id = u.id) as sessions
         from public.users u where u.email = $1`,
      [email.toLowerCase()],
    );
    expect(row).toMatchObject({
      email: email.toLowerCase(),
      terms_version: TERMS_VERSION,
      guardian_consent_at: null,
      role: "user",
      status: "active",
      email_verified_at: null,
      sessions: 0,
    });
    expect(row!.password_hash).toMatch(/^\$2b\$\d\d\$/);
    expect((row!.terms_accepted_at as Date).getTime()).toBeGreaterThanOrEqual(before.getTime() - 1000);

    const [mail] = await app.mail.mails(email.toLowerCase());
    expect(mail!.subject).toContain("メールアドレスの確認");
    expect(await app.mail.tokenFor(email.toLowerCase(), "/verify-email")).toMatch(/^[A-Za-z0-9_-]{43}$/);

    // Signing in works at once with the password; only paying waits for the link.
    const login = await postLogin({ email, password: PASSWORD });
    expect(login.status).toBe(200);
  });

  it.each([
    ["malformed JSON", '{"email":', {}, 400, "invalid_json"],
    ["a JSON array", "[]", {}, 400, "validation_failed"],
    ["a number for the email", signupBody({ email: 42 }), {}, 400, "validation_failed"],
    ["a string for acceptTerms", signupBody({ acceptTerms: "true" }), {}, 400, "validation_failed"],
    ["terms not accepted", signupBody({ acceptTerms: false }), {}, 400, "validation_failed"],
    ["a missing birthdate", signupBody({ birthdate: undefined }), {}, 400, "validation_failed"],
    ["an unknown field", signupBody({ role: "admin" } as never), {}, 400, "validation_failed"],
    ["an invalid email", signupBody({ email: "not-an-email" }), {}, 400, "validation_failed"],
    ["a blank display name", signupBody({ displayName: "   " }), {}, 400, "validation_failed"],
    ["a 51-character display name", signupBody({ displayName: "あ".repeat(51) }), {}, 400, "validation_failed"],
    ["an impossible birthdate", signupBody({ birthdate: "2001-02-29" }), {}, 400, "validation_failed"],
    ["a birthdate in the future", signupBody({ birthdate: "2999-01-01" }), {}, 400, "validation_failed"],
    ["a birthdate 121+ years ago", signupBody({ birthdate: "1900-01-01" }), {}, 400, "validation_failed"],
    ["a short password", signupBody({ password: "short" }), {}, 422, "password_rejected"],
    ["a common password", signupBody({ password: "iloveyou" }), {}, 422, "password_rejected"],
    ["a form body", "email=a", { "content-type": "application/x-www-form-urlencoded" }, 415, "unsupported_media_type"],
    ["a body over 16 KiB", signupBody({ displayName: "x".repeat(17 * 1024) }), {}, 413, "body_too_large"],
  ])("refuses %s with %i %s", async (_name, body, headers, status, code) => {
    const response = await postSignup(body, headers);
    expect([response.status, await errorCode(response)]).toEqual([status, code]);
  });

  it("names the field and the reason", async () => {
    const response = await postSignup(signupBody({ birthdate: "2999-01-01", password: "iloveyou" }));
    expect(await response.json()).toMatchObject({
      error: { code: "validation_failed", details: [{ field: "birthdate", reason: "date.future" }] },
    });
    const weak = await postSignup(signupBody({ password: "iloveyou" }));
    expect(await weak.json()).toMatchObject({
      error: { code: "password_rejected", details: [{ field: "password", reason: "common" }] },
    });
  });

  it("refuses an oversized body even when it lies about its length", async () => {
    const huge = JSON.stringify(signupBody({ displayName: "x".repeat(40_000) }));
    const request = new Request("http://localhost/api/auth/signup", {
      method: "POST",
      headers: { "content-type": "application/json", "content-length": "100" },
      body: huge,
    });
    const response = await call(signupRoute, request);
    expect([response.status, await errorCode(response)]).toEqual([413, "body_too_large"]);
  });

  it("answers a taken address exactly as a new one, and tells the owner by mail instead", async () => {
    const owner = await createUser(app.db, { email: uniqueEmail("owner") });
    const fresh = uniqueEmail("fresh");
    const taken = await postSignup(signupBody({ email: owner.email.toUpperCase() }));
    const created = await postSignup(signupBody({ email: fresh }));
    expect(taken.status).toBe(created.status);
    expect(taken.headers.getSetCookie()).toEqual(created.headers.getSetCookie());
    const [takenBody, createdBody] = [await taken.json(), await created.json()];
    expect(takenBody).toEqual({ status: "verification_sent", email: owner.email });
    expect(Object.keys(takenBody as object)).toEqual(Object.keys(createdBody as object));

    const [notice] = await app.mail.mails(owner.email);
    expect(notice!.subject).toContain("新規登録が試みられました");
    expect(notice!.text).toMatch(/^https?:\/\/\S+\/reset-password$/m);
    expect(notice!.text).not.toMatch(/token=/);
    const [{ count }] = (await app.db.query<{ count: number }>(
      "select count(*)::int as count from public.users where email = $1",
      [owner.email],
    )) as [{ count: number }];
    expect(count).toBe(1);
    const audit = await app.db.query("select 1 from public.audit_log where actor_id = $1 and action = $2", [
      owner.id,
      "account.signup_existing",
    ]);
    expect(audit).toHaveLength(1);
  });

  it("mails the owner of a taken address at most three notices an hour", async () => {
    const owner = await createUser(app.db, { email: uniqueEmail("spammed") });
    const answers = [];
    for (let i = 0; i < 5; i++) answers.push((await postSignup(signupBody({ email: owner.email }))).status);
    expect(answers).toEqual([202, 202, 202, 202, 202]);
    expect(await app.mail.mails(owner.email)).toHaveLength(3);
  });

  it("creates one account for several parallel signups with one address, answering each the same", async () => {
    const email = uniqueEmail("race");
    const responses = await Promise.all([1, 2, 3, 4].map(() => postSignup(signupBody({ email }))));
    expect(responses.map((r) => r.status)).toEqual([202, 202, 202, 202]);
    const [{ count }] = (await app.db.query<{ count: number }>(
      "select count(*)::int as count from public.users where email = $1",
      [email],
    )) as [{ count: number }];
    expect(count).toBe(1);
    const kinds = (await app.mail.mails(email)).map((m) => m.subject).sort();
    expect(kinds.filter((k) => k.includes("メールアドレスの確認"))).toHaveLength(1);
    expect(kinds.filter((k) => k.includes("新規登録が試みられました"))).toHaveLength(3);
  });

  it("asks minors for a guardian's consent and records it", async () => {
    const minor = signupBody({ birthdate: "2012-06-15" });
    const refused = await postSignup(minor);
    expect([refused.status, await errorCode(refused)]).toEqual([422, "underage_without_consent"]);
    const consented = await postSignup({ ...minor, guardianConsent: true });
    expect(consented.status).toBe(202);
    const [row] = await app.db.query<{ guardian_consent_at: Date | null }>(
      "select guardian_consent_at from public.users where email = $1",
      [minor.email],
    );
    expect(row!.guardian_consent_at).toBeInstanceOf(Date);
  });

  it("decides adulthood on the JST date of signup", async () => {
    const deps = await testDeps(app.db, app.keys, { now: new Date("2026-06-14T15:00:00Z") }); // 15 June 00:00 JST
    const input = { ...signupBody(), birthdate: "2008-06-15" } as SignupInput;
    await expect(signup({ ...deps, now: new Date("2026-06-14T14:59:59Z") }, input)).rejects.toMatchObject({
      code: "underage_without_consent",
    });
    await expect(signup(deps, input)).resolves.toMatchObject({ createdUserId: expect.any(String) });
  });
});

describe("POST /api/auth/login", () => {
  it("signs in with the password, whatever the email's case, and answers the user and tokens", async () => {
    const email = uniqueEmail();
    await postSignup(signupBody({ email }));
    const response = await postLogin({ email: email.toUpperCase(), password: PASSWORD });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { user: { email: string }; accessToken: string; expiresIn: number };
    expect(body.user.email).toBe(email);
    expect(body.expiresIn).toBe(900);
    expect(setCookies(response).size).toBe(2);
  });

  it("answers the same invalid_credentials for a wrong password and an unknown email", async () => {
    const email = uniqueEmail();
    await postSignup(signupBody({ email }));
    const wrong = await postLogin({ email, password: "not the password" }, { "x-real-ip": "192.0.2.51" });
    const unknown = await postLogin({ email: uniqueEmail(), password: PASSWORD }, { "x-real-ip": "192.0.2.51" });
    expect([wrong.status, await wrong.json()]).toEqual([unknown.status, await unknown.json()]);
    expect(wrong.status).toBe(401);
  });

  it.each([
    ["malformed JSON", "{", 400, "invalid_json"],
    ["a missing password", { email: "a@example.com" }, 400, "validation_failed"],
    ["a number for the password", { email: "a@example.com", password: 12345678 }, 400, "validation_failed"],
    ["an unknown field", { email: "a@example.com", password: "x", remember: true }, 400, "validation_failed"],
  ])("refuses %s with %i %s", async (_name, body, status, code) => {
    const response = await postLogin(body);
    expect([response.status, await errorCode(response)]).toEqual([status, code]);
  });
});

describe("GET /api/me", () => {
  async function getMe(user: { id: string; role: "user" | "vtuber" | "admin" }) {
    const { accessToken } = await signIn(await testDeps(app.db, app.keys), user);
    const response = await call(
      meRoute,
      new Request("http://localhost/api/me", { headers: { authorization: `Bearer ${accessToken.token}` } }),
    );
    expect(response.status).toBe(200);
    return ((await response.json()) as { user: Record<string, unknown> }).user;
  }

  async function meOf(userOptions: Parameters<typeof createUser>[1]) {
    const user = await createUser(app.db, userOptions);
    return { user, me: await getMe(user) };
  }

  it("shows an adult's account, this month's spend and no limit", async () => {
    const { user, me } = await meOf({ birthdate: "1990-01-01" });
    expect(me).toEqual({
      id: user.id,
      email: user.email,
      displayName: expect.any(String),
      role: "user",
      birthdate: "1990-01-01",
      ageBand: "adult",
      monthlySpendJpy: 0,
      monthlyLimitJpy: null,
      emailVerified: true,
      pendingEmail: null,
    });
  });

  it("counts committed and pending spend of the current JST month only", async () => {
    const user = await createUser(app.db, { birthdate: "2012-01-01" });
    await addMonthlySpend(app.db, user, { committedJpy: 1_200, pendingJpy: 300 });
    await addMonthlySpend(app.db, user, { committedJpy: 4_000, month: "2020-01-01" });
    expect(await getMe(user)).toMatchObject({ ageBand: "under16", monthlySpendJpy: 1_500, monthlyLimitJpy: 5_000 });
  });

  it("gives 16–17 year olds their cap and adults their voluntary limit", async () => {
    const sixteen = new Date();
    sixteen.setUTCFullYear(sixteen.getUTCFullYear() - 17);
    const teen = await meOf({ birthdate: sixteen.toISOString().slice(0, 10) });
    expect(teen.me).toMatchObject({ ageBand: "16to17", monthlyLimitJpy: 10_000 });
    const careful = await meOf({ birthdate: "1985-03-03", voluntaryMonthlyLimitJpy: 3_000 });
    expect(careful.me).toMatchObject({ ageBand: "adult", monthlyLimitJpy: 3_000 });
  });

  it("needs a signed-in caller", async () => {
    const response = await call(meRoute, new Request("http://localhost/api/me"));
    expect([response.status, await errorCode(response)]).toEqual([401, "unauthenticated"]);
  });
});
