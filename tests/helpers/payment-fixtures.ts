/**
 * Builders for the payment tests: a sandbox provider whose webhooks are collected
 * instead of posted, buyers of a chosen age, and one snapshot of every money and medal
 * figure a purchase touches, so tests compare the books with each other.
 */
import { randomUUID } from "node:crypto";
import { expect } from "vitest";
import { jstDate } from "@/lib/auth/age";
import { asService } from "@/lib/db/session";
import type { Database } from "@/lib/db/types";
import { createSandboxProvider } from "@/lib/payments/providers/sandbox";
import type { SignedDelivery } from "@/lib/payments/providers/stripe-signature";
import type { PaymentProvider } from "@/lib/payments/providers/types";
import type { PullRequest } from "@/lib/payments/reserve";
import { createUser, type UserFixture } from "./fixtures";

export const SANDBOX_SECRET = "whsec_koepon_test_sandbox";

export interface CollectingSandbox {
  provider: PaymentProvider;
  /** Every webhook the sandbox emitted, signed, in order. */
  deliveries: SignedDelivery[];
}

/** The real sandbox provider, its webhooks kept for the test to deliver (or not). */
export function collectingSandbox(db: Database, options: { now?: () => Date } = {}): CollectingSandbox {
  const deliveries: SignedDelivery[] = [];
  const provider = createSandboxProvider({
    db,
    webhookSecret: SANDBOX_SECRET,
    deliver: (delivery) => deliveries.push(delivery),
    now: options.now,
  });
  return { provider, deliveries };
}

/** Points the process-wide provider slot (lib/payments/providers) at `provider`; returns the undo. */
export function usePaymentProvider(provider: PaymentProvider): () => void {
  const slot = Symbol.for("koepon.paymentProvider");
  const g = globalThis as typeof globalThis & { [slot]?: Promise<PaymentProvider> };
  const previous = g[slot];
  g[slot] = Promise.resolve(provider);
  return () => {
    if (previous === undefined) delete g[slot];
    else g[slot] = previous;
  };
}

/** A birthdate that makes someone exactly `age` (in whole years) on the JST date of `now`. */
export function birthdateForAge(age: number, now: Date): string {
  const year = Number(jstDate(now).slice(0, 4)) - age;
  // 1 January: the birthday has always passed by any date of the year.
  return `${String(year).padStart(4, "0")}-01-01`;
}

export function createBuyer(
  db: Database,
  options: { age: number; now: Date; voluntaryMonthlyLimitJpy?: number | null },
): Promise<UserFixture> {
  return createUser(db, {
    birthdate: birthdateForAge(options.age, options.now),
    voluntaryMonthlyLimitJpy: options.voluntaryMonthlyLimitJpy ?? null,
  });
}

/** A pull request with a fresh key; override any field. */
export function pullRequest(
  user: { id: string },
  campaign: { id: string },
  overrides: Partial<PullRequest> = {},
): PullRequest {
  return {
    userId: user.id,
    campaignId: campaign.id,
    count: 1,
    paymentMethodId: "pm_card_visa",
    idempotencyKey: `key-${randomUUID()}`,
    ...overrides,
  };
}

export interface MoneySnapshot {
  purchasesByStatus: Record<string, number>;
  committedJpy: number;
  pendingJpy: number;
  pulls: number;
  /** Σ pulls.medals_earned */
  pullMedals: number;
  /** Σ pull_results.medals */
  resultMedals: number;
  /** Σ medal_ledger.delta for pulls */
  ledgerMedals: number;
  ledgerRows: number;
  balance: number;
  /** Payment intents the sandbox recorded for this user's purchases (charges). */
  charges: number;
  rewards: number;
  /** Webhook deliveries recorded for this user's purchases, and how many of them were processed. */
  webhookEvents: number;
  webhookEventsProcessed: number;
}

/** Every figure a user's purchases touch, read in one transaction. */
export async function moneyOf(db: Database, user: { id: string }, vtuber: { id: string }): Promise<MoneySnapshot> {
  return asService(db, "test-money", async (tx) => {
    const one = async <T>(sql: string, params: unknown[] = [user.id]) => (await tx.query<T>(sql, params))[0]!;
    const statuses = await tx.query<{ status: string; n: number }>(
      "select status, count(*)::int as n from public.purchases where user_id = $1 group by status",
      [user.id],
    );
    const spend = await one<{ committed: number; pending: number }>(
      "select coalesce(sum(committed_jpy), 0)::int as committed, coalesce(sum(pending_jpy), 0)::int as pending from public.monthly_spend where user_id = $1",
    );
    const pulls = await one<{ n: number; medals: number }>(
      "select count(*)::int as n, coalesce(sum(medals_earned), 0)::int as medals from public.pulls where user_id = $1",
    );
    const results = await one<{ medals: number }>(
      "select coalesce(sum(r.medals), 0)::int as medals from public.pull_results r join public.pulls p on p.id = r.pull_id where p.user_id = $1",
    );
    const ledger = await one<{ n: number; delta: number }>(
      "select count(*)::int as n, coalesce(sum(delta), 0)::int as delta from public.medal_ledger where user_id = $1 and vtuber_id = $2 and reason = 'pull'",
      [user.id, vtuber.id],
    );
    const balance = await one<{ balance: number }>(
      "select coalesce(max(balance), 0)::int as balance from public.medal_balances where user_id = $1 and vtuber_id = $2",
      [user.id, vtuber.id],
    );
    const charges = await one<{ n: number }>(
      "select count(*)::int as n from public.sandbox_payments s join public.purchases p on p.id::text = s.metadata_purchase_id where p.user_id = $1",
    );
    const rewards = await one<{ n: number }>("select count(*)::int as n from public.rewards where user_id = $1");
    const webhooks = await one<{ n: number; processed: number }>(
      `select count(*)::int as n, count(w.processed_at)::int as processed
         from public.webhook_events w
        where w.payload -> 'data' -> 'object' -> 'metadata' ->> 'purchase_id' in
              (select id::text from public.purchases where user_id = $1)`,
    );
    return {
      purchasesByStatus: Object.fromEntries(statuses.map((s) => [s.status, s.n])),
      committedJpy: spend.committed,
      pendingJpy: spend.pending,
      pulls: pulls.n,
      pullMedals: pulls.medals,
      resultMedals: results.medals,
      ledgerMedals: ledger.delta,
      ledgerRows: ledger.n,
      balance: balance.balance,
      charges: charges.n,
      rewards: rewards.n,
      webhookEvents: webhooks.n,
      webhookEventsProcessed: webhooks.processed,
    };
  });
}

/**
 * Checks a user's books: the purchases per status exactly (a status not named must have
 * no purchases, so `{fulfilled: 1}` fails for `{fulfilled: 1, pending: 49}`, which a
 * nested `toMatchObject` would let through) and every other figure named.
 */
export function expectBooks(
  money: MoneySnapshot,
  expected: { purchasesByStatus: Record<string, number> } & Partial<Omit<MoneySnapshot, "purchasesByStatus">>,
): void {
  const { purchasesByStatus, ...figures } = expected;
  expect(money.purchasesByStatus, "purchases by status").toEqual(purchasesByStatus);
  expect(money).toMatchObject(figures);
}

/** Counts rows of a table (service path), optionally filtered. */
export async function countRows(db: Database, table: string, where = "true", params: unknown[] = []): Promise<number> {
  const [row] = await asService(db, "test-count", (tx) =>
    tx.query<{ n: number }>(`select count(*)::int as n from public.${table} where ${where}`, params),
  );
  return row!.n;
}
