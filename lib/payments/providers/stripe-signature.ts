import { createHmac } from "node:crypto";

/**
 * The `Stripe-Signature` header for a payload, in Stripe's scheme:
 * `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<payload>")>`. The sandbox signs
 * its webhooks with this, so the webhook route verifies them with the `stripe` library
 * exactly as it verifies Stripe's own.
 */
export function stripeSignatureHeader(payload: string, secret: string, timestampSeconds: number): string {
  const signature = createHmac("sha256", secret).update(`${timestampSeconds}.${payload}`, "utf8").digest("hex");
  return `t=${timestampSeconds},v1=${signature}`;
}

/** A webhook ready to POST: the exact body bytes and the headers that go with them. */
export interface SignedDelivery {
  payload: string;
  headers: { "content-type": "application/json"; "stripe-signature": string };
}

export function signDelivery(event: object, secret: string, now: Date): SignedDelivery {
  const payload = JSON.stringify(event);
  return {
    payload,
    headers: {
      "content-type": "application/json",
      "stripe-signature": stripeSignatureHeader(payload, secret, Math.floor(now.getTime() / 1000)),
    },
  };
}
