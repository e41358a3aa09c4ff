import { performance } from "node:perf_hooks";
import { asService } from "../db/session";
import type { Database, Queryable } from "../db/types";
import { paymentFailure, paymentRequiresAction, purchaseInProgress } from "./payment-errors";
import { readPullReceipt, type PullReceipt } from "./pull-receipt";
import type { Purchase } from "./purchase";
import { readPurchase } from "./purchase";

export interface WaitOptions {
  /**
   * How long a duplicate request waits for the first one to settle, in wall-clock time
   * (the polls' own queries count). Well under what clients and proxies wait for an
   * answer: a first request that is still running settles within a second or two, and
   * one whose process died never will, so waiting longer only turns a clear 409 into a
   * client-side timeout. @default 5000
   */
  timeoutMs?: number;
  /** @default setTimeout */
  sleep?: (ms: number) => Promise<void>;
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
 * exactly what the first request answered. Bounded: after `timeoutMs` of waiting it
 * answers `purchase_in_progress` (409), and the client asks again later. Reads only, in
 * short transactions, so it never holds a lock the first request needs.
 */
export async function awaitOutcome(db: Database, purchaseId: string, options: WaitOptions = {}): Promise<PullReceipt> {
  const timeoutMs = options.timeoutMs ?? 5_000;
  const sleep = options.sleep ?? realSleep;
  const started = performance.now();
  let waited = 0;
  let delay = 25;
  for (;;) {
    const receipt = await asService(db, "pay-and-pull:replay", async (tx) => {
      const purchase = await readPurchase(tx, purchaseId);
      if (!purchase) throw new Error(`purchase ${purchaseId} not found`);
      return settledAnswer(tx, purchase);
    });
    if (receipt) return receipt;
    if (waited >= timeoutMs) throw purchaseInProgress("processing");
    await sleep(delay);
    // The pauses, or the time that really passed when the polls themselves were slow.
    waited = Math.max(waited + delay, performance.now() - started);
    delay = Math.min(delay * 2, 1000);
  }
}
