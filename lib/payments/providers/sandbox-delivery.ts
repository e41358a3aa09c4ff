import { DomainError } from "../../domain-error";
import type { Database } from "../../db/types";
import { log } from "../../log/logger";
import { outsideRequest } from "../../timing/request-timing";
import { handleWebhook } from "../webhook";
import type { SignedDelivery } from "./stripe-signature";
import type { PaymentProvider } from "./types";

export interface InProcessDeliveryOptions {
  /** Wait after the charge before the first attempt. @default 1000 */
  delayMs?: number;
  /** @default 4 */
  attempts?: number;
  /** Wait before the first retry, doubled after each. @default 500 */
  firstRetryMs?: number;
  /** @default setTimeout */
  schedule?: (fn: () => void, ms: number) => void;
  /** Told how each delivery ended (tests). */
  onDone?: (result: { delivered: boolean; attempts: number; error?: string }) => void;
}

/**
 * How the sandbox hands its signed webhooks to this app: in process, through the same
 * `handleWebhook` the webhook route runs (signature check, event record, settlement),
 * without a second HTTP request through the gate. It waits a moment first, as Stripe's
 * deliveries do, so the event usually finds its purchase fulfilled by the request and
 * settles in one statement without a lock. Retried with backoff while processing fails
 * (as Stripe retries a 5xx); a refusal (bad signature) is final. Best effort: the
 * request path and reconciliation settle payments too; the webhook is what heals a
 * crash between charge and fulfilment. Stripe itself always posts to the route.
 */
export function deliverInProcess(
  deps: { db: Database; provider: Pick<PaymentProvider, "name" | "webhookSecret"> },
  options: InProcessDeliveryOptions = {},
): (delivery: SignedDelivery) => void {
  const schedule = options.schedule ?? ((fn, ms) => setTimeout(fn, ms).unref());
  const attempts = options.attempts ?? 4;
  return (delivery) => {
    const signature = delivery.headers["stripe-signature"];
    const attempt = (n: number, waitMs: number, retryMs: number): void =>
      schedule(() => {
        handleWebhook({ ...deps, now: new Date() }, delivery.payload, signature).then(
          () => options.onDone?.({ delivered: true, attempts: n }),
          (err: unknown) => {
            const error = err instanceof Error ? err.message : String(err);
            if (n < attempts && !(err instanceof DomainError)) return attempt(n + 1, retryMs, retryMs * 2);
            log("warn", "payments.sandbox_webhook_undelivered", { attempts: n, error });
            options.onDone?.({ delivered: false, attempts: n, error });
          },
        );
      }, waitMs);
    // The delivery is the provider's, not part of the request that charged.
    outsideRequest(() => attempt(1, options.delayMs ?? 1_000, options.firstRetryMs ?? 500));
  };
}
