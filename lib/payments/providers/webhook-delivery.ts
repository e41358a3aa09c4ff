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

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * POSTs a signed webhook as Stripe would: retried with backoff while the receiver is
 * unreachable or answers 5xx; a 4xx (bad signature, bad request) is final, since
 * sending the same bytes again cannot change the answer. Best effort: it never throws,
 * because the payment saga does not depend on it (the request path and reconciliation
 * settle payments too); the webhook is what makes a crash between charge and
 * fulfilment heal on its own.
 */
export async function deliverWebhook(
  url: string,
  delivery: SignedDelivery,
  options: DeliveryOptions = {},
): Promise<DeliveryResult> {
  const attempts = options.attempts ?? 7;
  const sleep = options.sleep ?? realSleep;
  const post = options.fetch ?? fetch;
  let delay = options.firstDelayMs ?? 500;
  let error = "not attempted";
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      const response = await post(url, { method: "POST", headers: delivery.headers, body: delivery.payload });
      await response.body?.cancel();
      if (response.status < 500) {
        return response.ok
          ? { delivered: true, status: response.status, attempts: attempt }
          : { delivered: false, attempts: attempt, error: `HTTP ${response.status}` };
      }
      error = `HTTP ${response.status}`;
    } catch (err) {
      error = err instanceof Error ? err.message : String(err);
    }
    if (attempt < attempts) {
      await sleep(delay);
      delay *= 2;
    }
  }
  return { delivered: false, attempts, error };
}
