/**
 * The books check after a restore: clean books pass every rule; each rule, broken once
 * (for its own fan, the way a bad restore or a hand edit would break it), is reported
 * once, naming that fan, and no other rule fires.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BOOK_RULES, checkBooks, type BookRule, type BooksReport } from "@/lib/books/check-books";
import { exchangeItem } from "@/lib/exchange/exchange-item";
import { seededRandom } from "@/lib/gacha/random";
import { payAndPull } from "@/lib/payments/pay-and-pull";
import { createTestDatabase, type TestDatabase } from "../helpers/database";
import * as fx from "../helpers/fixtures";
import { collectingSandbox, pullRequest } from "../helpers/payment-fixtures";

const NOW = new Date("2026-12-10T12:00:00Z");

let t: TestDatabase;
let vtuber: fx.VtuberFixture;
let gacha: fx.GachaFixture;
let item: fx.ExchangeItemFixture;

/** A fan with a fulfilled 10-pull and one exchange: every table the rules read has their rows. */
async function fanWithHistory(): Promise<{ user: fx.UserFixture; pullId: string }> {
  const user = await fx.createUser(t.db);
  const { provider } = collectingSandbox(t.db);
  const { pull } = await payAndPull(
    { db: t.db, provider, now: NOW, rng: seededRandom(11) },
    pullRequest(user, gacha.campaign, { count: 10 }),
  );
  await exchangeItem(t.db, { userId: user.id, itemId: item.id, idempotencyKey: `ex-${randomUUID()}`, now: NOW });
  return { user, pullId: pull.id };
}

function counts(report: BooksReport): Record<BookRule, number> {
  return Object.fromEntries(report.rules.map((r) => [r.rule, r.violations])) as Record<BookRule, number>;
}

beforeAll(async () => {
  t = await createTestDatabase();
  vtuber = await fx.createVtuber(t.db);
  gacha = await fx.createApprovedCampaign(t.db, vtuber, { medals: { N: 10, R: 20, SR: 50, SSR: 100 } });
  // A 10-pull earns at least 9 × 10 + 50 medals.
  item = await fx.createExchangeItem(t.db, vtuber, { costMedals: 100, perUserLimit: null });
});

afterAll(async () => {
  await t?.close();
});

describe("checkBooks", () => {
  it("passes books written by the saga and the exchange", async () => {
    await fanWithHistory();
    await fanWithHistory();
    const report = await checkBooks(t.db);
    expect(report.rules.map((r) => r.rule)).toEqual(BOOK_RULES);
    expect(report.violations).toEqual([]);
    expect(report.ok).toBe(true);
  });

  it("reports each broken rule once, for the fan whose rows were broken", async () => {
    const medals = await fanWithHistory();
    const delivery = await fanWithHistory();
    const source = await fanWithHistory();
    const spend = await fanWithHistory();

    // Run as the database owner, around the grants and triggers, as a damaged restore would be.
    await t.db.query("update public.medal_balances set balance = balance + 7 where user_id = $1", [medals.user.id]);
    const [drawn] = await t.db.query<{ id: string }>(
      "select id from public.rewards where user_id = $1 and source = 'pull' limit 1",
      [delivery.user.id],
    );
    await t.db.query("delete from public.rewards where id = $1", [drawn!.id]);
    const stray = await fx.createContentFile(t.db, vtuber);
    await t.db.query(
      `insert into public.rewards (user_id, content_file_id, vtuber_id, title, kind, source, pull_id)
       values ($1, $2, $3, 'never drawn', 'voice', 'pull', $4)`,
      [source.user.id, stray.id, vtuber.id, source.pullId],
    );
    await t.db.query("update public.monthly_spend set committed_jpy = committed_jpy + 100 where user_id = $1", [
      spend.user.id,
    ]);

    const report = await checkBooks(t.db);
    expect(report.ok).toBe(false);
    expect(counts(report)).toEqual({
      medal_ledger_matches_balances: 1,
      fulfilled_purchases_delivered: 1,
      rewards_have_a_source: 1,
      monthly_spend_matches_purchases: 1,
    });
    const owner = (rule: BookRule) => report.violations.find((v) => v.rule === rule)?.detail.user_id;
    expect(owner("medal_ledger_matches_balances")).toBe(medals.user.id);
    expect(owner("fulfilled_purchases_delivered")).toBe(delivery.user.id);
    expect(owner("rewards_have_a_source")).toBe(source.user.id);
    expect(owner("monthly_spend_matches_purchases")).toBe(spend.user.id);

    const ledger = report.violations.find((v) => v.rule === "medal_ledger_matches_balances")!.detail;
    expect(Number(ledger.balance) - Number(ledger.ledger_sum)).toBe(7);
  });

  it("catches a fulfilled purchase whose pull is missing", async () => {
    const fan = await fanWithHistory();
    // A restore that lost the pull but kept the purchase: rows that point at it go too.
    await t.db.transaction(async (tx) => {
      await tx.query("set local session_replication_role = replica");
      await tx.query("delete from public.pull_results where pull_id = $1", [fan.pullId]);
      await tx.query("delete from public.pulls where id = $1", [fan.pullId]);
    });
    const report = await checkBooks(t.db);
    const missing = report.violations.filter(
      (v) => v.rule === "fulfilled_purchases_delivered" && v.detail.user_id === fan.user.id,
    );
    expect(missing).toHaveLength(1);
    expect(missing[0]!.detail.pull_id).toBeNull();
  });
});
