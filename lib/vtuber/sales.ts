import { asService, asUser, type Claims } from "../db/session";
import type { Database } from "../db/types";
import { ownVtuberIdIn } from "./own-vtuber";

/** One campaign's figures. Fans are a count only: the console never names a fan. */
export interface SalesFigures {
  pulls: number;
  revenueJpy: number;
  refundsJpy: number;
  medalsGranted: number;
  fans: number;
}

export interface CampaignSales extends SalesFigures {
  campaignId: string;
  title: string;
  topItems: { itemId: string; name: string; rarity: string; drawn: number }[];
}

export interface SalesPoint {
  /** The hour (UTC) whose end the running totals stand at. */
  at: string;
  pulls: number;
  revenueJpy: number;
}

export interface Sales {
  campaigns: CampaignSales[];
  total: SalesFigures & { medalsSpent: number; exchanges: number };
  /** Running totals over time, from the per-minute rollups, one point per hour. */
  series: SalesPoint[];
  /** The newest rollup minute read; null before the first rollup. */
  asOf: string | null;
}

const PULLS = "gacha.pulls.total";
const REVENUE = "gacha.revenue.total";
const REFUNDS = "gacha.refunds.total";

/**
 * The caller's sales. Pulls, revenue and refunds are the rollups' figures (RLS lets a
 * VTuber read the rollups of their own campaigns), so the console agrees with the
 * operators' dashboards and moves when the rollup job runs. Medals, exchanges, fans and
 * top items are counted from the system of record on the service path, narrowed to the
 * campaigns the caller's own session could list, and leave as counts only.
 */
export async function readSales(db: Database, claims: Claims): Promise<Sales> {
  const own = await asUser(db, claims, async (tx) => {
    const vtuberId = await ownVtuberIdIn(tx, claims.sub);
    const campaigns = await tx.query<{ id: string; title: string }>(
      "select id, title from public.campaigns where vtuber_id = $1 order by created_at, id",
      [vtuberId],
    );
    // Each rollup row is one minute's amount: totals are their sums.
    const latest = await tx.query<{ metric: string; campaign_id: string; value: string; bucket: Date }>(
      `select metric, campaign_id, sum(value)::text as value, max(bucket) as bucket
         from public.metric_rollups
        where campaign_id = any($1::uuid[]) and metric = any($2::text[])
        group by metric, campaign_id`,
      [campaigns.map((c) => c.id), [PULLS, REVENUE, REFUNDS]],
    );
    const hourly = await tx.query<{ at: Date; metric: string; value: string }>(
      `select date_trunc('hour', bucket) as at, metric, sum(value)::text as value
         from public.metric_rollups
        where campaign_id = any($1::uuid[]) and metric = any($2::text[])
        group by 1, 2 order by 1`,
      [campaigns.map((c) => c.id), [PULLS, REVENUE]],
    );
    return { vtuberId, campaigns, latest, hourly };
  });

  const ids = own.campaigns.map((c) => c.id);
  const counted = await asService(db, "vtuber sales", async (tx) => ({
    perCampaign: await tx.query<{ campaign_id: string; medals: string; fans: string }>(
      `select p.campaign_id, coalesce(sum(p.medals_earned), 0)::text as medals, count(distinct p.user_id)::text as fans
         from public.pulls p where p.campaign_id = any($1::uuid[]) group by p.campaign_id`,
      [ids],
    ),
    top: await tx.query<{ campaign_id: string; item_id: string; name: string; rarity: string; drawn: string }>(
      `select campaign_id, item_id, name, rarity, drawn::text from (
         select i.campaign_id, i.id as item_id, i.name, i.rarity, count(*) as drawn,
                row_number() over (partition by i.campaign_id order by count(*) desc, i.name, i.id) as place
           from public.pull_results r join public.gacha_items i on i.id = r.item_id
          where i.campaign_id = any($1::uuid[])
          group by i.campaign_id, i.id, i.name, i.rarity) ranked
        where place <= 5 order by campaign_id, place`,
      [ids],
    ),
    totals: await tx.query<{ fans: string; spent: string; exchanges: string }>(
      `select (select count(distinct user_id) from public.pulls where campaign_id = any($1::uuid[]))::text as fans,
              (select coalesce(sum(cost_medals), 0) from public.exchanges where vtuber_id = $2)::text as spent,
              (select count(*) from public.exchanges where vtuber_id = $2)::text as exchanges`,
      [ids, own.vtuberId],
    ),
  }));

  const figure = (metric: string, campaignId: string) =>
    own.latest
      .filter((r) => r.metric === metric && r.campaign_id === campaignId)
      .reduce((s, r) => s + Number(r.value), 0);
  const campaigns: CampaignSales[] = own.campaigns.map((c) => {
    const counts = counted.perCampaign.find((r) => r.campaign_id === c.id);
    return {
      campaignId: c.id,
      title: c.title,
      pulls: figure(PULLS, c.id),
      revenueJpy: figure(REVENUE, c.id),
      refundsJpy: figure(REFUNDS, c.id),
      medalsGranted: Number(counts?.medals ?? 0),
      fans: Number(counts?.fans ?? 0),
      topItems: counted.top
        .filter((t) => t.campaign_id === c.id)
        .map((t) => ({ itemId: t.item_id, name: t.name, rarity: t.rarity, drawn: Number(t.drawn) })),
    };
  });
  const sum = (key: keyof SalesFigures) => campaigns.reduce((s, c) => s + c[key], 0);
  const totals = counted.totals[0]!;
  // Running totals: each hour's point adds that hour's amounts to the one before.
  const points = new Map<string, SalesPoint>();
  const running = { pulls: 0, revenueJpy: 0 };
  for (const row of own.hourly) {
    const at = row.at.toISOString();
    if (row.metric === PULLS) running.pulls += Number(row.value);
    else running.revenueJpy += Number(row.value);
    points.set(at, { at, ...running });
  }
  const newest = own.latest.reduce<Date | null>((max, r) => (max === null || r.bucket > max ? r.bucket : max), null);
  return {
    campaigns,
    total: {
      pulls: sum("pulls"),
      revenueJpy: sum("revenueJpy"),
      refundsJpy: sum("refundsJpy"),
      medalsGranted: sum("medalsGranted"),
      fans: Number(totals.fans),
      medalsSpent: Number(totals.spent),
      exchanges: Number(totals.exchanges),
    },
    series: [...points.values()],
    asOf: newest?.toISOString() ?? null,
  };
}

/** The figures shown, as CSV (UTF-8 with a BOM, so spreadsheet apps read the Japanese titles). */
export function salesCsv(sales: Sales): string {
  const quote = (value: string | number) => {
    const text = String(value);
    // A leading =, +, - or @ would be a formula to a spreadsheet: neutralised.
    const safe = /^[=+\-@]/.test(text) ? `'${text}` : text;
    return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
  };
  const lines = [
    ["campaign_id", "title", "pulls", "revenue_jpy", "refunds_jpy", "medals_granted", "fans"],
    ...sales.campaigns.map((c) => [
      c.campaignId,
      c.title,
      c.pulls,
      c.revenueJpy,
      c.refundsJpy,
      c.medalsGranted,
      c.fans,
    ]),
    [
      "total",
      "",
      sales.total.pulls,
      sales.total.revenueJpy,
      sales.total.refundsJpy,
      sales.total.medalsGranted,
      sales.total.fans,
    ],
  ];
  return `\uFEFF${lines.map((line) => line.map(quote).join(",")).join("\r\n")}\r\n`;
}
