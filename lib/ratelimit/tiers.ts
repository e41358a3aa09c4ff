/**
 * Which rate limits a request counts against. Pure and Edge-safe: the gate calls it with
 * what it learned from the token and the request line, and gets back the checks to run.
 *
 * Every request counts against one general tier: its role's when signed in, the
 * anonymous tier (per client address) otherwise. Money paths count against a narrow
 * tier on top, per caller: the request is admitted only when every tier admits it.
 *
 * Store failure policy (what happens when Upstash / the bridge is slow or down):
 * - General tiers (`anonymous`, `user`, `vtuber`, `admin`) fail open onto the in-process
 *   limiter (`local`). Browsing must not go down with the limiter's store, and the
 *   in-process limiter still holds each instance to the same numbers, so one client
 *   cannot run unlimited; across many instances the bound loosens, which is acceptable
 *   for read-mostly traffic for the length of an outage.
 * - Money tiers (`gacha`, `payment`) fail closed (`closed`): 503 service_unavailable with
 *   Retry-After. Their limits exist against card testing and runaway spending; on
 *   serverless every instance would have its own in-process counters, so a local
 *   fallback would multiply the limit by the instance count exactly when nobody can see
 *   it. Refusing a pull for the minutes of an outage costs less than charging unlimited.
 * Either way the limiter logs a `level: "alert"` line, and never throws.
 */
import type { AppRole } from "../auth/caller";
import { ipKey } from "./client-ip";

export type TierName = "anonymous" | "user" | "vtuber" | "admin" | "gacha" | "payment" | "account" | "mail";

/**
 * `local`: on store failure, count in this process instead (degraded, still limited).
 * `closed`: on store failure, refuse with 503.
 */
export type FailurePolicy = "local" | "closed";

export interface Tier {
  /** Requests admitted per sliding window. */
  limit: number;
  windowMs: number;
  onStoreFailure: FailurePolicy;
}

const MINUTE = 60_000;

export const TIERS: Readonly<Record<TierName, Tier>> = {
  /**
   * Per client address, not per person: households, offices, schools and Japanese mobile
   * carriers' CGNAT put many visitors behind one address, so three times a signed-in
   * fan's budget. It still holds one scraper to half a request per second.
   */
  anonymous: { limit: 300, windowMs: 10 * MINUTE, onStoreFailure: "local" },
  user: { limit: 100, windowMs: 10 * MINUTE, onStoreFailure: "local" },
  vtuber: { limit: 500, windowMs: 10 * MINUTE, onStoreFailure: "local" },
  admin: { limit: 1_000, windowMs: 10 * MINUTE, onStoreFailure: "local" },
  gacha: { limit: 10, windowMs: MINUTE, onStoreFailure: "closed" },
  payment: { limit: 5, windowMs: MINUTE, onStoreFailure: "closed" },
  /**
   * The account's heavy or final operations (`ACCOUNT_PATHS`): a data export reads every
   * row the fan has, a deletion checks a password with bcrypt, a card setup creates
   * objects at Stripe. A person needs a few an hour; more is a script guessing the
   * password from a stolen session or loading the database. Not money: on store failure
   * the in-process count still holds each instance to the limit.
   */
  account: { limit: 5, windowMs: 60 * MINUTE, onStoreFailure: "local" },
  /**
   * Requests that mail someone (password reset, verification and email-change links),
   * per client address whoever is signed in: beside the per-account cap of three links an
   * hour (lib/account/tokens.ts), this stops one client spraying many addresses with
   * mail. A store outage counts locally: a reset must stay possible.
   */
  mail: { limit: 10, windowMs: 60 * MINUTE, onStoreFailure: "local" },
};

/** One limit to check: the tier, and whose counter (`u:<user id>` or `ip:<address>`). */
export interface TierCheck {
  tier: TierName;
  key: string;
}

export interface RequestFacts {
  /** From the verified access token; null when signed out. */
  role: AppRole | null;
  /** The user id (`sub`) from the verified access token; null when signed out. */
  identity: string | null;
  /** The client address, from `clientIp()`. */
  ip: string | null;
  method: string;
  pathname: string;
}

/**
 * Paths no tier applies to.
 * - `/api/health`: uptime monitors, load balancers and the blue/green deploy check poll
 *   it from a few shared addresses; limiting it would make a healthy instance look down
 *   and trigger rollbacks. It is shallow and reads nothing.
 * - `/.well-known/jwks.json`: the gate fetches it itself to verify tokens (from the
 *   server's own address), as do API clients' verifiers; limiting it would lock every
 *   user out at once. It is public, static and cacheable.
 * - `/api/webhooks/stripe`: Stripe posts from a handful of shared addresses, and a
 *   refused webhook only delays fulfilment of a paid pull; the signature check is that
 *   route's gate.
 */
const EXEMPT = new Set(["/api/health", "/.well-known/jwks.json", "/api/webhooks/stripe"]);

/**
 * Writes only: reading a campaign and its odds must stay free before buying (the odds
 * page has to be reachable), and a client polling a payment's status is not a payment.
 * Every write under these prefixes counts, so a write route added there later is
 * covered without touching this file.
 */
const MONEY_PREFIXES: readonly (readonly [prefix: string, tier: TierName])[] = [
  ["/api/gachas/", "gacha"],
  ["/api/payments/", "payment"],
];
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** Counted against the `account` tier whatever the method (the export is a GET). */
const ACCOUNT_PATHS = new Set(["/api/me/export", "/api/me/delete", "/api/me/payment-methods/setup"]);
/** Writes that send mail (the `mail` tier). */
const MAIL_PATHS = new Set(["/api/auth/password-reset", "/api/me/email", "/api/me/email/verification"]);

export function tiersFor(request: RequestFacts): TierCheck[] {
  const pathname = normalisePath(request.pathname);
  if (EXEMPT.has(pathname)) return [];

  const { role, identity } = request;
  const [general, caller]: [TierName, string] =
    role !== null && identity !== null ? [role, `u:${identity}`] : ["anonymous", ipKey(request.ip)];
  const checks: TierCheck[] = [{ tier: general, key: caller }];

  if (ACCOUNT_PATHS.has(pathname) && request.method.toUpperCase() !== "OPTIONS") {
    checks.push({ tier: "account", key: caller });
  }
  if (!SAFE_METHODS.has(request.method.toUpperCase())) {
    const money = MONEY_PREFIXES.find(([prefix]) => pathname.startsWith(prefix));
    if (money) checks.push({ tier: money[1], key: caller });
    if (MAIL_PATHS.has(pathname)) checks.push({ tier: "mail", key: ipKey(request.ip) });
  }
  return checks;
}

/**
 * Routing may decode percent-escapes and drop a trailing slash, so `/api/%67achas/…` or
 * `/api/payments/x/` must not slip past the prefix checks.
 */
function normalisePath(pathname: string): string {
  let decoded = pathname;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    // A malformed escape cannot route to a handler; count it under its raw form.
  }
  // The root becomes "", which no rule above names, as "/" is not.
  return decoded.replace(/\/{2,}/g, "/").replace(/\/$/, "");
}
