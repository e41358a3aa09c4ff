import { asService } from "../db/session";
import type { Database } from "../db/types";
import { cryptoRandom, type RandomSource } from "../gacha/random";
import { awaitOutcome, type WaitOptions } from "./await-outcome";
import { paymentFailure, paymentRequiresAction, purchaseInProgress } from "./payment-errors";
import type { ChargeResult, PaymentProvider } from "./providers/types";
import type { PullReceipt } from "./pull-receipt";
import { recordCharge } from "./record-charge";
import { log } from "../log/logger";
import { release } from "./release";
import { reserve, type PullRequest } from "./reserve";
import { settleSucceededIn } from "./settle-succeeded";
import { timeStep } from "../timing/request-timing";

export interface PayAndPullDeps {
  db: Database;
  provider: PaymentProvider;
  /** The server clock: the campaign window and the cap's JST month are judged at this instant. */
  now: Date;
  /** @default cryptoRandom */
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
 * 3. fulfil: paid, drawn, recorded, medals granted (one transaction, idempotent);
 *    a failed charge releases the reservation instead.
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
    throw purchaseInProgress("provider_unreachable");
  }
  await timeStep("record", () => recordCharge(db, purchase.id, charge));

  switch (charge.outcome) {
    case "failed":
      await release(db, purchase.id, charge.failureCode);
      throw paymentFailure(charge.failureCode);
    case "requires_action":
      throw paymentRequiresAction(charge.nextActionUrl);
    case "succeeded":
      await timeStep("fulfil", () =>
        asService(db, "pay-and-pull:fulfil", (tx) =>
          settleSucceededIn(
            tx,
            {
              purchaseId: purchase.id,
              providerPaymentId: charge.providerPaymentId,
              amountJpy: purchase.amountJpy,
              currency: "jpy",
            },
            { rng: deps.rng ?? cryptoRandom, source: "request" },
          ),
        ),
      );
      // Read back like a replay (no waiting needed: it is settled), so both answer the same body.
      const pull = await timeStep("receipt", () => awaitOutcome(db, purchase.id, { timeoutMs: 0 }));
      return { created: true, pull };
  }
}
