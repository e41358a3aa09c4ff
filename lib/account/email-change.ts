import "server-only";
/**
 * Changing the account's address: the current password is asked again (a session left
 * open on a shared machine must not be able to take the account over), a confirmation
 * link goes to the new address and a notice to the old one, and nothing changes until
 * the link is opened (lib/account/verify-email.ts). Whether the new address is taken is
 * not checked here, so the form cannot probe for accounts; the unique index decides at
 * confirmation, where only the new mailbox's holder learns it.
 */
import { asService } from "../db/session";
import { DomainError } from "../domain-error";
import { normaliseEmail } from "../auth/email";
import { auditAccount } from "./audit";
import type { AccountDeps } from "./deps";
import { link, type PendingMail } from "./mail";
import { confirmCurrentPassword, type SignedInCaller } from "./password";
import { issueToken, linkWaitSeconds, TOKEN_TTL_MS } from "./tokens";

export async function requestEmailChange(
  deps: AccountDeps,
  user: SignedInCaller,
  input: { newEmail: string; currentPassword: string },
  options: { clientIp: string; requestId?: string },
): Promise<{ mails: PendingMail[] }> {
  const newEmail = normaliseEmail(input.newEmail);
  if (newEmail === null) throw new DomainError("validation_failed", [{ field: "newEmail", reason: "email.invalid" }]);
  if (newEmail === user.email) {
    throw new DomainError("validation_failed", [{ field: "newEmail", reason: "email.unchanged" }]);
  }
  await confirmCurrentPassword(deps, user, input.currentPassword, options.clientIp);
  return asService(deps.db, "email-change:request", async (tx) => {
    await tx.query("select 1 from public.users where id = $1 for update", [user.id]);
    const wait = await linkWaitSeconds(tx, { userId: user.id, purpose: "change_email", now: deps.now });
    if (wait > 0) throw new DomainError("mail_throttled", [{ reason: "too_many_mails", retryAfterSeconds: wait }]);
    const token = await issueToken(tx, { userId: user.id, purpose: "change_email", newEmail, now: deps.now });
    await auditAccount(tx, {
      userId: user.id,
      action: "account.email_change_requested",
      now: deps.now,
      requestId: options.requestId,
    });
    const common = { displayName: user.displayName, newEmail };
    return {
      mails: [
        {
          to: newEmail,
          mail: {
            kind: "email_change_confirm",
            ...common,
            link: link(deps, "/verify-email", token),
            expiresHours: TOKEN_TTL_MS.change_email / 3_600_000,
          },
        },
        { to: user.email, mail: { kind: "email_change_notice", ...common } },
      ],
    };
  });
}
