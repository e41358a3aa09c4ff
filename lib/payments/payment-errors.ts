import { DomainError } from "../domain-error";

/**
 * The error a failed purchase answers with, the first time and on every replay of its
 * key: `payment_method_invalid` for a payment method the provider does not know,
 * `payment_method_not_yours` for a card saved by someone else, otherwise
 * `payment_failed` with the decline code.
 */
export function paymentFailure(failureCode: string): DomainError {
  if (failureCode === "payment_method_not_yours") {
    return new DomainError("payment_method_not_yours", [
      { field: "paymentMethodId", reason: "payment_method_not_yours" },
    ]);
  }
  if (failureCode === "payment_method_invalid") {
    return new DomainError("payment_method_invalid", [{ field: "paymentMethodId", reason: "payment_method_invalid" }]);
  }
  return new DomainError("payment_failed", [{ reason: "payment_declined", declineCode: failureCode }]);
}

/** The fan must finish the payment at `nextActionUrl` (3-D Secure or Checkout). */
export function paymentRequiresAction(nextActionUrl: string): DomainError {
  return new DomainError("payment_requires_action", [{ reason: "requires_action", nextActionUrl }]);
}

/** The outcome is not known yet; the same request again, shortly, will tell. */
export function purchaseInProgress(reason: "processing" | "provider_unreachable"): DomainError {
  return new DomainError("purchase_in_progress", [{ reason }]);
}
