import { ApiError } from "../api/errors";

/**
 * The error a failed purchase answers with, the first time and on every replay of its
 * key: `payment_method_invalid` (400) for a payment method the provider does not know,
 * otherwise `payment_failed` (402) with the decline code.
 */
export function paymentFailure(failureCode: string): ApiError {
  if (failureCode === "payment_method_invalid") {
    return new ApiError("payment_method_invalid", [{ field: "paymentMethodId", reason: "payment_method_invalid" }]);
  }
  return new ApiError("payment_failed", [{ reason: "payment_declined", declineCode: failureCode }]);
}

/** The fan must finish the payment at `nextActionUrl` (3-D Secure or Checkout): 402. */
export function paymentRequiresAction(nextActionUrl: string): ApiError {
  return new ApiError("payment_requires_action", [{ reason: "requires_action", nextActionUrl }]);
}

/** The outcome is not known yet; the same request again will tell. 409 with Retry-After. */
export function purchaseInProgress(reason: "processing" | "provider_unreachable"): ApiError {
  return new ApiError("purchase_in_progress", [{ reason }], { "Retry-After": "2" });
}
