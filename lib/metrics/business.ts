import "server-only";
/**
 * The business metrics, computed by SQL from the system of record. Nothing here counts
 * in memory: every instance gets the same figure, and any past interval can be computed
 * again later with the same result, because each figure reads timestamps that are set
 * once (a pull's creation, a purchase's fulfilment or refund, a refresh token's issue,
 * a user's sign-up) and never moved.
 */
import { jstDate } from "../auth/age";
import type { Database, Queryable } from "../db";
import { asService } from "../db/session";

/** A half-open interval `[from, to)`. */
export interface Interval {
  from: Date;
  to: Date;
}

export interface GachaFigures {
  /** Items drawn by single pulls. */
  pullsSingle: number;
  /** Items drawn by 10-pulls (ten per pull). */
  pullsTen: number;
  /** `gacha.pulls.total`: items drawn. */
  pullsTotal: number;
  /** `gacha.pulls.rate`: items drawn per minute of the interval. */
  pullsPerMinute: number;
  /** `gacha.revenue.total`: yen of purchases fulfilled in the interval. */
  revenueJpy: number;
  /** `gacha.refunds.total`: yen of purchases refunded in the interval. */
  refundsJpy: number;
}

export interface DailyUserFigures {
  /** The JST calendar day, `YYYY-MM-DD`. */
  day: string;
  /** `users.active.daily`. */
  active: number;
  /** Active users with a payment that day. */
  paying: number;
  /** `users.conversion.rate`: paying / active; null when nobody was active. */
  conversion: number | null;
  /** Users who signed up 7 JST days before `day`. */
  cohort: number;
  /** Of them, active on `day`. */
  retained: number;
  /** `users.retention.7day`: retained / cohort; null for an empty cohort. */
  retention7day: number | null;
}

export async function gachaFigures(db: Database, interval: Interval): Promise<GachaFigures> {
  return asService(db, "metrics", (tx) => gachaFiguresIn(tx, interval));
}

export async function gachaFiguresIn(tx: Queryable, { from, to }: Interval): Promise<GachaFigures> {
  const [row] = await tx.query<{ single: string; ten: string; revenue: string; refunds: string }>(
    `select
       (select coalesce(sum(pull_count), 0) from public.pulls
         where pull_count = 1 and created_at >= $1 and created_at < $2) as single,
       (select coalesce(sum(pull_count), 0) from public.pulls
         where pull_count = 10 and created_at >= $1 and created_at < $2) as ten,
       (select coalesce(sum(amount_jpy), 0) from public.purchases
         where fulfilled_at >= $1 and fulfilled_at < $2) as revenue,
       (select coalesce(sum(amount_jpy), 0) from public.purchases
         where refunded_at >= $1 and refunded_at < $2) as refunds`,
    [from, to],
  );
  const pullsSingle = Number(row!.single);
  const pullsTen = Number(row!.ten);
  const minutes = (to.getTime() - from.getTime()) / 60_000;
  const pullsTotal = pullsSingle + pullsTen;
  return {
    pullsSingle,
    pullsTen,
    pullsTotal,
    pullsPerMinute: minutes > 0 ? pullsTotal / minutes : 0,
    revenueJpy: Number(row!.revenue),
    refundsJpy: Number(row!.refunds),
  };
}

/** Where the JST day `day` (`YYYY-MM-DD`) begins and ends, as instants. */
export function jstDay(day: string): Interval {
  const from = new Date(`${day}T00:00:00+09:00`);
  return { from, to: new Date(from.getTime() + 86_400_000) };
}

/** The JST day `days` days after `day` (negative: before). */
export function addDays(day: string, days: number): string {
  return jstDate(new Date(jstDay(day).from.getTime() + days * 86_400_000));
}

/**
 * Who counts as active: a sign-in or a token refresh (each issues a refresh token, and a
 * browser refreshes every 15 minutes while in use) or a purchase started, in the day.
 * Requests made on one access token without a refresh are not recorded anywhere, so a
 * visit shorter than one token's life that began the day before is not counted.
 */
const ACTIVE_USERS = `
  select f.user_id from public.refresh_tokens t
    join public.refresh_token_families f on f.id = t.family_id
   where t.issued_at >= $1 and t.issued_at < $2
  union
  select user_id from public.purchases where created_at >= $1 and created_at < $2`;

export async function dailyUserFigures(db: Database, day: string): Promise<DailyUserFigures> {
  const today = jstDay(day);
  const cohortDay = jstDay(addDays(day, -7));
  const [row] = await asService(db, "metrics", (tx) =>
    tx.query<{ active: string; paying: string; cohort: string; retained: string }>(
      `with active as (${ACTIVE_USERS}),
            cohort as (select id from public.users where created_at >= $3 and created_at < $4)
       select
         (select count(*) from active) as active,
         (select count(distinct p.user_id) from public.purchases p
           where p.paid_at >= $1 and p.paid_at < $2 and p.user_id in (select user_id from active)) as paying,
         (select count(*) from cohort) as cohort,
         (select count(*) from cohort where id in (select user_id from active)) as retained`,
      [today.from, today.to, cohortDay.from, cohortDay.to],
    ),
  );
  const active = Number(row!.active);
  const paying = Number(row!.paying);
  const cohort = Number(row!.cohort);
  const retained = Number(row!.retained);
  return {
    day,
    active,
    paying,
    conversion: active > 0 ? paying / active : null,
    cohort,
    retained,
    retention7day: cohort > 0 ? retained / cohort : null,
  };
}

export interface CampaignTotals {
  campaignId: string;
  pullsSingle: number;
  pullsTen: number;
  revenueJpy: number;
  refundsJpy: number;
}

/**
 * Everything up to `until`, per campaign: the running totals a counter exposes
 * (Prometheus takes the rate itself). One row per campaign that ever sold or drew.
 */
export async function campaignTotals(db: Database, until: Date): Promise<CampaignTotals[]> {
  const rows = await asService(db, "metrics", (tx) =>
    tx.query<{ campaign_id: string; single: string; ten: string; revenue: string; refunds: string }>(
      `with pulls as (
         select campaign_id,
                coalesce(sum(pull_count) filter (where pull_count = 1), 0) as single,
                coalesce(sum(pull_count) filter (where pull_count = 10), 0) as ten
           from public.pulls where created_at < $1 group by campaign_id),
       money as (
         select campaign_id,
                coalesce(sum(amount_jpy) filter (where fulfilled_at < $1), 0) as revenue,
                coalesce(sum(amount_jpy) filter (where refunded_at < $1), 0) as refunds
           from public.purchases where fulfilled_at < $1 or refunded_at < $1 group by campaign_id)
       select coalesce(p.campaign_id, m.campaign_id) as campaign_id,
              coalesce(p.single, 0) as single, coalesce(p.ten, 0) as ten,
              coalesce(m.revenue, 0) as revenue, coalesce(m.refunds, 0) as refunds
         from pulls p full join money m on m.campaign_id = p.campaign_id
        order by 1`,
      [until],
    ),
  );
  return rows.map((r) => ({
    campaignId: r.campaign_id,
    pullsSingle: Number(r.single),
    pullsTen: Number(r.ten),
    revenueJpy: Number(r.revenue),
    refundsJpy: Number(r.refunds),
  }));
}
