import { asService } from "../db/session";
import type { Database, Queryable } from "../db/types";
import { UUID_PATTERN } from "../ids";
import { countSignal } from "../metrics/signals";
import { cryptoRandom, type RandomSource } from "../gacha/random";
import { failureCodeOf, type StripePaymentError } from "./failure-code";
import type { PaymentProvider } from "./providers/types";
import { refundReportedIn, type RefundReport } from "./refund-webhook";
import { releaseIn } from "./release";
import { settleSucceededIn, type SettleOutcome } from "./settle-succeeded";
import { verifyWebhook, type WebhookEvent } from "./webhook-event";

export interface WebhookDeps {
  db: Database;
  provider: Pick<PaymentProvider, "name" | "webhookSecret">;
  /** The receiving instant the signature's timestamp is judged against. */
  now: Date;
  /** @default cryptoRandom */
  rng?: RandomSource;
}

export type WebhookOutcome =
  | { handled: "duplicate" }
  | { handled: "ignored"; type: string }
  | { handled: "settled"; outcome: SettleOutcome }
  | { handled: "released"; released: boolean }
  | { handled: "refunded"; outcome: RefundReport };

/**
 * `POST /api/webhooks/stripe`, for both providers (the sandbox signs like Stripe):
 *
 * 1. the signature is checked on the raw body; a bad one is refused before anything is written;
 * 2. the event is recorded once per (provider, event id): an insert that does nothing on
 *    a repeat, then a row lock, so of any number of parallel deliveries exactly one
 *    processes it and the others wait and find it processed;
 * 3. a success fulfils the purchase named in its metadata (idempotent with the request
 *    path), a failure or expiry releases a purchase still pending, a whole refund
 *    (`charge.refunded`) completes the purchase's refund (idempotent too); the event is marked
 *    processed in the same transaction. Any other event type is acknowledged and
 *    ignored before step 2, so it writes nothing.
 *
 * If processing throws, nothing of it commits, the error is recorded on the event, and
 * the caller answers 5xx so the provider delivers it again.
 */
export async function handleWebhook(
  deps: WebhookDeps,
  rawBody: string,
  signature: string | null,
): Promise<WebhookOutcome> {
  let event: WebhookEvent;
  try {
    event = verifyWebhook(rawBody, signature, deps.provider.webhookSecret, deps.now);
  } catch (err) {
    countSignal("webhooks.signature_failures", { now: deps.now.getTime() });
    throw err;
  }
  // A type we never act on leaves no row: acknowledged so the provider stops sending it,
  // and nothing a sender of many such events could fill the database with.
  if (!HANDLED_TYPES.has(event.type)) return { handled: "ignored", type: event.type };
  const provider = deps.provider.name;
  try {
    return await asService(deps.db, "webhook", async (tx) => {
      await tx.query(
        `insert into public.webhook_events (provider, event_id, event_type, payload)
         values ($1, $2, $3, $4::jsonb)
         on conflict (provider, event_id) do nothing`,
        [provider, event.id, event.type.slice(0, 255), rawBody],
      );
      const [row] = await tx.query<{ id: string; processed_at: Date | null }>(
        "select id, processed_at from public.webhook_events where provider = $1 and event_id = $2 for update",
        [provider, event.id],
      );
      if (row!.processed_at) return { handled: "duplicate" } as const;
      const outcome = await apply(tx, provider, event, deps.rng ?? cryptoRandom);
      await tx.query("update public.webhook_events set processed_at = now(), last_error = null where id = $1", [
        row!.id,
      ]);
      return outcome;
    });
  } catch (err) {
    await recordFailure(deps.db, provider, event, rawBody, err);
    throw err;
  }
}

const HANDLED_TYPES: ReadonlySet<string> = new Set([
  "payment_intent.succeeded",
  "payment_intent.payment_failed",
  "checkout.session.completed",
  "checkout.session.async_payment_succeeded",
  "checkout.session.async_payment_failed",
  "checkout.session.expired",
  "charge.refunded",
]);

async function apply(tx: Queryable, provider: string, event: WebhookEvent, rng: RandomSource): Promise<WebhookOutcome> {
  const object = event.data.object;
  const metadata = (object.metadata ?? {}) as Record<string, string | undefined>;
  const purchaseId = metadata.purchase_id ?? null;
  const settle = async (providerPaymentId: unknown, amount: unknown) => ({
    handled: "settled" as const,
    outcome: await settleSucceededIn(
      tx,
      {
        purchaseId,
        providerPaymentId: typeof providerPaymentId === "string" ? providerPaymentId : null,
        amountJpy: Number(amount),
        currency: String(object.currency ?? ""),
      },
      { rng, source: "webhook" },
    ),
  });
  const releaseWith = async (failureCode: string) => ({
    handled: "released" as const,
    released: purchaseId !== null && UUID_PATTERN.test(purchaseId) && (await releaseIn(tx, purchaseId, failureCode)),
  });

  switch (event.type) {
    case "payment_intent.succeeded":
      return settle(object.id, object.amount_received || object.amount);
    case "payment_intent.payment_failed":
      return releaseWith(failureCodeOf(object.last_payment_error as StripePaymentError | null));
    // Checkout: paid at once by card, or later by an asynchronous method (konbini, bank transfer).
    case "checkout.session.completed":
      if (object.payment_status !== "paid") return { handled: "ignored", type: event.type };
      return settle(object.payment_intent, object.amount_total);
    case "checkout.session.async_payment_succeeded":
      return settle(object.payment_intent, object.amount_total);
    case "checkout.session.async_payment_failed":
      return releaseWith("async_payment_failed");
    case "checkout.session.expired":
      return releaseWith("checkout_expired");
    case "charge.refunded":
      return { handled: "refunded", outcome: await refundReportedIn(tx, provider, object) };
    default:
      return { handled: "ignored", type: event.type };
  }
}

/** Keeps the error on the event (creating its row if the failed transaction took it along). */
async function recordFailure(db: Database, provider: string, event: WebhookEvent, rawBody: string, err: unknown) {
  const message = (err instanceof Error ? err.message : String(err)).slice(0, 2000);
  await asService(db, "webhook:record-error", (tx) =>
    tx.query(
      `insert into public.webhook_events (provider, event_id, event_type, payload, last_error)
       values ($1, $2, $3, $4::jsonb, $5)
       on conflict (provider, event_id) do update set last_error = excluded.last_error`,
      [provider, event.id, event.type.slice(0, 255), rawBody, message],
    ),
  ).catch(() => {
    // The database itself is what failed; the provider's redelivery is the retry.
  });
}
