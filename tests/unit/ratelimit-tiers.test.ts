import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { TIERS, tiersFor, type RequestFacts } from "@/lib/ratelimit/tiers";

const fan = { role: "user", identity: "u-1", ip: "203.0.113.7" } as const;
const anonymous = { role: null, identity: null, ip: "203.0.113.7" } as const;

function facts(base: Omit<RequestFacts, "method" | "pathname">, method: string, pathname: string): RequestFacts {
  return { ...base, method, pathname };
}

describe("TIERS", () => {
  it("has the numbers docs/architecture.md sets (limit, window in minutes), and a chosen anonymous budget", () => {
    const table = Object.fromEntries(Object.entries(TIERS).map(([name, t]) => [name, [t.limit, t.windowMs / 60_000]]));
    expect(table).toEqual({
      anonymous: [300, 10],
      user: [100, 10],
      vtuber: [500, 10],
      admin: [1_000, 10],
      gacha: [10, 1],
      payment: [5, 1],
      account: [5, 60],
      mail: [10, 60],
    });
  });

  it("fails the general and account tiers over to the local limiter and the money tiers closed", () => {
    expect(Object.fromEntries(Object.entries(TIERS).map(([name, t]) => [name, t.onStoreFailure]))).toEqual({
      anonymous: "local",
      user: "local",
      vtuber: "local",
      admin: "local",
      gacha: "closed",
      payment: "closed",
      account: "local",
      mail: "local",
    });
  });
});

describe("tiersFor", () => {
  it.each([
    ["a fan reading a page", facts(fan, "GET", "/gachas/abc"), [["user", "u:u-1"]]],
    ["a VTuber", facts({ ...fan, role: "vtuber" }, "GET", "/vtuber"), [["vtuber", "u:u-1"]]],
    ["an admin", facts({ ...fan, role: "admin" }, "POST", "/api/admin/users"), [["admin", "u:u-1"]]],
    ["a signed-out visitor", facts(anonymous, "GET", "/"), [["anonymous", "ip:203.0.113.7"]]],
    [
      "a pull",
      facts(fan, "POST", "/api/gachas/g-1/pulls"),
      [
        ["user", "u:u-1"],
        ["gacha", "u:u-1"],
      ],
    ],
    [
      "any other write under /api/gachas",
      facts(fan, "DELETE", "/api/gachas/g-1/pulls/p-1"),
      [
        ["user", "u:u-1"],
        ["gacha", "u:u-1"],
      ],
    ],
    ["reading a campaign and its odds", facts(fan, "GET", "/api/gachas/g-1"), [["user", "u:u-1"]]],
    ["the gacha list itself", facts(fan, "POST", "/api/gachas"), [["user", "u:u-1"]]],
    [
      "a payment call",
      facts(fan, "POST", "/api/payments/intents"),
      [
        ["user", "u:u-1"],
        ["payment", "u:u-1"],
      ],
    ],
    ["a payment status poll", facts(fan, "GET", "/api/payments/intents/pi-1"), [["user", "u:u-1"]]],
    [
      "a signed-out pull, counted by address",
      facts(anonymous, "POST", "/api/gachas/g-1/pulls"),
      [
        ["anonymous", "ip:203.0.113.7"],
        ["gacha", "ip:203.0.113.7"],
      ],
    ],
    [
      "a percent-encoded path",
      facts(fan, "POST", "/api/%67achas/g-1/pulls"),
      [
        ["user", "u:u-1"],
        ["gacha", "u:u-1"],
      ],
    ],
    [
      "a doubled slash and a trailing slash",
      facts(fan, "post", "//api/payments//intents/"),
      [
        ["user", "u:u-1"],
        ["payment", "u:u-1"],
      ],
    ],
    ["a malformed escape", facts(fan, "GET", "/api/%E0%A4%A"), [["user", "u:u-1"]]],
    [
      "a data export (a GET)",
      facts(fan, "GET", "/api/me/export"),
      [
        ["user", "u:u-1"],
        ["account", "u:u-1"],
      ],
    ],
    [
      "an account deletion, however the path is spelled",
      facts(fan, "POST", "/api/me/%64elete/"),
      [
        ["user", "u:u-1"],
        ["account", "u:u-1"],
      ],
    ],
    [
      "a card setup",
      facts(fan, "POST", "/api/me/payment-methods/setup"),
      [
        ["user", "u:u-1"],
        ["account", "u:u-1"],
      ],
    ],
    ["listing saved cards", facts(fan, "GET", "/api/me/payment-methods"), [["user", "u:u-1"]]],
    ["a CORS preflight of the data export", facts(fan, "OPTIONS", "/api/me/export"), [["user", "u:u-1"]]],
    ["a lower-case preflight of a deletion", facts(fan, "options", "/api/me/delete"), [["user", "u:u-1"]]],
    [
      "an email change, which mails the new address",
      facts(fan, "POST", "/api/me/email"),
      [
        ["user", "u:u-1"],
        ["mail", "ip:203.0.113.7"],
      ],
    ],
    [
      "a run of slashes",
      facts(fan, "POST", "///api///gachas/g-1/pulls"),
      [
        ["user", "u:u-1"],
        ["gacha", "u:u-1"],
      ],
    ],
    [
      "a password-reset request, by address",
      facts(anonymous, "POST", "/api/auth/password-reset"),
      [
        ["anonymous", "ip:203.0.113.7"],
        ["mail", "ip:203.0.113.7"],
      ],
    ],
    [
      "a signed-in fan asking for a verification mail, by address too",
      facts(fan, "POST", "/api/me/email/verification/"),
      [
        ["user", "u:u-1"],
        ["mail", "ip:203.0.113.7"],
      ],
    ],
    [
      "the reset confirmation, which mails nobody",
      facts(anonymous, "POST", "/api/auth/password-reset/confirm"),
      [["anonymous", "ip:203.0.113.7"]],
    ],
    ["a HEAD of a pull route", facts(fan, "HEAD", "/api/gachas/g-1/pulls"), [["user", "u:u-1"]]],
    ["a CORS preflight of a payment route", facts(fan, "OPTIONS", "/api/payments/intents"), [["user", "u:u-1"]]],
    ["a lower-case get of a payment route", facts(fan, "get", "/api/payments/intents/pi-1"), [["user", "u:u-1"]]],
    ["the site root", facts(anonymous, "POST", "/"), [["anonymous", "ip:203.0.113.7"]]],
    [
      "a role without an identity (never from a verified token), counted as signed out",
      facts({ role: "user", identity: null, ip: "203.0.113.7" }, "GET", "/"),
      [["anonymous", "ip:203.0.113.7"]],
    ],
    [
      "an identity without a role, counted as signed out",
      facts({ role: null, identity: "u-1", ip: "203.0.113.7" }, "GET", "/"),
      [["anonymous", "ip:203.0.113.7"]],
    ],
  ])("gives %s its tiers", (_, request, expected) => {
    expect(tiersFor(request).map((c) => [c.tier, c.key])).toEqual(expected);
  });

  it.each(["/api/health", "/.well-known/jwks.json", "/api/webhooks/stripe", "/api/health/"])(
    "exempts %s",
    (pathname) => {
      expect(tiersFor(facts(anonymous, "GET", pathname))).toEqual([]);
      expect(tiersFor(facts(fan, "POST", pathname))).toEqual([]);
    },
  );

  it("counts an IPv6 visitor per /64, and visitors without an address together", () => {
    const a = tiersFor(facts({ ...anonymous, ip: "2001:db8:1:2:aaaa::1" }, "GET", "/"));
    const b = tiersFor(facts({ ...anonymous, ip: "2001:db8:1:2:bbbb::2" }, "GET", "/"));
    const other = tiersFor(facts({ ...anonymous, ip: "2001:db8:1:3::1" }, "GET", "/"));
    expect(a[0]!.key).toBe("ip:2001:db8:1:2::/64");
    expect(b[0]!.key).toBe(a[0]!.key);
    expect(other[0]!.key).not.toBe(a[0]!.key);
    expect(tiersFor(facts({ ...anonymous, ip: null }, "GET", "/"))[0]!.key).toBe("ip:unknown");
  });

  it("keeps user ids and addresses in separate key spaces", () => {
    const user = tiersFor(facts({ role: "user", identity: "203.0.113.7", ip: "203.0.113.7" }, "GET", "/"));
    expect(user[0]!.key).not.toBe(tiersFor(facts(anonymous, "GET", "/"))[0]!.key);
  });
});

describe("lib/ratelimit on the Edge runtime", () => {
  it("imports nothing Node-only outside the bridge", () => {
    const dir = path.join(import.meta.dirname, "../../lib/ratelimit");
    // The logger is Edge-safe (lib/log/logger.ts imports nothing).
    const allowed = new Set(["@upstash/ratelimit", "@upstash/redis", "../config", "../auth/caller", "../log/logger"]);
    for (const file of fs.readdirSync(dir).filter((f) => f.endsWith(".ts"))) {
      const source = fs.readFileSync(path.join(dir, file), "utf8");
      for (const [, specifier] of source.matchAll(/from "([^"]+)"/g)) {
        const ok = allowed.has(specifier!) || /^\.\/[a-z-]+$/.test(specifier!);
        expect(ok, `${file} imports ${specifier}`).toBe(true);
        expect(specifier, `${file} imports the Node-only bridge`).not.toMatch(/bridge/);
      }
    }
  });
});
