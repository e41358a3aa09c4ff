import "server-only";
/**
 * Changing a password (signed in, knowing the current one) and resetting a forgotten one
 * (by a mailed link). Both apply the password rules, end sessions and are audited:
 * - change: every other sign-in (refresh-token family) is revoked, the current one is
 *   kept; the account's owner is told by mail. Wrong current passwords count against the
 *   login throttle of (this address, this client), so a stolen session cannot guess its
 *   way to the password faster than the login form could.
 * - reset: the request answers the same whether or not the address has an account (the
 *   route sends nothing different and mails after the answer); a link works once, for 30
 *   minutes, and at most three are mailed per account per hour. Setting the new password
 *   revokes every session, retires every other live link, and marks the address verified
 *   (the link proved the mailbox).
 */
import { asService } from "../db/session";
import { DomainError } from "../domain-error";
import { normaliseEmail } from "../auth/email";
import { beginLoginAttempt, loginSucceeded } from "../auth/login-throttle";
import { hashPassword, verifyPassword } from "../auth/password";
import { checkPassword } from "../auth/password-policy";
import { revokeAllForUser } from "../auth/refresh-tokens";
import { auditAccount } from "./audit";
import type { AccountDeps } from "./deps";
import { link, type PendingMail } from "./mail";
import { consumeToken, issueToken, linkWaitSeconds, peekToken, retireTokens, TOKEN_TTL_MS } from "./tokens";

export interface SignedInCaller {
  id: string;
  email: string;
  displayName: string;
  /** The sign-in to keep. */
  sessionId: string;
}

/** Throws `current_password_incorrect` (or `login_throttled`) unless `password` is the account's. */
export async function confirmCurrentPassword(
  deps: Pick<AccountDeps, "db" | "now">,
  user: Pick<SignedInCaller, "id" | "email">,
  password: string,
  clientIp: string,
): Promise<void> {
  const subject = { email: user.email, ip: clientIp };
  const verdict = await beginLoginAttempt(deps.db, subject, deps.now);
  if (!verdict.allowed) {
    throw new DomainError("login_throttled", [
      { reason: "too_many_attempts", retryAfterSeconds: verdict.retryAfterSeconds },
    ]);
  }
  const [row] = await asService(deps.db, "confirm-password", (tx) =>
    tx.query<{ password_hash: string }>("select password_hash from public.users where id = $1", [user.id]),
  );
  if (!row || !(await verifyPassword(password, row.password_hash))) {
    throw new DomainError("current_password_incorrect", [{ field: "currentPassword", reason: "incorrect" }]);
  }
  await loginSucceeded(deps.db, subject);
}

function newPasswordHash(deps: Pick<AccountDeps, "bcryptCost">, password: string, email: string): Promise<string> {
  const rejection = checkPassword(password, { email });
  if (rejection) throw new DomainError("password_rejected", [{ field: "newPassword", reason: rejection }]);
  return hashPassword(password, deps.bcryptCost);
}

export async function changePassword(
  deps: AccountDeps,
  user: SignedInCaller,
  input: { currentPassword: string; newPassword: string },
  options: { clientIp: string; requestId?: string },
): Promise<{ revokedSessions: number; mails: PendingMail[] }> {
  await confirmCurrentPassword(deps, user, input.currentPassword, options.clientIp);
  const hash = await newPasswordHash(deps, input.newPassword, user.email);
  const revokedSessions = await asService(deps.db, "password-change", async (tx) => {
    await tx.query("update public.users set password_hash = $2 where id = $1", [user.id, hash]);
    const revoked = await tx.query(
      `update public.refresh_token_families set revoked_at = $3, revoked_reason = 'password_changed'
        where user_id = $1 and id <> $2 and revoked_at is null
        returning id`,
      [user.id, user.sessionId, deps.now],
    );
    await auditAccount(tx, {
      userId: user.id,
      action: "account.password_changed",
      now: deps.now,
      requestId: options.requestId,
      details: { revokedSessions: revoked.length },
    });
    return revoked.length;
  });
  const mail = {
    kind: "password_changed" as const,
    displayName: user.displayName,
    resetLink: link(deps, "/reset-password"),
  };
  return { revokedSessions, mails: [{ to: user.email, mail }] };
}

/**
 * Mails a reset link when the address belongs to an active account and fewer than three
 * were mailed this hour; otherwise nothing. The caller answers the same in every case.
 */
export async function requestPasswordReset(
  deps: AccountDeps,
  email: string,
  options: { requestId?: string } = {},
): Promise<{ mails: PendingMail[] }> {
  const address = normaliseEmail(email);
  if (address === null) throw new DomainError("validation_failed", [{ field: "email", reason: "email.invalid" }]);
  return asService(deps.db, "password-reset:request", async (tx) => {
    const [user] = await tx.query<{ id: string; status: string }>(
      "select id, status from public.users where email = $1 for update",
      [address],
    );
    if (!user || user.status !== "active") return { mails: [] };
    if ((await linkWaitSeconds(tx, { userId: user.id, purpose: "reset_password", now: deps.now })) > 0) {
      return { mails: [] };
    }
    const token = await issueToken(tx, { userId: user.id, purpose: "reset_password", now: deps.now });
    await auditAccount(tx, {
      userId: user.id,
      action: "account.password_reset_requested",
      now: deps.now,
      requestId: options.requestId,
    });
    const mail = {
      kind: "password_reset" as const,
      link: link(deps, "/reset-password", token),
      expiresMinutes: TOKEN_TTL_MS.reset_password / 60_000,
    };
    return { mails: [{ to: address, mail }] };
  });
}

export async function resetPassword(
  deps: AccountDeps,
  input: { token: string; newPassword: string },
  options: { requestId?: string } = {},
): Promise<{ revokedSessions: number }> {
  // Checked before hashing, so a dead link costs no bcrypt time; checked again under the lock.
  const [email] = await asService(deps.db, "password-reset:check", async (tx) => {
    const row = await peekToken(tx, input.token, ["reset_password"], deps.now);
    return tx.query<{ email: string }>("select email from public.users where id = $1", [row.user_id]);
  });
  const hash = await newPasswordHash(deps, input.newPassword, email!.email);
  return asService(deps.db, "password-reset", async (tx) => {
    const row = await consumeToken(tx, input.token, ["reset_password"], deps.now);
    await tx.query(
      `update public.users set password_hash = $2, email_verified_at = coalesce(email_verified_at, $3)
        where id = $1`,
      [row.user_id, hash, deps.now],
    );
    await retireTokens(tx, row.user_id, deps.now);
    const revokedSessions = await revokeAllForUser(tx, row.user_id, "password_changed", deps.now);
    await auditAccount(tx, {
      userId: row.user_id,
      action: "account.password_reset",
      now: deps.now,
      requestId: options.requestId,
      details: { revokedSessions },
    });
    return { revokedSessions };
  });
}
