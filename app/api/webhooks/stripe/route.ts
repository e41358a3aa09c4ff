import { RequestError } from "@/lib/api/errors";
import { route } from "@/lib/api/handler";
import { getDb } from "@/lib/db";
import { getPaymentProvider } from "@/lib/payments/providers";
import { handleWebhook } from "@/lib/payments/webhook";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** Stripe's events are small; anything larger is not one. */
const MAX_BODY_BYTES = 512 * 1024;

/**
 * The payment provider's webhook (Stripe, or the sandbox in Stripe's scheme). No JSON
 * body parser: the signature covers the exact bytes, so the body is read as raw text and
 * verified before it is parsed. 200 for every verified event, including types it
 * ignores (the provider would otherwise keep retrying them); 400
 * `webhook_signature_invalid` with nothing written; 5xx when processing failed, so the
 * provider delivers the event again.
 */
export const POST = route({ access: "public" }, async ({ request }) => {
  if (Number(request.headers.get("content-length")) > MAX_BODY_BYTES) {
    throw new RequestError("body_too_large", [{ reason: "max_bytes", limit: MAX_BODY_BYTES }]);
  }
  const rawBody = await request.text();
  if (rawBody.length > MAX_BODY_BYTES)
    throw new RequestError("body_too_large", [{ reason: "max_bytes", limit: MAX_BODY_BYTES }]);
  const outcome = await handleWebhook(
    { db: await getDb(), provider: await getPaymentProvider(), now: new Date() },
    rawBody,
    request.headers.get("stripe-signature"),
  );
  return { received: true, ...outcome };
});
