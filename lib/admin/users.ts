import "server-only";
/**
 * Users as an admin sees them: a search by email or display name, and one user's page
 * (role, age band, status, this month's spend against the cap, purchases, pulls, medals,
 * live sign-ins). Columns are named one by one: no password hash or token ever leaves.
 */
import type { AppRole } from "../auth/caller";
import { asService } from "../db/session";
import type { Database } from "../db/types";
import { DomainError } from "../domain-error";
import { UUID_PATTERN } from "../ids";
import { spendingCapFor } from "../payments/spending-cap";
import type { AgeBand } from "../auth/age";

export const USER_PAGE_SIZE = 20;

export interface UserSummary {
  id: string;
  email: string;
  displayName: string;
  role: AppRole;
  status: "active" | "suspended";
  createdAt: string;
}

/** `%` and `_` in the search are letters, not wildcards. */
function likePattern(q: string): string {
  return `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * Newest accounts first, `USER_PAGE_SIZE` at a time; `before` is the last id of the
 * previous page (`nextCursor`), so pages stay stable while new accounts sign up.
 */
export async function searchUsers(
  db: Database,
  options: { q?: string | null; before?: string | null },
): Promise<{ users: UserSummary[]; nextCursor: string | null }> {
  const q = options.q?.trim() ?? "";
  const rows = await asService(db, "admin-users:search", (tx) =>
    tx.query<{
      id: string;
      email: string;
      display_name: string;
      role: AppRole;
      status: UserSummary["status"];
      created_at: Date;
    }>(
      `select id, email, display_name, role, status, created_at from public.users u
        where ($1 = '' or u.email like lower($2) or u.display_name ilike $2)
          and ($3::uuid is null or (u.created_at, u.id) < (select created_at, id from public.users where id = $3::uuid))
        order by u.created_at desc, u.id desc
        limit ${USER_PAGE_SIZE + 1}`,
      [q, likePattern(q), options.before ?? null],
    ),
  );
  const page = rows.slice(0, USER_PAGE_SIZE);
  return {
    users: page.map((r) => ({
      id: r.id,
      email: r.email,
      displayName: r.display_name,
      role: r.role,
      status: r.status,
      createdAt: r.created_at.toISOString(),
    })),
    nextCursor: rows.length > USER_PAGE_SIZE ? page[page.length - 1]!.id : null,
  };
}

export interface UserDetail extends UserSummary {
  ageBand: AgeBand;
  month: string;
  spentJpy: number;
  pendingJpy: number;
  capJpy: number | null;
  voluntaryMonthlyLimitJpy: number | null;
  activeSessions: number;
  pulls: number;
  purchases: {
    id: string;
    status: string;
    pullCount: number;
    amountJpy: number;
    campaignTitle: string;
    createdAt: string;
  }[];
  medals: { vtuberId: string; vtuberName: string; balance: number }[];
}

export async function getUserDetail(db: Database, userId: string, now: Date): Promise<UserDetail> {
  if (!UUID_PATTERN.test(userId)) throw new DomainError("not_found");
  return asService(db, "admin-users:detail", async (tx) => {
    const [u] = await tx.query<{
      id: string;
      email: string;
      display_name: string;
      role: AppRole;
      status: UserSummary["status"];
      created_at: Date;
      birthdate: string;
      voluntary_monthly_limit_jpy: number | null;
    }>(
      `select id, email, display_name, role, status, created_at, birthdate::text as birthdate, voluntary_monthly_limit_jpy
         from public.users where id = $1`,
      [userId],
    );
    if (!u) throw new DomainError("not_found");
    const cap = spendingCapFor(
      { birthdate: u.birthdate, voluntaryMonthlyLimitJpy: u.voluntary_monthly_limit_jpy },
      now,
    );
    const [spend] = await tx.query<{ committed: number; pending: number }>(
      "select committed_jpy as committed, pending_jpy as pending from public.monthly_spend where user_id = $1 and month = $2",
      [userId, cap.month],
    );
    const [sessions] = await tx.query<{ n: number }>(
      `select count(*)::int as n from public.refresh_token_families f
        where f.user_id = $1 and f.revoked_at is null
          and exists (select 1 from public.refresh_tokens t where t.family_id = f.id and t.expires_at > $2)`,
      [userId, now],
    );
    const [pulls] = await tx.query<{ n: number }>("select count(*)::int as n from public.pulls where user_id = $1", [
      userId,
    ]);
    const purchases = await tx.query<{
      id: string;
      status: string;
      pull_count: number;
      amount_jpy: number;
      title: string;
      created_at: Date;
    }>(
      `select p.id, p.status, p.pull_count, p.amount_jpy, c.title, p.created_at
         from public.purchases p join public.campaigns c on c.id = p.campaign_id
        where p.user_id = $1 order by p.created_at desc, p.id desc limit 20`,
      [userId],
    );
    const medals = await tx.query<{ vtuber_id: string; name: string; balance: number }>(
      `select b.vtuber_id, v.name, b.balance from public.medal_balances b join public.vtubers v on v.id = b.vtuber_id
        where b.user_id = $1 order by v.name`,
      [userId],
    );
    return {
      id: u.id,
      email: u.email,
      displayName: u.display_name,
      role: u.role,
      status: u.status,
      createdAt: u.created_at.toISOString(),
      ageBand: cap.ageBand,
      month: cap.month,
      spentJpy: spend?.committed ?? 0,
      pendingJpy: spend?.pending ?? 0,
      capJpy: cap.capJpy,
      voluntaryMonthlyLimitJpy: u.voluntary_monthly_limit_jpy,
      activeSessions: sessions!.n,
      pulls: pulls!.n,
      purchases: purchases.map((p) => ({
        id: p.id,
        status: p.status,
        pullCount: p.pull_count,
        amountJpy: p.amount_jpy,
        campaignTitle: p.title,
        createdAt: p.created_at.toISOString(),
      })),
      medals: medals.map((m) => ({ vtuberId: m.vtuber_id, vtuberName: m.name, balance: m.balance })),
    };
  });
}
