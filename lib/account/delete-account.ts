import "server-only";
/**
 * Deleting one's own account (個人情報保護法 第35条, a request to stop using and erase).
 *
 * The user row is kept and anonymised rather than deleted: purchases, payments, pulls
 * and audit rows reference it, and the law keeps them (帳簿 for 7 years under the
 * Corporation Tax Act, the 特定商取引法 and Payment records for refunds and disputes). None
 * of those rows holds a personal field of their own; what made them personal was the
 * user row, and that is what changes, in one transaction with the revocations:
 * - email → `deleted+<id>@invalid` (unique, never deliverable, frees the address);
 * - display name → a fixed label; voluntary limit removed;
 * - birthdate → 1 January of the birth year: kept purchases may still need to show
 *   whether the buyer could have been a minor (未成年者取消権), nothing finer;
 * - password hash → the hash of random bytes nobody holds, status `suspended`,
 *   `deleted_at` set: no sign-in, no token refresh, no request with an old access token;
 * - every session revoked and its user agent erased.
 * After the commit the payment provider forgets the fan's customer and saved cards.
 *
 * A VTuber account is refused (`vtuber_has_open_campaigns`) while a campaign is in review,
 * or approved and not yet ended: fans are buying it. Once none is, the VTuber profile is
 * suspended with the account: it leaves the catalog, and fans keep what they own.
 * An admin account is refused (`forbidden`): another admin removes the role first, so
 * the service is never left without one by accident.
 */
import { randomBytes } from "node:crypto";
import { revokeAllForUser } from "../auth/refresh-tokens";
import { hashPassword, verifyPassword } from "../auth/password";
import type { Columns } from "../db/rows";
import { asService } from "../db/session";
import type { Database } from "../db/types";
import { DomainError } from "../domain-error";
import { log } from "../log/logger";
import type { PaymentProvider } from "../payments/providers/types";
import { auditAccount } from "./audit";

/** What the fan types to confirm, in either language. */
export const DELETE_CONFIRMATIONS = ["削除します", "DELETE"] as const;

export const DELETED_DISPLAY_NAME = "退会済みユーザー";

export interface DeleteAccountDeps {
  db: Database;
  provider: Pick<PaymentProvider, "forgetCustomer">;
  bcryptCost: number;
  now: Date;
}

export interface DeleteAccountInput {
  userId: string;
  password: string;
  confirmation: string;
  requestId?: string;
}

export function deletedEmail(userId: string): string {
  return `deleted+${userId}@invalid`;
}

export async function deleteAccount(
  deps: DeleteAccountDeps,
  input: DeleteAccountInput,
): Promise<{ deletedAt: Date; revokedSessions: number }> {
  const typed = input.confirmation.normalize("NFKC").trim();
  if (!DELETE_CONFIRMATIONS.some((phrase) => phrase === typed)) {
    throw new DomainError("confirmation_mismatch", [{ field: "confirmation", reason: "confirmation_mismatch" }]);
  }

  const [user] = await asService(deps.db, "account:delete", (tx) =>
    tx.query<Columns<"users", "password_hash" | "role">>(
      "select password_hash, role from public.users where id = $1 and deleted_at is null",
      [input.userId],
    ),
  );
  if (!user) throw new DomainError("not_found");
  if (!(await verifyPassword(input.password, user.password_hash))) {
    throw new DomainError("current_password_incorrect", [{ field: "password", reason: "current_password_incorrect" }]);
  }
  if (user.role === "admin") throw new DomainError("forbidden", [{ reason: "admin_account" }]);
  const unusableHash = await hashPassword(randomBytes(32).toString("base64url"), deps.bcryptCost);

  const result = await asService(deps.db, "account:delete", async (tx) => {
    const [locked] = await tx.query<Columns<"users", "deleted_at">>(
      "select deleted_at from public.users where id = $1 for update",
      [input.userId],
    );
    // A second request that waited on the lock finds the work done.
    if (!locked || locked.deleted_at !== null) throw new DomainError("not_found");

    const [open] = await tx.query<{ open: number }>(
      `select count(*)::int as open
         from public.campaigns c join public.vtubers v on v.id = c.vtuber_id
        where v.user_id = $1
          and (c.status = 'in_review' or (c.status = 'approved' and c.ends_at > $2))`,
      [input.userId, deps.now],
    );
    if (open!.open > 0) {
      throw new DomainError("vtuber_has_open_campaigns", [{ reason: "open_campaigns", openCampaigns: open!.open }]);
    }

    await tx.query(
      `update public.users
          set email = $2, display_name = $3, password_hash = $4,
              birthdate = make_date(extract(year from birthdate)::int, 1, 1),
              voluntary_monthly_limit_jpy = null, status = 'suspended', deleted_at = $5
        where id = $1`,
      [input.userId, deletedEmail(input.userId), DELETED_DISPLAY_NAME, unusableHash, deps.now],
    );
    await tx.query("update public.vtubers set status = 'suspended' where user_id = $1", [input.userId]);
    // `logout_all`: the constraint's reason for "every session of the account ended".
    const revokedSessions = await revokeAllForUser(tx, input.userId, "logout_all", deps.now);
    await tx.query("update public.refresh_token_families set user_agent = null where user_id = $1", [input.userId]);
    await auditAccount(tx, {
      userId: input.userId,
      action: "account.delete",
      details: { role: user.role, revokedSessions },
      requestId: input.requestId,
      now: deps.now,
    });
    return { deletedAt: deps.now, revokedSessions };
  });

  try {
    await deps.provider.forgetCustomer(input.userId);
  } catch (err) {
    // The account is gone either way and nobody can sign in to use the cards; an operator
    // deletes the customer in Stripe's dashboard (its metadata names the user id).
    log("alert", "account.forget_customer_failed", { userId: input.userId, error: err });
  }
  return result;
}
