import "server-only";
/**
 * The fan's own data as one JSON document (個人情報保護法 第33条, a request for
 * disclosure; GDPR Art. 15/20 alike): profile, spend, purchases, pulls with their
 * results, medals, exchanges, rewards and sign-in sessions.
 *
 * Read as the fan (`asUser`), so Row Level Security decides what is theirs, and every
 * query also names the fan's id: an admin's policies see every row, and an admin's
 * export must still be only their own. The columns are listed, never `*`: no password
 * hash, no refresh-token hash, no idempotency keys or provider references, nothing a
 * later column added to a table would leak by default.
 */
import type { Columns } from "../db/rows";
import { asService, asUser, type Claims } from "../db/session";
import type { Database, Queryable } from "../db/types";
import { auditAccount } from "./audit";

export const EXPORT_FORMAT = "koepon-account-export/1";

export interface AccountExport {
  format: typeof EXPORT_FORMAT;
  exportedAt: string;
  profile: Record<string, unknown>;
  monthlySpend: Record<string, unknown>[];
  purchases: Record<string, unknown>[];
  pulls: (Record<string, unknown> & { results: Record<string, unknown>[] })[];
  medals: { balances: Record<string, unknown>[]; ledger: Record<string, unknown>[] };
  exchanges: Record<string, unknown>[];
  rewards: Record<string, unknown>[];
  sessions: Record<string, unknown>[];
}

type ProfileRow = Columns<
  "users",
  | "id"
  | "email"
  | "display_name"
  | "birthdate"
  | "role"
  | "status"
  | "terms_version"
  | "terms_accepted_at"
  | "voluntary_monthly_limit_jpy"
  | "created_at"
  | "updated_at"
>;

/** The export, audited (`account.export`, with the counts it held) once it has been read. */
export async function exportAccountData(
  db: Database,
  claims: Claims,
  options: { now: Date; requestId?: string },
): Promise<AccountExport> {
  const data = await readAccountData(db, claims, options.now);
  await asService(db, "account:export", (tx) =>
    auditAccount(tx, {
      userId: claims.sub,
      action: "account.export",
      details: { purchases: data.purchases.length, pulls: data.pulls.length, rewards: data.rewards.length },
      requestId: options.requestId,
      now: options.now,
    }),
  );
  return data;
}

async function readAccountData(db: Database, claims: Claims, now: Date): Promise<AccountExport> {
  const userId = claims.sub;
  return asUser(db, claims, async (tx) => {
    const [profile] = await tx.query<ProfileRow>(
      `select id, email, display_name, birthdate, role, status, terms_version, terms_accepted_at,
              voluntary_monthly_limit_jpy, created_at, updated_at
         from public.users where id = $1`,
      [userId],
    );
    const pulls = await rows(
      tx,
      `select p.id, p.purchase_id, p.campaign_id, c.title as campaign_title, p.pull_count, p.medals_earned,
              p.medal_balance_after, p.rate_table_id, p.rate_table_hash, p.created_at
         from public.pulls p left join public.campaigns c on c.id = p.campaign_id
        where p.user_id = $1 order by p.created_at, p.id`,
      userId,
    );
    const results = await rows(
      tx,
      `select r.pull_id, r.slot, r.item_id, i.name as item_name, r.rarity, r.guaranteed, r.medals
         from public.pull_results r
         join public.pulls p on p.id = r.pull_id
         left join public.gacha_items i on i.id = r.item_id
        where p.user_id = $1 order by r.pull_id, r.slot`,
      userId,
    );
    return {
      format: EXPORT_FORMAT,
      exportedAt: now.toISOString(),
      profile: profile ?? {},
      monthlySpend: await rows(
        tx,
        "select month, committed_jpy, pending_jpy from public.monthly_spend where user_id = $1 order by month",
        userId,
      ),
      purchases: await rows(
        tx,
        `select id, campaign_id, pull_count, amount_jpy, spend_month, status, provider, failure_code,
                created_at, paid_at, fulfilled_at, failed_at, refunded_at
           from public.purchases where user_id = $1 order by created_at, id`,
        userId,
      ),
      pulls: pulls.map((pull) => ({ ...pull, results: results.filter((r) => r.pull_id === pull.id) })),
      medals: {
        balances: await rows(
          tx,
          "select vtuber_id, balance, updated_at from public.medal_balances where user_id = $1 order by vtuber_id",
          userId,
        ),
        ledger: await rows(
          tx,
          `select id, vtuber_id, delta, balance_after, reason, pull_id, exchange_id, note, created_at
             from public.medal_ledger where user_id = $1 order by id`,
          userId,
        ),
      },
      exchanges: await rows(
        tx,
        `select id, exchange_item_id, vtuber_id, cost_medals, created_at
           from public.exchanges where user_id = $1 order by created_at, id`,
        userId,
      ),
      rewards: await rows(
        tx,
        `select id, vtuber_id, content_file_id, kind, title, source, pull_id, exchange_id, acquired_at
           from public.rewards where user_id = $1 order by acquired_at, id`,
        userId,
      ),
      // The fan may not read `user_id` here; the only policy on sessions is "their own", admins included.
      sessions: await tx.query<Record<string, unknown>>(
        `select id, created_at, last_used_at, revoked_at, user_agent
           from public.refresh_token_families order by created_at, id`,
      ),
    };
  });
}

function rows(tx: Queryable, sql: string, userId: string): Promise<Record<string, unknown>[]> {
  return tx.query<Record<string, unknown>>(sql, [userId]);
}
