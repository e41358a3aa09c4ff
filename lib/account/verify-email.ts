import "server-only";
/**
 * Opening a mailed link that proves a mailbox: the signup verification, or the
 * confirmation of an email change (the same page and route serve both; the link's
 * stored purpose says which). Confirming a change moves the account to the new address,
 * verified, and retires every other live link of the account: links mailed to the old
 * address must not act on the new one.
 */
import { asService } from "../db/session";
import { isUniqueViolation } from "../db/unique-violation";
import { DomainError } from "../domain-error";
import { auditAccount } from "./audit";
import type { AccountDeps } from "./deps";
import { link, type PendingMail } from "./mail";
import { consumeToken, issueToken, linkWaitSeconds, peekToken, retireTokens, TOKEN_TTL_MS } from "./tokens";

const PURPOSES = ["verify_email", "change_email"] as const;
const HOUR_MS = 3_600_000;

export interface LinkPreview {
  purpose: "verify_email" | "change_email";
  /** The address the link confirms. */
  email: string;
}

/** What a link will do, without using it (the page asks before it acts: mail scanners open links). */
export async function previewEmailLink(deps: Pick<AccountDeps, "db" | "now">, token: string): Promise<LinkPreview> {
  return asService(deps.db, "verify-email:preview", async (tx) => {
    const row = await peekToken(tx, token, PURPOSES, deps.now);
    const [user] = await tx.query<{ email: string }>("select email from public.users where id = $1", [row.user_id]);
    return { purpose: row.purpose as LinkPreview["purpose"], email: row.new_email ?? user!.email };
  });
}

export async function confirmEmailLink(
  deps: Pick<AccountDeps, "db" | "now">,
  token: string,
  options: { requestId?: string } = {},
): Promise<LinkPreview> {
  try {
    return await asService(deps.db, "verify-email:confirm", async (tx) => {
      const row = await consumeToken(tx, token, PURPOSES, deps.now);
      if (row.purpose === "verify_email") {
        const [user] = await tx.query<{ email: string }>(
          `update public.users set email_verified_at = coalesce(email_verified_at, $2)
            where id = $1 returning email`,
          [row.user_id, deps.now],
        );
        await auditAccount(tx, { userId: row.user_id, action: "account.email_verified", now: deps.now, ...options });
        return { purpose: "verify_email", email: user!.email };
      }
      await tx.query("update public.users set email = $2, email_verified_at = $3 where id = $1", [
        row.user_id,
        row.new_email,
        deps.now,
      ]);
      await retireTokens(tx, row.user_id, deps.now);
      await auditAccount(tx, { userId: row.user_id, action: "account.email_changed", now: deps.now, ...options });
      return { purpose: "change_email", email: row.new_email! };
    });
  } catch (err) {
    // Another account took the address since the link was mailed; the link stays unused.
    if (isUniqueViolation(err, "users_email_key")) {
      throw new DomainError("email_taken", [{ field: "email", reason: "taken" }]);
    }
    throw err;
  }
}

/** Mails a fresh verification link to a signed-in user whose address is not verified yet. */
export async function resendVerification(
  deps: AccountDeps,
  userId: string,
): Promise<{ status: "sent" | "already_verified"; mails: PendingMail[] }> {
  return asService(deps.db, "verify-email:resend", async (tx) => {
    const [user] = await tx.query<{ email: string; display_name: string; email_verified_at: Date | null }>(
      "select email, display_name, email_verified_at from public.users where id = $1 for update",
      [userId],
    );
    if (!user) throw new DomainError("unauthenticated");
    if (user.email_verified_at !== null) return { status: "already_verified" as const, mails: [] };
    const wait = await linkWaitSeconds(tx, { userId, purpose: "verify_email", now: deps.now });
    if (wait > 0) throw new DomainError("mail_throttled", [{ reason: "too_many_mails", retryAfterSeconds: wait }]);
    const token = await issueToken(tx, { userId, purpose: "verify_email", now: deps.now });
    const mail = {
      kind: "verify_email" as const,
      displayName: user.display_name,
      link: link(deps, "/verify-email", token),
      expiresHours: TOKEN_TTL_MS.verify_email / HOUR_MS,
    };
    return { status: "sent" as const, mails: [{ to: user.email, mail }] };
  });
}
