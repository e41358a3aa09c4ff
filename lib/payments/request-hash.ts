import { createHash } from "node:crypto";

/** What a pull request asks for; the idempotency key stands for exactly this. */
export interface PullRequestFingerprint {
  campaignId: string;
  count: 1 | 10;
  paymentMethodId: string;
}

/**
 * SHA-256 (hex) of the canonical request: a JSON array in fixed order, so key order or
 * whitespace in the client's body cannot make one request look like two. The same
 * Idempotency-Key with a different fingerprint is refused (`idempotency_key_reused`).
 */
export function requestHashOf(request: PullRequestFingerprint): string {
  const canonical = JSON.stringify([request.campaignId.toLowerCase(), request.count, request.paymentMethodId]);
  return createHash("sha256").update(canonical, "utf8").digest("hex");
}
