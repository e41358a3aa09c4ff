/**
 * Login throttling at fixed instants: the per-(account, IP), per-account and per-IP
 * counters, their exponential locks and cap, and that a stranger cannot lock a real
 * user out. Passwords use bcrypt's lowest cost; the clock is injected.
 */
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { POST as loginRoute } from "@/app/api/auth/login/route";
import { errorHeaders } from "@/lib/api/errors";
import { DomainError } from "@/lib/domain-error";
import { login } from "@/lib/auth/login";
import { beginLoginAttempt, LOGIN_THROTTLE } from "@/lib/auth/login-throttle";
import { signup } from "@/lib/auth/signup";
import { ipKey } from "@/lib/ratelimit/client-ip";
import { call, errorCode, jsonRequest, testDeps } from "../helpers/auth";
import { setUpRouteTests } from "../helpers/route-test-context";

const app = setUpRouteTests();

const PASSWORD = "correct horse battery staple";
const T0 = new Date("2026-12-01T03:00:00Z");
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);

let ipCounter = 0;
/** A fresh documentation-range address per test, so tests never share an IP counter. */
const freshIp = () => `198.51.100.${++ipCounter}`;

async function account(): Promise<string> {
  const email = `throttle-${randomBytes(4).toString("hex")}@test.koepon.invalid`;
  const deps = await testDeps(app.db, app.keys, { now: T0 });
  await signup(deps, {
    email,
    password: PASSWORD,
    displayName: "スロットル",
    birthdate: "1990-01-01",
    acceptTerms: true,
  });
  return email;
}

/** One login attempt's outcome: "ok", an error code, or "login_throttled/<Retry-After>". */
async function attempt(email: string, password: string, ip: string, now: Date): Promise<string> {
  try {
    await login(await testDeps(app.db, app.keys, { now }), { email, password }, { ip, userAgent: null });
    return "ok";
  } catch (err) {
    if (!(err instanceof DomainError)) throw err;
    return err.code === "login_throttled"
      ? `login_throttled/${errorHeaders(err.code, err.details)["Retry-After"]}`
      : err.code;
  }
}

async function fail(email: string, ip: string, now: Date, times = 1): Promise<string[]> {
  const outcomes: string[] = [];
  for (let i = 0; i < times; i++) outcomes.push(await attempt(email, "wrong password", ip, now));
  return outcomes;
}

describe("per account and address", () => {
  it("locks after 5 failures, refuses even the right password, and lets it in when the lock ends", async () => {
    const email = await account();
    const ip = freshIp();
    expect(await fail(email, ip, at(0), 5)).toEqual(Array(5).fill("invalid_credentials"));
    expect(await attempt(email, PASSWORD, ip, at(1))).toBe("login_throttled/59");
    expect(await attempt(email, PASSWORD, ip, at(59))).toBe("login_throttled/1");
    expect(await attempt(email, PASSWORD, ip, at(60))).toBe("ok");
  });

  it("clears the account's count on success", async () => {
    const email = await account();
    const ip = freshIp();
    await fail(email, ip, at(0), 4);
    expect(await attempt(email, PASSWORD, ip, at(1))).toBe("ok");
    expect(await fail(email, ip, at(2), 4)).toEqual(Array(4).fill("invalid_credentials"));
    expect(await attempt(email, PASSWORD, ip, at(3))).toBe("ok");
  });

  it("doubles the lock with each further failure, up to 15 minutes and never more", async () => {
    const email = await account();
    const ip = freshIp();
    await fail(email, ip, at(0), 5);
    let now = 0;
    const locks: number[] = [];
    for (let i = 0; i < 7; i++) {
      const refused = await attempt(email, PASSWORD, ip, at(now + 1));
      const lock = Number(refused.split("/")[1]) + 1;
      locks.push(lock);
      now += lock;
      // The lock ends exactly when announced: the next failure is counted, not refused.
      expect(await fail(email, ip, at(now))).toEqual(["invalid_credentials"]);
    }
    expect(locks).toEqual([60, 120, 240, 480, 900, 900, 900]);
    // Right after the cap-length lock ends, the real password works.
    expect(await attempt(email, PASSWORD, ip, at(now + 900))).toBe("ok");
  });

  it("does not let refused attempts extend the lock", async () => {
    const email = await account();
    const ip = freshIp();
    await fail(email, ip, at(0), 5);
    for (let s = 1; s < 60; s += 7) expect(await attempt(email, "guess", ip, at(s))).toBe(`login_throttled/${60 - s}`);
    expect(await attempt(email, PASSWORD, ip, at(60))).toBe("ok");
  });

  it("forgets old failures after a quiet day", async () => {
    const email = await account();
    const ip = freshIp();
    await fail(email, ip, at(0), 4);
    expect(await fail(email, ip, at(86_400), 4)).toEqual(Array(4).fill("invalid_credentials"));
    expect(await attempt(email, PASSWORD, ip, at(86_401))).toBe("ok");
  });

  it("throttles unknown emails exactly like real ones", async () => {
    const ip = freshIp();
    const nobody = `nobody-${randomBytes(4).toString("hex")}@test.koepon.invalid`;
    expect(await fail(nobody, ip, at(0), 6)).toEqual([...Array(5).fill("invalid_credentials"), "login_throttled/60"]);
  });

  it("admits exactly 5 guesses when 20 arrive at once", async () => {
    const email = await account();
    const ip = freshIp();
    // One earlier failure, so the counters already exist and only row locks can order the burst.
    expect(await fail(email, ip, at(0))).toEqual(["invalid_credentials"]);
    const outcomes = await Promise.all(Array.from({ length: 20 }, () => attempt(email, "wrong", ip, at(1))));
    expect(outcomes.filter((o) => o === "invalid_credentials")).toHaveLength(4);
    expect(outcomes.filter((o) => o.startsWith("login_throttled/"))).toHaveLength(16);
  });
});

describe("a stranger cannot lock the real user out", () => {
  it("leaves the account open from the owner's own address", async () => {
    const email = await account();
    const stranger = freshIp();
    await fail(email, stranger, at(0), 6);
    expect(await attempt(email, PASSWORD, stranger, at(1))).toMatch(/^login_throttled/);
    expect(await attempt(email, PASSWORD, freshIp(), at(1))).toBe("ok");
  });

  it("locks the account everywhere after 20 failures from many addresses, for at most 15 minutes", async () => {
    const email = await account();
    for (let i = 0; i < 20; i++) await fail(email, freshIp(), at(i));
    const owner = freshIp();
    expect(await attempt(email, PASSWORD, owner, at(20))).toBe("login_throttled/59");
    // The distributed attack goes on: each failure at the lock's end renews it, capped.
    let now = 79;
    for (let i = 0; i < 6; i++) {
      await fail(email, freshIp(), at(now));
      const refused = await attempt(email, PASSWORD, owner, at(now + 1));
      const lock = Number(refused.split("/")[1]) + 1;
      expect(lock).toBeLessThanOrEqual(LOGIN_THROTTLE.maxLockSeconds);
      now += lock;
    }
    expect(await attempt(email, PASSWORD, owner, at(now))).toBe("ok");
  });
});

describe("per address", () => {
  it("does not lock another account from the same address below the address threshold", async () => {
    const victim = await account();
    const other = await account();
    const ip = freshIp();
    await fail(victim, ip, at(0), 5);
    expect(await attempt(victim, PASSWORD, ip, at(1))).toMatch(/^login_throttled/);
    expect(await attempt(other, PASSWORD, ip, at(1))).toBe("ok");
  });

  it("locks the address after 50 failures over many accounts, and a success does not reset it", async () => {
    const ip = freshIp();
    const mine = await account();
    for (let i = 0; i < 49; i++) {
      expect(await attempt(`spray-${i}@test.koepon.invalid`, "Summer2026!", ip, at(i))).toBe("invalid_credentials");
    }
    // Signing in to an account of one's own does not wipe the address's record.
    expect(await attempt(mine, PASSWORD, ip, at(49))).toBe("ok");
    expect(await attempt("spray-49@test.koepon.invalid", "Summer2026!", ip, at(50))).toBe("invalid_credentials");
    expect(await attempt(mine, PASSWORD, ip, at(51))).toBe("login_throttled/59");
    expect(await attempt(mine, PASSWORD, freshIp(), at(51))).toBe("ok");
  });
});

describe("POST /api/auth/login while throttled", () => {
  it("answers 429 login_throttled with Retry-After", async () => {
    const email = await account();
    const ip = freshIp();
    // The route app.keys the address as the rate limiter does.
    for (let i = 0; i < 5; i++) await beginLoginAttempt(app.db, { email, ip: ipKey(ip) }, new Date());
    const response = await call(
      loginRoute,
      jsonRequest("/api/auth/login", { email, password: PASSWORD }, { "x-forwarded-for": `203.0.113.99, ${ip}` }),
    );
    expect([response.status, await errorCode(response)]).toEqual([429, "login_throttled"]);
    expect(Number(response.headers.get("retry-after"))).toBeGreaterThanOrEqual(59);
    expect(Number(response.headers.get("retry-after"))).toBeLessThanOrEqual(60);
  });
});
