/**
 * The indexes of 20261206000300_time_window_indexes.sql, proven by the planner: on a
 * seeded volume (10,000 purchases and pulls over 60 days, 2,500 fans, 10 campaigns, 2,500
 * sessions), each one-hour window query the business metrics and the rollups job run
 * is planned through its index, at a fraction
 * of the estimated cost of its plan without it (the index dropped inside a transaction
 * that is rolled back: a full scan of the table or of an unsuited index). Both plans
 * are printed with their costs.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database, Queryable } from "@/lib/db";
import { createTestDatabase, type TestDatabase } from "../helpers/database";
import * as fx from "../helpers/fixtures";

const N = 10_000;
const PEOPLE = 2_500;
const CAMPAIGNS = 10;
const START = "2026-09-01T00:00:00Z";

let database: TestDatabase;
let db: Database;

/** A one-hour window in the middle of the seeded 60 days: what a dashboard or the jobs ask. */
const FROM = "'2026-10-01T10:00:00Z'::timestamptz";
const TO = "'2026-10-01T11:00:00Z'::timestamptz";

const QUERIES: { index: string; table: string; sql: string }[] = [
  {
    index: "pulls_created_idx",
    table: "pulls",
    sql: `select sum(pull_count) from public.pulls where created_at >= ${FROM} and created_at < ${TO}`,
  },
  {
    index: "purchases_fulfilled_idx",
    table: "purchases",
    sql: `select sum(amount_jpy) from public.purchases where fulfilled_at >= ${FROM} and fulfilled_at < ${TO}`,
  },
  {
    index: "purchases_refunded_idx",
    table: "purchases",
    sql: `select sum(amount_jpy) from public.purchases where refunded_at >= ${FROM} and refunded_at < ${TO}`,
  },
  {
    index: "purchases_paid_idx",
    table: "purchases",
    sql: `select count(distinct user_id) from public.purchases where paid_at >= ${FROM} and paid_at < ${TO}`,
  },
  {
    index: "purchases_created_idx",
    table: "purchases",
    sql: `select user_id from public.purchases where created_at >= ${FROM} and created_at < ${TO}`,
  },
  {
    index: "refresh_tokens_issued_idx",
    table: "refresh_tokens",
    sql: `select family_id from public.refresh_tokens where issued_at >= ${FROM} and issued_at < ${TO}`,
  },
  {
    index: "users_created_idx",
    table: "users",
    sql: `select count(*) from public.users where created_at >= ${FROM} and created_at < ${TO}`,
  },
];

interface PlanNode {
  "Node Type": string;
  "Total Cost": number;
  "Relation Name"?: string;
  "Index Name"?: string;
  Plans?: PlanNode[];
}

function nodes(plan: PlanNode): PlanNode[] {
  return [plan, ...(plan.Plans ?? []).flatMap(nodes)];
}

async function plan(tx: Queryable, sql: string): Promise<PlanNode[]> {
  const [row] = await tx.query<{ "QUERY PLAN": [{ Plan: PlanNode }] | string }>(`explain (format json) ${sql}`);
  const raw = row!["QUERY PLAN"];
  const parsed = typeof raw === "string" ? (JSON.parse(raw) as [{ Plan: PlanNode }]) : raw;
  return nodes(parsed[0].Plan);
}

const describePlan = (ns: PlanNode[]) =>
  ns
    .map(
      (n) =>
        `${n["Node Type"]}${n["Index Name"] ? ` using ${n["Index Name"]}` : ""}${n["Relation Name"] ? ` on ${n["Relation Name"]}` : ""}`,
    )
    .join(" → ");

/** Row g of N, spread evenly over 60 days from START, as a timestamp expression. */
const spread = (g: string) =>
  `'${START}'::timestamptz + (${g} * interval '1 second' * ${Math.floor((60 * 86_400) / N)})`;

beforeAll(async () => {
  database = await createTestDatabase();
  db = database.db;
  const vtuber = await fx.createVtuber(db);
  const gacha = await fx.createApprovedCampaign(db, vtuber);
  // Many fans and several campaigns, so an index led by user_id or campaign_id is no
  // shortcut to a window of time.
  const campaigns = [gacha.campaign.id];
  for (let i = 1; i < CAMPAIGNS; i++) campaigns.push((await fx.createApprovedCampaign(db, vtuber)).campaign.id);
  const fan = await fx.createUser(db);
  const purchase = await fx.createPurchase(db, fan, gacha.campaign, { status: "fulfilled" });
  const pull = await fx.createPull(db, purchase, gacha);
  await fx.createSession(db, fan, [new Date(START)]);

  // Copies of real rows (so every constraint and reference holds), spread over 60 days.
  await db.query(
    `insert into public.users
     select (jsonb_populate_record(null::public.users, to_jsonb(b) || jsonb_build_object(
              'id', gen_random_uuid(), 'email', 'bulk' || g || '@example.com',
              'created_at', ${spread(`g * ${N / PEOPLE}`)}))).*
       from public.users b, generate_series(1, ${PEOPLE}) g where b.id = $1`,
    [fan.id],
  );
  await db.query(
    `insert into public.purchases
     select (jsonb_populate_record(null::public.purchases, to_jsonb(b) || jsonb_build_object(
              'id', gen_random_uuid(), 'idempotency_key', 'bulk-key-' || g, 'provider_payment_id', null,
              'campaign_id', ($2::uuid[])[1 + g % ${CAMPAIGNS}], 'user_id', (bulk.ids)[1 + g % ${PEOPLE}],
              'status', case when g % 50 = 0 then 'refunded' else 'fulfilled' end,
              'created_at', ${spread("g")}, 'paid_at', ${spread("g")}, 'fulfilled_at', ${spread("g")},
              'refunded_at', case when g % 50 = 0 then ${spread("g")} + interval '1 day' end))).*
       from public.purchases b, generate_series(1, ${N}) g,
            (select array_agg(id) as ids from public.users where email like 'bulk%') bulk
      where b.id = $1`,
    [purchase.id, campaigns],
  );
  await db.query(
    `insert into public.pulls (purchase_id, user_id, campaign_id, rate_table_id, rate_table_hash, pull_count, medals_earned, created_at)
     select p.id, p.user_id, p.campaign_id, b.rate_table_id, b.rate_table_hash, p.pull_count, 0, p.created_at
       from public.purchases p, public.pulls b where b.id = $1 and p.idempotency_key like 'bulk-key-%'`,
    [pull.id],
  );
  await db.query(
    `insert into public.refresh_tokens (family_id, token_hash, issued_at, expires_at)
     select b.family_id, encode(sha256(('bulk' || g)::bytea), 'hex'), ${spread(`g * ${N / PEOPLE}`)},
            ${spread(`g * ${N / PEOPLE}`)} + interval '30 days'
       from (select family_id from public.refresh_tokens limit 1) b, generate_series(1, ${PEOPLE}) g`,
  );
  for (const table of ["purchases", "pulls", "users", "refresh_tokens"]) {
    await db.query(`analyze public.${table}`);
  }
}, 120_000);

afterAll(async () => {
  await database?.close();
});

describe("time-window indexes", () => {
  it.each(QUERIES)(
    "$index: the plan of the window on $table uses it, and costs less than without it",
    async ({ index, table, sql }) => {
      const withIndex = await plan(db, sql);
      const without = await db
        .transaction(async (tx) => {
          await tx.query(`drop index public.${index}`);
          const p = await plan(tx, sql);
          // Rolled back: the index is back for the next query.
          throw Object.assign(new Error("rollback"), { plan: p });
        })
        .catch((err: { plan?: PlanNode[] }) => {
          if (!err.plan) throw err;
          return err.plan;
        });
      const cost = (ns: PlanNode[]) => ns[0]!["Total Cost"].toFixed(0);
      console.log(
        `${index}\n  without (cost ${cost(without)}): ${describePlan(without)}\n  with    (cost ${cost(withIndex)}): ${describePlan(withIndex)}`,
      );

      expect(withIndex.some((n) => n["Index Name"] === index)).toBe(true);
      // The planner's own estimate (not a timing): without the index it reads far more.
      expect(without[0]!["Total Cost"]).toBeGreaterThan(withIndex[0]!["Total Cost"] * 5);
      expect(withIndex.some((n) => n["Node Type"] === "Seq Scan" && n["Relation Name"] === table)).toBe(false);
    },
  );
});
