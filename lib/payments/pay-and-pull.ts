import { asService } from "../db/session";
import type { Database } from "../db/types";
import type { RandomSource } from "../gacha/random";
import { awaitOutcome, type WaitOptions } from "./await-outcome";
import { paymentFailure, paymentRequiresAction, purchaseInProgress } from "./payment-errors";
import type { ChargeResult, PaymentProvider } from "./providers/types";
import { readPullReceipt, type PullReceipt } from "./pull-receipt";
import { recordCharge } from "./record-charge";
import { log } from "../log/logger";
import { countSignal } from "../metrics/signals";
import { release } from "./release";
import { reserve, type PullRequest } from "./reserve";
import { settleSucceededIn } from "./settle-succeeded";
import { timeStep } from "../timing/request-timing";

export interface PayAndPullDeps {
  db: Database;
  provider: PaymentProvider;
  /** The server clock: the campaign window and the cap's JST month are judged at this instant. */
  now: Date;
  /** Replaces the committed draw (tests and simulations only); unset in production. */
  rng?: RandomSource;
  wait?: WaitOptions;
}

export interface PayAndPullResult {
  /** True for the request that made the purchase (201), false for a replay of its key (200). */
  created: boolean;
  pull: PullReceipt;
}

/**
 * `POST /api/gachas/{id}/pulls`: the pay-per-pull saga (docs/architecture.md).
 *
 * 1. reserve: pending purchase, idempotency key, cap checked atomically (one transaction);
 * 2. charge through the provider, outside any transaction, keyed by the purchase id;
 * 3. fulfil: paid, drawn, recorded, medals granted, and the receipt read back (one
 *    transaction, idempotent); a failed charge releases the reservation instead.
 * The provider's webhook runs step 3 as well, so a crash after step 2 still ends with
 * the purchase fulfilled exactly once. A replay of the key charges nothing and answers
 * what the first request answered, waiting for it if it is still running.
 */
export async function payAndPull(deps: PayAndPullDeps, request: PullRequest): Promise<PayAndPullResult> {
  const { db, provider } = deps;
  const { purchase, created } = await timeStep("reserve", () =>
    reserve(db, request, { now: deps.now, provider: provider.name }),
  );
  if (!created) return { created: false, pull: await awaitOutcome(db, purchase.id, deps.wait) };

  let charge: ChargeResult;
  try {
    charge = await timeStep("charge", () =>
      provider.charge({
        purchaseId: purchase.id,
        amountJpy: purchase.amountJpy,
        paymentMethodId: request.paymentMethodId,
        idempotencyKey: purchase.id,
        customerRef: request.userId,
      }),
    );
  } catch (err) {
    // Whether money moved is unknown, so nothing is released: the purchase stays pending,
    // its yen reserved, until the webhook or reconciliation hears the provider's answer.
    log("alert", "payment.charge_outcome_unknown", { purchaseId: purchase.id, error: err });
    countSignal("payments.provider_failures", { now: deps.now.getTime() });
    throw purchaseInProgress("provider_unreachable");
  }
  switch (charge.outcome) {
    case "failed":
      await recordCharge(db, purchase.id, charge);
      await release(db, purchase.id, charge.failureCode);
      throw paymentFailure(charge.failureCode);
    case "requires_action":
      await recordCharge(db, purchase.id, charge);
      throw paymentRequiresAction(charge.nextActionUrl);
    case "succeeded":
      return { created: true, pull: await fulfilPaid(deps, purchase, charge.providerPaymentId) };
  }
}

/**
 * Step 3 after a successful charge, in one transaction: the payment recorded, the
 * purchase fulfilled, and its receipt read the way a replay reads it, so both answer
 * the same body. Should that transaction fail, the charge is recorded on its own (the
 * purchase then shows as paid, for the webhook and reconciliation to finish) before
 * the error goes on; a crash in between leaves it pending with the provider's
 * success on record, which both of them settle as well.
 */
async function fulfilPaid(
  deps: PayAndPullDeps,
  purchase: { id: string; amountJpy: number },
  providerPaymentId: string,
): Promise<PullReceipt> {
  let receipt: PullReceipt | null;
  try {
    receipt = await timeStep("fulfil", () =>
      asService(deps.db, "pay-and-pull:fulfil", async (tx) => {
        await settleSucceededIn(
          tx,
          { purchaseId: purchase.id, providerPaymentId, amountJpy: purchase.amountJpy, currency: "jpy" },
          { rng: deps.rng, source: "request" },
        );
        // Drawn now or before: its receipt. Released meanwhile (raised as an alert): none.
        // The last statement, so the COMMIT goes with it.
        return readPullReceipt({ query: (sql, params) => tx.lastQuery(sql, params) }, purchase.id);
      }),
    );
  } catch (err) {
    await recordCharge(deps.db, purchase.id, { outcome: "succeeded", providerPaymentId });
    throw err;
  }
  // Not drawn: answer what a replay would.
  // Stryker disable next-line ObjectLiteral: the only purchase left undrawn here was released (failed), which awaitOutcome answers at once whatever its wait
  return receipt ?? awaitOutcome(deps.db, purchase.id, { timeoutMs: 0 });
}
