import Stripe from "stripe";
import { DomainError } from "../domain-error";

/** The part of a Stripe event the webhook reads. */
export interface WebhookEvent {
  id: string;
  type: string;
  data: { object: Record<string, unknown> };
}

/** How far a signed timestamp may lag behind our clock: Stripe's own default. */
const TOLERANCE_SECONDS = 300;

/**
 * Verifies a webhook exactly as Stripe documents it, with the `stripe` library, on the
 * raw body as received (any re-serialisation would change the signed bytes), and
 * returns the event. `now` is the receiving instant the timestamp is judged against.
 * Anything that does not verify is `webhook_signature_invalid` (400).
 */
export function verifyWebhook(rawBody: string, signature: string | null, secret: string, now: Date): WebhookEvent {
  let event: WebhookEvent;
  try {
    event = Stripe.webhooks.constructEvent(
      rawBody,
      signature ?? "",
      secret,
      TOLERANCE_SECONDS,
      undefined,
      now.getTime(),
    ) as unknown as WebhookEvent;
  } catch {
    throw new DomainError("webhook_signature_invalid");
  }
  // Signed by us or Stripe, yet not an event: refuse it rather than store something unreadable.
  if (typeof event?.id !== "string" || typeof event.type !== "string" || typeof event.data?.object !== "object") {
    throw new DomainError("webhook_signature_invalid", [{ reason: "not_an_event" }]);
  }
  return event;
}
