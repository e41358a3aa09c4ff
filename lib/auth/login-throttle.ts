import "server-only";
/**
 * Brakes on password guessing, kept in the database so they hold in every mode and on
 * every instance.
 *
 * Three counters per attempt, each with its own threshold:
 * | scope        | subject                 | locks after | forgotten after      |
 * | account_ip   | this email + this IP    | 5 failures  | success, or 24 h quiet |
 * | account      | this email, any IP      | 20 failures | success, or 1 h quiet  |
 * | ip           | this IP, any email      | 50 failures | 1 h quiet (never by a success) |
 * Once a counter reaches its threshold, each further failure locks the subject for
 * 1 min × 2^(failures − threshold), capped at 15 min: 1, 2, 4, 8, 15, 15… minutes.
 * While any of the three is locked the attempt is refused (429 + Retry-After) before the
 * password is even compared, so a locked subject yields no information and the refused
 * attempt neither counts nor extends the lock.
 *
 * Why this shape:
 * - A stranger guessing from one address only locks their own (account, IP) pair: the
 *   real user elsewhere is not locked out at all. Only a spread-out attack (20 failures
 *   inside an hour from several addresses) reaches the account-wide lock, and that lock
 *   ends at most 15 minutes after the last failure; no lock is ever longer than that.
 *   The price: a persistent, distributed attacker can keep renewing it, at a rate of
 *   one guess per 15 minutes. Device cookies would close that; not built yet.
 * - The account counter also applies to emails with no account, so throttling does not
 *   reveal which addresses exist.
 * - The IP counter stops one address from spraying many accounts; a success does not
 *   clear it, else an attacker could reset it by signing in to an account of their own.
 *   Its threshold is high so a shared address (an office, a carrier NAT) is not blocked
 *   by a few typos.
 * - Attempts are counted before the password is checked (and a success takes its count
 *   back), under row locks: a burst of parallel guesses cannot all slip in before the
 *   first failure is recorded.
 * - Client addresses are the rate limiter's (lib/ratelimit/client-ip.ts: the address our
 *   proxy wrote, IPv6 per /64). Where they can be forged, only the IP-based counters
 *   weaken; the account counter still bounds guessing.
 */
import { createHash } from "node:crypto";
import type { Columns, Narrow } from "../db/rows";
import { asService } from "../db/session";
import type { Database, Queryable } from "../db/types";
import { countSignal } from "../metrics/signals";

export type ThrottleScope = "account" | "account_ip" | "ip";

export interface ThrottleRule {
  threshold: number;
  forgetAfterSeconds: number;
  clearedBySuccess: boolean;
}

export interface LoginThrottlePolicy {
  rules: Record<ThrottleScope, ThrottleRule>;
  /** @default 60 */
  baseLockSeconds: number;
  /** @default 900 */
  maxLockSeconds: number;
}

export const LOGIN_THROTTLE: LoginThrottlePolicy = {
  rules: {
    account_ip: { threshold: 5, forgetAfterSeconds: 86_400, clearedBySuccess: true },
    account: { threshold: 20, forgetAfterSeconds: 3_600, clearedBySuccess: true },
    ip: { threshold: 50, forgetAfterSeconds: 3_600, clearedBySuccess: false },
  },
  baseLockSeconds: 60,
  maxLockSeconds: 900,
};

export interface LoginSubject {
  /** Normalised email, or the raw input lower-cased when it is not a valid address. */
  email: string;
  /** The client address key (`ipKey(clientIp(headers))`). */
  ip: string;
}

export type AttemptVerdict = { allowed: true } | { allowed: false; retryAfterSeconds: number };

interface Key {
  scope: ThrottleScope;
  hash: string;
}

type Row = Narrow<
  Columns<"login_throttles", "scope" | "subject_hash" | "failures" | "last_attempt_at" | "locked_until">,
  { scope: ThrottleScope }
>;

/** Forgotten rows deleted per attempt: keeps the table small without a cron job. */
const PRUNE_BATCH = 100;

/** Counts an attempt (as a failure until `loginSucceeded` says otherwise), or refuses it. */
export async function beginLoginAttempt(
  db: Database,
  subject: LoginSubject,
  now: Date,
  policy: LoginThrottlePolicy = LOGIN_THROTTLE,
): Promise<AttemptVerdict> {
  const keys = keysOf(subject);
  return asService(db, "login-throttle", async (tx) => {
    await prune(tx, now, policy);
    // Insert and lock in one fixed order, so two attempts never wait on each other crosswise.
    await tx.query(
      `insert into public.login_throttles (scope, subject_hash, failures, last_attempt_at)
       select scope, subject_hash, 0, $3 from unnest($1::text[], $2::text[]) as k(scope, subject_hash)
       order by scope, subject_hash
       on conflict (scope, subject_hash) do nothing`,
      [keys.map((k) => k.scope), keys.map((k) => k.hash), now],
    );
    const rows = await tx.query<Row>(
      `select scope, subject_hash, failures, last_attempt_at, locked_until
         from public.login_throttles
        where (scope, subject_hash) in (select * from unnest($1::text[], $2::text[]))
        order by scope, subject_hash
          for update`,
      [keys.map((k) => k.scope), keys.map((k) => k.hash)],
    );

    const lockedUntil = Math.max(0, ...rows.map((r) => r.locked_until?.getTime() ?? 0));
    if (lockedUntil > now.getTime()) {
      return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((lockedUntil - now.getTime()) / 1000)) };
    }

    for (const row of rows) {
      const rule = policy.rules[row.scope];
      const forgotten = now.getTime() - row.last_attempt_at.getTime() >= rule.forgetAfterSeconds * 1000;
      const failures = (forgotten ? 0 : row.failures) + 1;
      const lockSeconds =
        failures >= rule.threshold
          ? Math.min(policy.baseLockSeconds * 2 ** (failures - rule.threshold), policy.maxLockSeconds)
          : 0;
      if (lockSeconds > 0) countSignal("auth.login.throttle_locks", { now: now.getTime() });
      await tx.query(
        `update public.login_throttles set failures = $3, last_attempt_at = $4, locked_until = $5
          where scope = $1 and subject_hash = $2`,
        [
          row.scope,
          row.subject_hash,
          failures,
          now,
          lockSeconds > 0 ? new Date(now.getTime() + lockSeconds * 1000) : null,
        ],
      );
    }
    return { allowed: true };
  });
}

/** The password was right: forgive the account counters and take back the IP count. */
export async function loginSucceeded(
  db: Database,
  subject: LoginSubject,
  policy: LoginThrottlePolicy = LOGIN_THROTTLE,
): Promise<void> {
  const keys = keysOf(subject);
  const cleared = keys.filter((k) => policy.rules[k.scope].clearedBySuccess);
  const kept = keys.filter((k) => !policy.rules[k.scope].clearedBySuccess);
  await asService(db, "login-throttle", async (tx) => {
    await tx.query(
      `delete from public.login_throttles
        where (scope, subject_hash) in (select * from unnest($1::text[], $2::text[]))`,
      [cleared.map((k) => k.scope), cleared.map((k) => k.hash)],
    );
    for (const key of kept) {
      // A lock our own counted attempt set is lifted again if the others do not reach it.
      await tx.query(
        `update public.login_throttles
            set failures = greatest(failures - 1, 0),
                locked_until = case when failures - 1 < $3 then null else locked_until end
          where scope = $1 and subject_hash = $2`,
        [key.scope, key.hash, policy.rules[key.scope].threshold],
      );
    }
  });
}

function keysOf(subject: LoginSubject): Key[] {
  const hash = (value: string) => createHash("sha256").update(value, "utf8").digest("hex");
  return [
    { scope: "account", hash: hash(subject.email) },
    { scope: "account_ip", hash: hash(`${subject.email}\n${subject.ip}`) },
    { scope: "ip", hash: hash(subject.ip) },
  ];
}

/** Deletes a few rows that every rule has forgotten and that hold no lock. */
async function prune(tx: Queryable, now: Date, policy: LoginThrottlePolicy): Promise<void> {
  const forgetAll = Math.max(...Object.values(policy.rules).map((r) => r.forgetAfterSeconds));
  await tx.query(
    `delete from public.login_throttles
      where (scope, subject_hash) in (
        select scope, subject_hash from public.login_throttles
         where last_attempt_at < $1 and (locked_until is null or locked_until < $2)
         order by last_attempt_at
         limit ${PRUNE_BATCH}
           for update skip locked)`,
    [new Date(now.getTime() - forgetAll * 1000), now],
  );
}
