/** Stripe's `last_payment_error` (or a card error), as far as a failure code needs it. */
export interface StripePaymentError {
  code?: string | null;
  decline_code?: string | null;
}

/**
 * The one failure code we store and answer with: the specific decline reason when Stripe
 * gives one (`insufficient_funds`, `expired_card`, …), otherwise its error code
 * (`card_declined` for a generic decline).
 */
export function failureCodeOf(error: StripePaymentError | null | undefined): string {
  const decline = error?.decline_code;
  if (decline && decline !== "generic_decline") return decline.slice(0, 64);
  return (error?.code || "payment_failed").slice(0, 64);
}
