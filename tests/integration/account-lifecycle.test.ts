/**
 * The account lifecycle through its route handlers and domain functions, on the test
 * database with mail read back from a real outbox: email verification (and paying
 * needing it), password change, password reset and email change. Each is checked from
 * the attacker's side too: reused, expired, retired and forged links, wrong current
 * passwords, probing for accounts, racing for one address.
 */
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { POST as loginRoute } from "@/app/api/auth/login/route";
import { POST as resetConfirmRoute } from "@/app/api/auth/password-reset/confirm/route";
import { POST as resetRoute } from "@/app/api/auth/password-reset/route";
import { POST as signupRoute } from "@/app/api/auth/signup/route";
import { GET as previewRoute, POST as verifyRoute } from "@/app/api/auth/verify-email/route";
import { POST as resendRoute } from "@/app/api/me/email/verification/route";
import { POST as emailRoute } from "@/app/api/me/email/route";
import { POST as passwordRoute } from "@/app/api/me/password/route";
import { GET as meRoute } from "@/app/api/me/route";
import { confirmEmailLink } from "@/lib/account/verify-email";
import { resetPassword, requestPasswordReset } from "@/lib/account/password";
import { authenticateToken } from "@/lib/auth/authenticate";
import { getLocalKeyResolver } from "@/lib/auth/keys";
import { hashPassword } from "@/lib/auth/password";
import { signup } from "@/lib/auth/signup";
import { reserve } from "@/lib/payments/reserve";
import { call, errorCode, jsonRequest, signIn, testDeps, TEST_BCRYPT_COST } from "../helpers/auth";
import { createApprovedCampaign, createUser, createVtuber, type UserFixture } from "../helpers/fixtures";
import { setUpRouteTests } from "../helpers/route-test-context";

const app = setUpRouteTests();

const PASSWORD = "correct horse battery staple";
const NEW_PASSWORD = "violet lanterns over kyoto";
const email = (prefix = "fan") => `${prefix}-${randomBytes(4).toString("hex")}@test.koepon.invalid`;
let ipCounter = 0;
/** A fresh address per request that signs in, so the login throttle never carries over. */
const freshIp = () => ({ "x-real-ip": `192.0.2.${++ipCounter}` });

/** A fixture user who has a real password. */
async function userWithPassword(options: Parameters<typeof createUser>[1] = {}): Promise<UserFixture> {
  const user = await createUser(app.db, { email: email(), ...options });
  await app.db.query("update public.users set password_hash = $2 where id = $1", [
    user.id,
    await hashPassword(PASSWORD, TEST_BCRYPT_COST),
  ]);
  return user;
}

async function session(user: UserFixture) {
  return signIn(await testDeps(app.db, app.keys), user);
}

function bearer(token: string, extra: Record<string, string> = {}) {
  return { authorization: `Bearer ${token}`, ...extra };
}

async function accessOutcome(token: string): Promise<string> {
  const now = new Date();
  try {
    await authenticateToken(app.db, token, {
      keys: await getLocalKeyResolver(now),
      auth: (await testDeps(app.db, app.keys)).auth,
      now,
    });
    return "ok";
  } catch (err) {
    return (err as { code: string }).code;
  }
}

async function loginStatus(address: string, password: string): Promise<number> {
  return (await call(loginRoute, jsonRequest("/api/auth/login", { email: address, password }, freshIp()))).status;
}

async function verifiedAt(userId: string): Promise<Date | null> {
  const [row] = await app.db.query<{ email_verified_at: Date | null }>(
    "select email_verified_at from public.users where id = $1",
    [userId],
  );
  return row!.email_verified_at;
}

async function auditActions(userId: string): Promise<string[]> {
  const rows = await app.db.query<{ action: string }>(
    "select action from public.audit_log where actor_id = $1 order by id",
    [userId],
  );
  return rows.map((r) => r.action);
}

const verifyLink = (token: string) => call(verifyRoute, jsonRequest("/api/auth/verify-email", { token }));

describe("email verification", () => {
  it("mails a link at signup that previews without acting, then verifies the address once", async () => {
    const address = email("verify");
    await call(
      signupRoute,
      jsonRequest("/api/auth/signup", {
        email: address,
        password: PASSWORD,
        displayName: "ファン",
        birthdate: "1995-05-05",
        acceptTerms: true,
      }),
    );
    const token = await app.mail.tokenFor(address, "/verify-email");
    const [user] = await app.db.query<{ id: string }>("select id from public.users where email = $1", [address]);

    // Only the hash is stored.
    const stored = await app.db.query<{ token_hash: string }>(
      "select token_hash from public.account_tokens where user_id = $1",
      [user!.id],
    );
    expect(stored.map((r) => r.token_hash)).toEqual([createHash("sha256").update(token).digest("hex")]);

    const preview = await call(previewRoute, new Request(`http://localhost/api/auth/verify-email?token=${token}`));
    expect([preview.status, await preview.json()]).toEqual([
      200,
      { link: { purpose: "verify_email", email: address } },
    ]);
    expect(await verifiedAt(user!.id)).toBeNull();

    const verified = await verifyLink(token);
    expect([verified.status, await verified.json()]).toEqual([
      200,
      { link: { purpose: "verify_email", email: address } },
    ]);
    expect(await verifiedAt(user!.id)).toBeInstanceOf(Date);
    expect(await auditActions(user!.id)).toEqual(["account.signup", "account.email_verified"]);

    const again = await verifyLink(token);
    expect([again.status, await again.json()]).toMatchObject([
      400,
      { error: { code: "link_invalid", details: [{ reason: "used" }] } },
    ]);
  });

  it.each([
    ["an unknown token", "A".repeat(43), "unknown"],
    ["a malformed token", "not a token", "unknown"],
    ["an empty token", "", "unknown"],
  ])("refuses %s with link_invalid", async (_name, token, reason) => {
    const preview = await call(
      previewRoute,
      new Request(`http://localhost/api/auth/verify-email?token=${encodeURIComponent(token)}`),
    );
    expect([preview.status, await preview.json()]).toMatchObject([
      400,
      { error: { code: "link_invalid", details: [{ reason }] } },
    ]);
  });

  it("refuses a link after its 48 hours, and takes a reset link for no verification link", async () => {
    const t0 = new Date("2026-12-01T00:00:00Z");
    const deps = await testDeps(app.db, app.keys, { now: t0 });
    const address = email("late");
    const { mails } = await signup(deps, {
      email: address,
      password: PASSWORD,
      displayName: "遅刻",
      birthdate: "1990-01-01",
      acceptTerms: true,
    });
    const token = new URL((mails[0]!.mail as { link: string }).link).searchParams.get("token")!;
    const late = new Date(t0.getTime() + 48 * 3_600_000);
    await expect(confirmEmailLink({ db: app.db, now: late }, token)).rejects.toMatchObject({
      code: "link_invalid",
      details: [{ reason: "expired" }],
    });
    await expect(resetPassword({ ...deps, now: t0 }, { token, newPassword: NEW_PASSWORD })).rejects.toMatchObject({
      code: "link_invalid",
      details: [{ reason: "unknown" }],
    });
    await expect(confirmEmailLink({ db: app.db, now: new Date(late.getTime() - 1000) }, token)).resolves.toMatchObject({
      purpose: "verify_email",
    });
  });

  it("mails a fresh link on request, retires the older one, and stops at three an hour", async () => {
    const user = await userWithPassword({ emailVerified: false });
    const { accessToken } = await session(user);
    const resend = () =>
      call(
        resendRoute,
        new Request("http://localhost/api/me/email/verification", {
          method: "POST",
          headers: bearer(accessToken.token),
        }),
      );

    expect((await resend()).status).toBe(202);
    const first = await app.mail.tokenFor(user.email, "/verify-email");
    expect((await resend()).status).toBe(202);
    const second = await app.mail.tokenFor(user.email, "/verify-email");
    expect(second).not.toBe(first);
    expect((await resend()).status).toBe(202);
    const refused = await resend();
    expect([refused.status, await errorCode(refused)]).toEqual([429, "mail_throttled"]);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(3000);
    expect(await app.mail.mails(user.email)).toHaveLength(3);

    expect(await errorCode(await verifyLink(first))).toBe("link_invalid");
    const latest = await app.mail.tokenFor(user.email, "/verify-email");
    expect((await verifyLink(latest)).status).toBe(200);
    const done = await resend();
    expect([done.status, await done.json()]).toEqual([200, { status: "already_verified" }]);
  });

  it("shows the state on /api/me", async () => {
    const user = await userWithPassword({ emailVerified: false });
    const { accessToken } = await session(user);
    const me = await call(meRoute, new Request("http://localhost/api/me", { headers: bearer(accessToken.token) }));
    expect(await me.json()).toMatchObject({ user: { emailVerified: false, pendingEmail: null } });
  });
});

describe("paying needs a verified address", () => {
  it("refuses the reservation with email_unverified and writes nothing, then lets the verified fan pay", async () => {
    const vtuber = await createVtuber(app.db);
    const { campaign } = await createApprovedCampaign(app.db, vtuber);
    const fan = await userWithPassword({ emailVerified: false });
    const request = {
      userId: fan.id,
      campaignId: campaign.id,
      count: 1 as const,
      paymentMethodId: "pm_card_visa",
      idempotencyKey: randomUUID(),
    };
    await expect(reserve(app.db, request, { now: new Date(), provider: "sandbox" })).rejects.toMatchObject({
      code: "email_unverified",
    });
    const purchases = await app.db.query("select 1 from public.purchases where user_id = $1", [fan.id]);
    expect(purchases).toEqual([]);

    await app.db.query("update public.users set email_verified_at = now() where id = $1", [fan.id]);
    await expect(reserve(app.db, request, { now: new Date(), provider: "sandbox" })).resolves.toMatchObject({
      created: true,
    });
  });
});

describe("password change", () => {
  const change = (token: string, body: unknown) =>
    call(passwordRoute, jsonRequest("/api/me/password", body, bearer(token, freshIp())));

  it("needs the current password and applies the password rules", async () => {
    const user = await userWithPassword();
    const { accessToken } = await session(user);
    const wrong = await change(accessToken.token, { currentPassword: "not it at all", newPassword: NEW_PASSWORD });
    expect([wrong.status, await errorCode(wrong)]).toEqual([403, "current_password_incorrect"]);
    const weak = await change(accessToken.token, { currentPassword: PASSWORD, newPassword: "iloveyou" });
    expect([weak.status, await errorCode(weak)]).toEqual([422, "password_rejected"]);
    expect(await loginStatus(user.email, PASSWORD)).toBe(200);
  });

  it("ends every other session, keeps this one, audits it and tells the owner", async () => {
    const user = await userWithPassword();
    const [current, laptop, phone] = [await session(user), await session(user), await session(user)];
    const response = await change(current.accessToken.token, { currentPassword: PASSWORD, newPassword: NEW_PASSWORD });
    expect([response.status, await response.json()]).toEqual([200, { revokedSessions: 2 }]);

    expect(await accessOutcome(current.accessToken.token)).toBe("ok");
    expect(await accessOutcome(laptop.accessToken.token)).toBe("token_invalid");
    expect(await accessOutcome(phone.accessToken.token)).toBe("token_invalid");
    expect(await loginStatus(user.email, PASSWORD)).toBe(401);
    expect(await loginStatus(user.email, NEW_PASSWORD)).toBe(200);
    expect(await auditActions(user.id)).toEqual(["account.password_changed"]);
    const [notice] = await app.mail.mails(user.email);
    expect(notice!.subject).toBe("【こえポン！】パスワードが変更されました");
  });

  it("counts wrong current passwords against the login throttle", async () => {
    const user = await userWithPassword();
    const { accessToken } = await session(user);
    const ip = { "x-real-ip": "198.51.100.77" };
    const codes = [];
    for (let i = 0; i < 6; i++) {
      const r = await call(
        passwordRoute,
        jsonRequest(
          "/api/me/password",
          { currentPassword: `guess ${i}`, newPassword: NEW_PASSWORD },
          bearer(accessToken.token, ip),
        ),
      );
      codes.push(await errorCode(r));
    }
    expect(codes).toEqual([...Array(5).fill("current_password_incorrect"), "login_throttled"]);
  });

  it("needs a signed-in caller", async () => {
    const response = await call(
      passwordRoute,
      jsonRequest("/api/me/password", { currentPassword: PASSWORD, newPassword: NEW_PASSWORD }),
    );
    expect([response.status, await errorCode(response)]).toEqual([401, "unauthenticated"]);
  });
});

describe("password reset", () => {
  const requestReset = (address: string) =>
    call(resetRoute, jsonRequest("/api/auth/password-reset", { email: address }));
  const confirm = (token: string, newPassword: string) =>
    call(resetConfirmRoute, jsonRequest("/api/auth/password-reset/confirm", { token, newPassword }));

  it("answers an address with an account exactly as one without, and mails only the first", async () => {
    const user = await userWithPassword();
    const nobody = email("nobody");
    const [known, unknown] = [await requestReset(user.email.toUpperCase()), await requestReset(nobody)];
    expect(known.status).toBe(202);
    expect([unknown.status, await unknown.json()]).toEqual([known.status, await known.json()]);
    expect(await app.mail.mails(nobody)).toEqual([]);
    const [mail] = await app.mail.mails(user.email);
    expect(mail!.subject).toBe("【こえポン！】パスワードの再設定");
    expect(mail!.text).toContain("30分間");
  });

  it("sets the new password once, ends every session, retires the link and audits it", async () => {
    const user = await userWithPassword({ emailVerified: false });
    const sessions = [await session(user), await session(user)];
    await requestReset(user.email);
    const token = await app.mail.tokenFor(user.email, "/reset-password");

    const weak = await confirm(token, "password");
    expect([weak.status, await errorCode(weak)]).toEqual([422, "password_rejected"]);
    const done = await confirm(token, NEW_PASSWORD);
    expect(done.status).toBe(204);
    // This browser's cookies are cleared too.
    expect(done.headers.getSetCookie().every((c) => /Max-Age=0/i.test(c))).toBe(true);
    for (const s of sessions) expect(await accessOutcome(s.accessToken.token)).toBe("token_invalid");
    expect(await loginStatus(user.email, PASSWORD)).toBe(401);
    expect(await loginStatus(user.email, NEW_PASSWORD)).toBe(200);
    // The link proved the mailbox.
    expect(await verifiedAt(user.id)).toBeInstanceOf(Date);
    expect(await auditActions(user.id)).toEqual(["account.password_reset_requested", "account.password_reset"]);

    const reused = await confirm(token, "another fine passphrase");
    expect([reused.status, await reused.json()]).toMatchObject([
      400,
      { error: { code: "link_invalid", details: [{ reason: "used" }] } },
    ]);
  });

  it("works for 30 minutes and not a second longer", async () => {
    const t0 = new Date("2026-12-02T00:00:00Z");
    const user = await userWithPassword();
    const deps = await testDeps(app.db, app.keys, { now: t0 });
    const link = async () => {
      const { mails } = await requestPasswordReset({ ...deps, now: t0 }, user.email);
      return new URL((mails[0]!.mail as { link: string }).link).searchParams.get("token")!;
    };
    const first = await link();
    await expect(
      resetPassword(
        { ...deps, now: new Date(t0.getTime() + 30 * 60_000) },
        { token: first, newPassword: NEW_PASSWORD },
      ),
    ).rejects.toMatchObject({
      code: "link_invalid",
      details: [{ reason: "expired" }],
    });
    const second = await link();
    // Issuing the second retired nothing still live: the first had expired anyway.
    await expect(
      resetPassword(
        { ...deps, now: new Date(t0.getTime() + 30 * 60_000 - 1000) },
        { token: second, newPassword: NEW_PASSWORD },
      ),
    ).resolves.toEqual({
      revokedSessions: 0,
    });
  });

  it("mails at most three links an hour to one address, answering the same", async () => {
    const user = await userWithPassword();
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await requestReset(user.email)).status);
    expect(statuses).toEqual([202, 202, 202, 202, 202]);
    expect(await app.mail.mails(user.email)).toHaveLength(3);
  });

  it("lets exactly one of two parallel uses of one link through", async () => {
    const user = await userWithPassword();
    await requestReset(user.email);
    const token = await app.mail.tokenFor(user.email, "/reset-password");
    const results = await Promise.all([confirm(token, NEW_PASSWORD), confirm(token, "another fine passphrase")]);
    expect(results.map((r) => r.status).sort()).toEqual([204, 400]);
  });
});

describe("email change", () => {
  const changeEmail = (token: string, body: unknown) =>
    call(emailRoute, jsonRequest("/api/me/email", body, bearer(token, freshIp())));

  it("needs the current password and a different valid address", async () => {
    const user = await userWithPassword();
    const { accessToken } = await session(user);
    const wrong = await changeEmail(accessToken.token, { newEmail: email("new"), currentPassword: "nope nope nope" });
    expect([wrong.status, await errorCode(wrong)]).toEqual([403, "current_password_incorrect"]);
    const same = await changeEmail(accessToken.token, {
      newEmail: user.email.toUpperCase(),
      currentPassword: PASSWORD,
    });
    expect([same.status, await same.json()]).toMatchObject([
      400,
      { error: { code: "validation_failed", details: [{ reason: "email.unchanged" }] } },
    ]);
    const invalid = await changeEmail(accessToken.token, { newEmail: "no at sign", currentPassword: PASSWORD });
    expect([invalid.status, await errorCode(invalid)]).toEqual([400, "validation_failed"]);
  });

  it("mails a link to the new address and a notice to the old, and changes only on confirmation", async () => {
    const user = await userWithPassword();
    const { accessToken } = await session(user);
    const target = email("moved");
    const response = await changeEmail(accessToken.token, { newEmail: target, currentPassword: PASSWORD });
    expect([response.status, await response.json()]).toEqual([202, { status: "confirmation_sent" }]);

    const [notice] = await app.mail.mails(user.email);
    expect(notice!.subject).toBe("【こえポン！】メールアドレスの変更が申請されました");
    expect(notice!.text).not.toMatch(/token=/);
    const token = await app.mail.tokenFor(target, "/verify-email");
    const me = await call(meRoute, new Request("http://localhost/api/me", { headers: bearer(accessToken.token) }));
    expect(await me.json()).toMatchObject({ user: { email: user.email, pendingEmail: target } });
    expect(await loginStatus(target, PASSWORD)).toBe(401);

    const confirmed = await verifyLink(token);
    expect([confirmed.status, await confirmed.json()]).toEqual([
      200,
      { link: { purpose: "change_email", email: target } },
    ]);
    expect(await loginStatus(target, PASSWORD)).toBe(200);
    expect(await loginStatus(user.email, PASSWORD)).toBe(401);
    expect(await auditActions(user.id)).toEqual(["account.email_change_requested", "account.email_changed"]);
  });

  it("gives a contested address to one account only, and the other keeps its own", async () => {
    const [a, b] = [await userWithPassword(), await userWithPassword()];
    const target = email("contested");
    for (const user of [a, b]) {
      const { accessToken } = await session(user);
      expect((await changeEmail(accessToken.token, { newEmail: target, currentPassword: PASSWORD })).status).toBe(202);
    }
    const tokens = (await app.mail.mails(target)).map((m) =>
      new URL(/https?:\/\/\S+/.exec(m.text)![0]).searchParams.get("token")!,
    );
    expect(tokens).toHaveLength(2);
    const results = await Promise.all(tokens.map((t) => verifyLink(t)));
    const outcomes = await Promise.all(
      results.map(async (r) => [r.status, r.status === 200 ? "ok" : await errorCode(r)]),
    );
    expect(outcomes.map(String).sort()).toEqual(["200,ok", "409,email_taken"]);
    const holders = await app.db.query<{ id: string }>("select id from public.users where email = $1", [target]);
    expect(holders).toHaveLength(1);
    const loser = holders[0]!.id === a.id ? b : a;
    const [row] = await app.db.query<{ email: string }>("select email from public.users where id = $1", [loser.id]);
    expect(row!.email).toBe(loser.email);
  });
});
