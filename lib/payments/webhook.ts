import { asService } from "../db/session";
import type { Database, Queryable, Transaction } from "../db/types";
import { UUID_PATTERN } from "../ids";
import { countSignal } from "../metrics/signals";
import type { RandomSource } from "../gacha/random";
import { failureCodeOf, type StripePaymentError } from "./failure-code";
import type { PaymentProvider } from "./providers/types";
import { refundReportedIn, type RefundReport } from "./refund-webhook";
import { releaseIn } from "./release";
import { settleSucceededIn, type SettleOutcome, type SucceededPayment } from "./settle-succeeded";
import { verifyWebhook, type WebhookEvent } from "./webhook-event";

export interface WebhookDeps {
  db: Database;
  provider: Pick<PaymentProvider, "name" | "webhookSecret">;
  /** The receiving instant the signature's timestamp is judged against. */
  now: Date;
  /** Replaces the committed draw (tests and simulations only); unset in production. */
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
 * 2. the event is recorded once per (provider, event id), in a transaction of its own:
 *    an insert that does nothing on a repeat; then, in a second transaction, its row
 *    lock, so of any number of parallel deliveries exactly one processes it and the
 *    others wait and find it processed;
 * 3. a success fulfils the purchase named in its metadata (idempotent with the request
 *    path), a failure or expiry releases a purchase still pending, a whole refund
 *    (`charge.refunded`) completes the purchase's refund (idempotent too); the event is marked
 *    processed in the same transaction. Any other event type is acknowledged and
 *    ignored before step 2, so it writes nothing.
 *
 * The usual success event arrives after the request path fulfilled its purchase; that
 * case ends with the statement that records the event, sent with its COMMIT, and takes
 * no lock (`recordEvent`), so a webhook never holds anything a pull needs.
 *
 * If processing throws, nothing of it commits (the event stays recorded unprocessed),
 * the error is recorded on the event, and the caller answers 5xx so the provider
 * delivers it again.
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
    // Its own transaction, committed with the statement: settled there, or recorded (or
    // found) unprocessed for the full path below, which is then what a redelivery resumes.
    const settled = await asService(deps.db, "webhook:record", (tx) => recordEvent(tx, provider, event, rawBody));
    if (settled) return { handled: "settled", outcome: "already_fulfilled" };
    return await asService(deps.db, "webhook", async (tx) => {
      const [row] = await tx.query<{ id: string; processed_at: Date | null }>(
        "select id, processed_at from public.webhook_events where provider = $1 and event_id = $2 for update",
        [provider, event.id],
      );
      if (row!.processed_at) return { handled: "duplicate" } as const;
      const outcome = await apply(tx, provider, event, deps.rng);
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

/** The payment a success event reports, or null for any other event. */
function succeededPayment(event: WebhookEvent): SucceededPayment | null {
  const object = event.data.object;
  const payment = (providerPaymentId: unknown, amount: unknown): SucceededPayment => ({
    purchaseId: purchaseIdOf(event),
    providerPaymentId: typeof providerPaymentId === "string" ? providerPaymentId : null,
    amountJpy: Number(amount),
    currency: String(object.currency ?? ""),
  });
  switch (event.type) {
    case "payment_intent.succeeded":
      return payment(object.id, object.amount_received || object.amount);
    // Checkout: paid at once by card, or later by an asynchronous method (konbini, bank transfer).
    case "checkout.session.completed":
      return object.payment_status === "paid" ? payment(object.payment_intent, object.amount_total) : null;
    case "checkout.session.async_payment_succeeded":
      return payment(object.payment_intent, object.amount_total);
    default:
      return null;
  }
}

function purchaseIdOf(event: WebhookEvent): string | null {
  const metadata = (event.data.object.metadata ?? {}) as Record<string, string | undefined>;
  return metadata.purchase_id ?? null;
}

/**
 * Records the event once per (provider, event id), and answers whether that settled it
 * already: a success event seen for the first time, for a purchase fulfilled with
 * exactly this amount in yen, is recorded as processed in this one statement, reading
 * the purchase without a lock (a fulfilled purchase never goes back, so what the read
 * sees is final). Anything else is recorded unprocessed (or found recorded) and takes
 * the full path: duplicates are told apart there under the event's row lock, and a
 * purchase still in flight or a mismatch is settled or raised under the purchase's.
 */
async function recordEvent(tx: Transaction, provider: string, event: WebhookEvent, rawBody: string): Promise<boolean> {
  const payment = succeededPayment(event);
  // A uuid compares in any case in PostgreSQL: the id goes in as the provider sent it.
  const purchaseId = payment?.purchaseId ?? null;
  const settles =
    payment !== null &&
    purchaseId !== null &&
    UUID_PATTERN.test(purchaseId) &&
    Number.isSafeInteger(payment.amountJpy) &&
    payment.currency.toLowerCase() === "jpy";
  const [row] = await tx.lastQuery<{ settled: boolean }>(
    `insert into public.webhook_events (provider, event_id, event_type, payload, processed_at)
     values ($1, $2, $3, $4::jsonb,
             case when exists (select 1 from public.purchases
                                where id = $5::uuid and status in ('fulfilled', 'refunded') and amount_jpy = $6::integer)
                  then now() end)
     on conflict (provider, event_id) do nothing
     returning processed_at is not null as settled`,
    [provider, event.id, event.type, rawBody, settles ? purchaseId : null, settles ? payment.amountJpy : null],
  );
  return row?.settled === true;
}

async function apply(
  tx: Queryable,
  provider: string,
  event: WebhookEvent,
  rng: RandomSource | undefined,
): Promise<WebhookOutcome> {
  const purchaseId = purchaseIdOf(event);
  const success = succeededPayment(event);
  if (success) {
    return { handled: "settled", outcome: await settleSucceededIn(tx, success, { rng, source: "webhook" }) };
  }
  const releaseWith = async (failureCode: string) => ({
    handled: "released" as const,
    released: purchaseId !== null && UUID_PATTERN.test(purchaseId) && (await releaseIn(tx, purchaseId, failureCode)),
  });

  switch (event.type) {
    case "payment_intent.payment_failed":
      return releaseWith(failureCodeOf(event.data.object.last_payment_error as StripePaymentError | null));
    case "checkout.session.async_payment_failed":
      return releaseWith("async_payment_failed");
    case "checkout.session.expired":
      return releaseWith("checkout_expired");
    case "charge.refunded":
      return { handled: "refunded", outcome: await refundReportedIn(tx, provider, event.data.object) };
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
      [provider, event.id, event.type, rawBody, message],
    ),
  ).catch(() => {
    // The database itself is what failed; the provider's redelivery is the retry.
  });
}
