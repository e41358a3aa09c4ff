import { readRawBody } from "@/lib/api/body";
import { RequestError } from "@/lib/api/errors";
import { DomainError } from "@/lib/domain-error";
import { route } from "@/lib/api/handler";
import { getDb } from "@/lib/db";
import { countSignal } from "@/lib/metrics/signals";
import { getPaymentProvider } from "@/lib/payments/providers";
import { handleWebhook } from "@/lib/payments/webhook";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/**
 * Stripe's events are a few KiB (an object and its metadata, at most 50 keys of 500
 * characters); 64 KiB leaves room and bounds what any one delivery can make us hold.
 */
const MAX_BODY_BYTES = 64 * 1024;

/**
 * The payment provider's webhook (Stripe, or the sandbox in Stripe's scheme). No JSON
 * body parser: the signature covers the exact bytes, so the body is read as raw text and
 * verified before it is parsed. 200 for every verified event, including types it
 * ignores (the provider would otherwise keep retrying them); 400
 * `webhook_signature_invalid` with nothing written; 5xx when processing failed, so the
 * provider delivers the event again.
 */
export const POST = route({ access: "public" }, async ({ request }) => {
  let rawBody: string;
  try {
    rawBody = new TextDecoder("utf-8", { fatal: true }).decode(await readRawBody(request, MAX_BODY_BYTES));
  } catch (err) {
    if (err instanceof RequestError) throw err;
    // Not UTF-8, so not signed JSON from the provider.
    countSignal("webhooks.signature_failures");
    throw new DomainError("webhook_signature_invalid");
  }
  const outcome = await handleWebhook(
    { db: await getDb(), provider: await getPaymentProvider(), now: new Date() },
    rawBody,
    request.headers.get("stripe-signature"),
  );
  return { received: true, ...outcome };
});
