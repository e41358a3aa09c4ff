import "server-only";
import type { Columns, Narrow } from "../../db/rows";
import { asService } from "../../db/session";
import type { Database } from "../../db/types";
import { DomainError } from "../../domain-error";
import { chargeRefundedEvent, paymentIntentEvent, stripeStyleId, type SandboxIntent } from "./sandbox-events";
import { recordSandboxRefund } from "./sandbox-refunds";
import { signDelivery, type SignedDelivery } from "./stripe-signature";
import type {
  ChargeRequest,
  ChargeResult,
  PaymentProvider,
  ProviderPayment,
  RefundRequest,
  RefundResult,
  SavedCard,
} from "./types";

/**
 * Stripe's test payment-method ids and what the sandbox does with each: the same ids a
 * client would use against Stripe in test mode. The value is the failure code, null for
 * a card that pays.
 */
export const SANDBOX_CARDS: Readonly<Record<string, string | null>> = {
  pm_card_visa: null,
  pm_card_mastercard: null,
  pm_card_amex: null,
  pm_card_jcb: null,
  pm_card_chargeDeclined: "card_declined",
  pm_card_chargeDeclinedInsufficientFunds: "insufficient_funds",
  pm_card_visa_chargeDeclinedInsufficientFunds: "insufficient_funds",
  pm_card_chargeDeclinedExpiredCard: "expired_card",
  pm_card_chargeDeclinedIncorrectCvc: "incorrect_cvc",
  pm_card_chargeDeclinedProcessingError: "processing_error",
  pm_card_visa_chargeDeclinedLostCard: "lost_card",
  pm_card_visa_chargeDeclinedStolenCard: "stolen_card",
};

/**
 * What the account page shows in the sandbox: it saves no cards (there is no customer
 * and no money), and every fan pays with Stripe's test Visa.
 */
export const SANDBOX_SAVED_CARD: SavedCard = {
  id: "pm_card_visa",
  brand: "visa",
  last4: "4242",
  expMonth: 12,
  expYear: 2034,
};

export interface SandboxOptions {
  db: Database;
  webhookSecret: string;
  /**
   * Receives every webhook the sandbox emits, signed. The app POSTs them to its own
   * webhook route in the background; tests collect them.
   */
  deliver: (delivery: SignedDelivery) => void;
  /** @default () => new Date() */
  now?: () => Date;
}

const INTENT_COLUMN_NAMES = [
  "id",
  "idempotency_key",
  "metadata_purchase_id",
  "amount_jpy",
  "payment_method_id",
  "status",
  "failure_code",
  "created_at",
] as const;
const INTENT_COLUMNS = INTENT_COLUMN_NAMES.join(", ");

// The column stands in for Stripe's optional metadata; every sandbox charge sets it.
type IntentRow = Narrow<
  Columns<"sandbox_payments", (typeof INTENT_COLUMN_NAMES)[number]>,
  { status: "succeeded" | "failed"; metadata_purchase_id: string }
>;

/**
 * A payment provider that moves no money, for the embedded and services modes. It keeps
 * its payment intents in `sandbox_payments` (standing in for Stripe's database), is
 * idempotent per key like Stripe, and emits Stripe-shaped, Stripe-signed webhooks, so
 * the saga, the webhook route and reconciliation run exactly as they do with Stripe.
 * It has no customers: Stripe's test ids are everyone's, so there is no card to steal.
 */
export function createSandboxProvider(options: SandboxOptions): PaymentProvider {
  const now = options.now ?? (() => new Date());
  return {
    name: "sandbox",
    webhookSecret: options.webhookSecret,

    async charge(request: ChargeRequest): Promise<ChargeResult> {
      if (!Object.hasOwn(SANDBOX_CARDS, request.paymentMethodId)) {
        // Stripe refuses an unknown payment method before creating an intent: nothing to record.
        return { outcome: "failed", providerPaymentId: null, failureCode: "payment_method_invalid" };
      }
      const failureCode = SANDBOX_CARDS[request.paymentMethodId] ?? null;
      const { intent, created } = await recordIntent(options.db, request, failureCode);
      if (created) {
        options.deliver(signDelivery(paymentIntentEvent(intent, now()), options.webhookSecret, now()));
      }
      return intent.status === "succeeded"
        ? { outcome: "succeeded", providerPaymentId: intent.id }
        : { outcome: "failed", providerPaymentId: intent.id, failureCode: intent.failureCode! };
    },

    async savedCards(): Promise<SavedCard[]> {
      return [SANDBOX_SAVED_CARD];
    },

    async setUpCard(): Promise<never> {
      throw new DomainError("card_setup_unavailable");
    },

    async forgetCustomer(): Promise<void> {},

    async listSucceededSince(since: Date): Promise<ProviderPayment[]> {
      const rows = await asService(options.db, "sandbox-provider:list", (tx) =>
        tx.query<IntentRow>(
          `select ${INTENT_COLUMNS}
             from public.sandbox_payments
            where status = 'succeeded' and created_at >= $1
            order by created_at, id`,
          [since],
        ),
      );
      return rows.map((row) => ({
        providerPaymentId: row.id,
        purchaseId: row.metadata_purchase_id,
        amountJpy: row.amount_jpy,
        currency: "jpy",
        createdAt: row.created_at,
      }));
    },

    async refund(request: RefundRequest): Promise<RefundResult> {
      const { result, created } = await recordSandboxRefund(options.db, request);
      if (created) options.deliver(signDelivery(chargeRefundedEvent(created, now()), options.webhookSecret, now()));
      return result;
    },
  };
}

/**
 * Creates the intent, or returns the one made earlier under the same idempotency key
 * (as Stripe does, refusing the key for a different amount).
 */
async function recordIntent(
  db: Database,
  request: ChargeRequest,
  failureCode: string | null,
): Promise<{ intent: SandboxIntent; created: boolean }> {
  // Each is a transaction's only statement, one round trip. A key taken means the row is
  // committed (the insert waited for its writer), so the second reads it afresh.
  const [inserted] = await asService(db, "sandbox-provider:charge", (tx) =>
    tx.lastQuery<IntentRow>(
      `insert into public.sandbox_payments
         (id, idempotency_key, metadata_purchase_id, amount_jpy, payment_method_id, customer_ref, status, failure_code)
       values ($1, $2, $3, $4, $5, $6, $7, $8)
       on conflict (idempotency_key) do nothing
       returning ${INTENT_COLUMNS}`,
      [
        stripeStyleId("pi"),
        request.idempotencyKey,
        request.purchaseId,
        request.amountJpy,
        request.paymentMethodId,
        request.customerRef,
        failureCode === null ? "succeeded" : "failed",
        failureCode,
      ],
    ),
  );
  const row =
    inserted ??
    (
      await asService(db, "sandbox-provider:charge", (tx) =>
        tx.lastQuery<IntentRow>(`select ${INTENT_COLUMNS} from public.sandbox_payments where idempotency_key = $1`, [
          request.idempotencyKey,
        ]),
      )
    )[0]!;
  if (row.amount_jpy !== request.amountJpy || row.payment_method_id !== request.paymentMethodId) {
    throw new Error(`sandbox: idempotency key ${request.idempotencyKey} was used for a different charge`);
  }
  return {
    created: inserted !== undefined,
    intent: {
      id: row.id,
      idempotencyKey: row.idempotency_key,
      purchaseId: row.metadata_purchase_id,
      amountJpy: row.amount_jpy,
      paymentMethodId: row.payment_method_id,
      status: row.status,
      failureCode: row.failure_code,
      createdAt: row.created_at,
    },
  };
}
