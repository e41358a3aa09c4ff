import { fetchWithRetry, RETRY_429_5XX } from "../../http/retry";
import type { SignedDelivery } from "./stripe-signature";

export interface DeliveryOptions {
  /**
   * 7: retries over about 30 s (0.5 s doubling), longer than a PostgreSQL restart with
   * crash recovery takes, as Stripe keeps retrying far longer still.
   * @default 7
   */
  attempts?: number;
  /** Wait before the first retry, doubled after each. @default 500 */
  firstDelayMs?: number;
  /** @default setTimeout */
  sleep?: (ms: number) => Promise<void>;
  /** @default globalThis.fetch */
  fetch?: typeof fetch;
}

export type DeliveryResult =
  { delivered: true; status: number; attempts: number } | { delivered: false; attempts: number; error: string };

/**
 * POSTs a signed webhook as Stripe would: retried with backoff (lib/http/retry.ts) while
 * the receiver is unreachable or answers 429 or 5xx; any other 4xx (bad signature, bad
 * request) is final, since sending the same bytes again cannot change the answer. Best
 * effort: it never throws, because the payment saga does not depend on it (the request
 * path and reconciliation settle payments too); the webhook is what makes a crash
 * between charge and fulfilment heal on its own.
 */
export async function deliverWebhook(
  url: string,
  delivery: SignedDelivery,
  options: DeliveryOptions = {},
): Promise<DeliveryResult> {
  const result = await fetchWithRetry(
    url,
    { method: "POST", headers: delivery.headers, body: delivery.payload },
    {
      attempts: options.attempts ?? 7,
      backoffMs: options.firstDelayMs ?? 500,
      maxWaitMs: 60_000,
      retryOn: RETRY_429_5XX,
      sleep: options.sleep,
      fetch: options.fetch,
    },
  );
  if (!result.answered) {
    return {
      delivered: false,
      attempts: result.attempts,
      error: result.error instanceof Error ? result.error.message : String(result.error),
    };
  }
  return result.status >= 200 && result.status < 300
    ? { delivered: true, status: result.status, attempts: result.attempts }
    : { delivered: false, attempts: result.attempts, error: `HTTP ${result.status}` };
}
