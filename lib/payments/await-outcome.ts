import { asService } from "../db/session";
import type { Database, Queryable } from "../db/types";
import { paymentFailure, paymentRequiresAction, purchaseInProgress } from "./payment-errors";
import { readPullReceipt, type PullReceipt } from "./pull-receipt";
import type { Purchase } from "./purchase";
import { readPurchase } from "./purchase";

export interface WaitOptions {
  /**
   * How long a duplicate request waits for the first one to settle, reads included.
   * Well under what a client or the platform waits for an answer (20 s and more), so the
   * replay is told `purchase_in_progress` instead of being cut off with nothing.
   * @default 5000
   */
  timeoutMs?: number;
  /** @default setTimeout */
  sleep?: (ms: number) => Promise<void>;
  /** Milliseconds on a monotonic clock. @default performance.now */
  now?: () => number;
}

/**
 * What a purchase answers once settled, the same for the first response and any replay:
 * the receipt when fulfilled, the payment error when failed, the next-action URL while
 * it waits for the fan. Null while the outcome is still being decided.
 */
export async function settledAnswer(q: Queryable, purchase: Purchase): Promise<PullReceipt | null> {
  switch (purchase.status) {
    case "fulfilled":
    case "refunded": {
      const receipt = await readPullReceipt(q, purchase.id);
      if (!receipt) throw new Error(`purchase ${purchase.id} is ${purchase.status} without a pull`);
      return receipt;
    }
    case "failed":
      throw paymentFailure(purchase.failureCode ?? "payment_failed");
    case "pending":
      if (purchase.nextActionUrl) throw paymentRequiresAction(purchase.nextActionUrl);
      return null;
    case "paid":
      return null;
  }
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * A replay of an Idempotency-Key whose first request may still be running: polls the
 * purchase with a growing pause (25 ms doubling to 1 s) until it settles, then answers
 * exactly what the first request answered. Bounded by the clock, the reads' own time
 * included: after `timeoutMs` it answers `purchase_in_progress` (409), and the client
 * asks again later. A first request that gave up (its database or provider lost) leaves
 * the purchase pending until its webhook or reconciliation, so every replay meets this
 * bound. Reads only, in short transactions, so it never holds a lock the first request
 * needs.
 */
export async function awaitOutcome(db: Database, purchaseId: string, options: WaitOptions = {}): Promise<PullReceipt> {
  const timeoutMs = options.timeoutMs ?? 5_000;
  const sleep = options.sleep ?? realSleep;
  const now = options.now ?? (() => performance.now());
  const deadline = now() + timeoutMs;
  let delay = 25;
  for (;;) {
    const receipt = await asService(db, "pay-and-pull:replay", async (tx) => {
      const purchase = await readPurchase(tx, purchaseId);
      if (!purchase) throw new Error(`purchase ${purchaseId} not found`);
      return settledAnswer(tx, purchase);
    });
    if (receipt) return receipt;
    const left = deadline - now();
    if (left <= 0) throw purchaseInProgress("processing");
    await sleep(Math.min(delay, left));
    delay = Math.min(delay * 2, 1000);
  }
}
