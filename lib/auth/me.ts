import "server-only";
/**
 * The signed-in user's own account as `GET /api/me` shows it. Read as the user (RLS), the
 * way every user-scoped query runs: the policies, not this code, decide it is theirs.
 */
import { asUser, type Claims } from "../db/session";
import type { Database } from "../db/types";
import { ageBand, ageOn, jstMonthStart, monthlyLimitJpy, type AgeBand } from "./age";
import type { AppRole } from "./caller";

export interface Me {
  id: string;
  email: string;
  displayName: string;
  role: AppRole;
  birthdate: string;
  ageBand: AgeBand;
  /** This JST month's spend, pending payments included: what the cap counts. */
  monthlySpendJpy: number;
  /** null: no limit (an adult without a voluntary limit). */
  monthlyLimitJpy: number | null;
  /** Paying needs a verified address. */
  emailVerified: boolean;
  /** An email change waiting for its confirmation link to be opened, if any. */
  pendingEmail: string | null;
}

export async function getMe(db: Database, claims: Claims, now: Date): Promise<Me> {
  const month = jstMonthStart(now);
  const [row] = await asUser(db, claims, (tx) =>
    tx.query<{
      id: string;
      email: string;
      display_name: string;
      role: AppRole;
      birthdate: string;
      voluntary_monthly_limit_jpy: number | null;
      spend_jpy: number;
      email_verified_at: Date | null;
      pending_email: string | null;
    }>(
      `select u.id, u.email, u.display_name, u.role, u.birthdate, u.voluntary_monthly_limit_jpy,
              coalesce(s.committed_jpy + s.pending_jpy, 0) as spend_jpy, u.email_verified_at,
              (select t.new_email from public.account_tokens t
                where t.user_id = u.id and t.purpose = 'change_email' and t.used_at is null and t.expires_at > $3
                order by t.created_at desc limit 1) as pending_email
         from public.users u
         left join public.monthly_spend s on s.user_id = u.id and s.month = $2
        where u.id = $1`,
      [claims.sub, month, now],
    ),
  );
  if (!row) throw new Error("The signed-in user cannot read their own account");
  const band = ageBand(ageOn(row.birthdate, now));
  return {
    id: row.id,
    email: row.email,
    displayName: row.display_name,
    role: row.role,
    birthdate: row.birthdate,
    ageBand: band,
    monthlySpendJpy: row.spend_jpy,
    monthlyLimitJpy: monthlyLimitJpy(band, row.voluntary_monthly_limit_jpy),
    emailVerified: row.email_verified_at !== null,
    pendingEmail: row.pending_email,
  };
}
