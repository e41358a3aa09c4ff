/**
 * A local HTTP server speaking the few Stripe endpoints the stripe provider uses, so the
 * real `stripe` client can be pointed at it (host/port/protocol) and tested without a
 * network. It answers as Stripe's test mode does for its test payment-method ids, and
 * records every request for assertions.
 *
 *   GET  /v1/payment_methods/:id
 *   POST /v1/payment_intents        (form-encoded, Idempotency-Key honoured)
 *   POST /v1/payment_intents/:id/cancel
 *   GET  /v1/payment_intents?created[gte]=…&limit=…
 *   POST /v1/checkout/sessions
 *   POST /v1/refunds                (whole refunds of a succeeded intent; a second is `charge_already_refunded`)
 */
import { randomBytes } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";

export interface RecordedRequest {
  method: string;
  path: string;
  params: Record<string, string>;
  idempotencyKey: string | null;
  authorization: string | null;
}

export interface StripeStub {
  port: number;
  requests: RecordedRequest[];
  /** Payment intents by id, as created. */
  intents: Map<string, Record<string, unknown>>;
  /** Refunds by id, as created. */
  refunds: Map<string, Record<string, unknown>>;
  /** Adds a payment intent directly, as if made elsewhere (for list tests). */
  seedIntent(intent: Record<string, unknown>): void;
  close(): Promise<void>;
}

/** Saved cards (attached to a customer) among the test ids this stub knows. */
const SAVED = new Set(["pm_saved_visa", "pm_card_authenticationRequired"]);
const KNOWN = new Set([
  "pm_card_visa",
  "pm_saved_visa",
  "pm_card_chargeDeclined",
  "pm_card_visa_chargeDeclinedInsufficientFunds",
  "pm_card_authenticationRequired",
  "pm_card_threeDSecureRequired",
]);

const id = (prefix: string) => `${prefix}_test${randomBytes(8).toString("hex")}`;

export async function startStripeStub(): Promise<StripeStub> {
  const requests: RecordedRequest[] = [];
  const intents = new Map<string, Record<string, unknown>>();
  const refunds = new Map<string, Record<string, unknown>>();
  const idempotent = new Map<string, { status: number; body: unknown }>();

  const server = http.createServer((req, res) => {
    let raw = "";
    req.on("data", (chunk: Buffer) => (raw += chunk.toString("utf8")));
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "http://stub");
      const params = Object.fromEntries(new URLSearchParams(req.method === "GET" ? url.search : raw));
      const key = (req.headers["idempotency-key"] as string | undefined) ?? null;
      requests.push({
        method: req.method ?? "",
        path: url.pathname,
        params,
        idempotencyKey: key,
        authorization: (req.headers.authorization as string | undefined) ?? null,
      });
      const send = (status: number, body: unknown) => {
        if (key && req.method === "POST") idempotent.set(`${url.pathname} ${key}`, { status, body });
        res.writeHead(status, { "content-type": "application/json", "request-id": id("req") });
        res.end(JSON.stringify(body));
      };
      const replay = key && req.method === "POST" ? idempotent.get(`${url.pathname} ${key}`) : undefined;
      if (replay) return send(replay.status, replay.body);
      route(req.method ?? "", url, params, send);
    });
  });

  function route(
    method: string,
    url: URL,
    params: Record<string, string>,
    send: (status: number, body: unknown) => void,
  ) {
    const methodMatch = /^\/v1\/payment_methods\/([^/]+)$/.exec(url.pathname);
    if (method === "GET" && methodMatch) {
      const pm = decodeURIComponent(methodMatch[1]!);
      if (!KNOWN.has(pm)) {
        return send(404, {
          error: {
            type: "invalid_request_error",
            code: "resource_missing",
            param: "payment_method",
            message: `No such PaymentMethod: '${pm}'`,
          },
        });
      }
      return send(200, {
        id: pm,
        object: "payment_method",
        type: "card",
        customer: SAVED.has(pm) ? "cus_testSaved" : null,
      });
    }
    if (method === "POST" && url.pathname === "/v1/payment_intents") return send(...createIntent(params));
    const cancelMatch = /^\/v1\/payment_intents\/([^/]+)\/cancel$/.exec(url.pathname);
    if (method === "POST" && cancelMatch) {
      const intent = intents.get(decodeURIComponent(cancelMatch[1]!));
      if (!intent) return send(404, { error: { type: "invalid_request_error", code: "resource_missing" } });
      intent.status = "canceled";
      return send(200, intent);
    }
    if (method === "GET" && url.pathname === "/v1/payment_intents") {
      const gte = Number(params["created[gte]"] ?? 0);
      const data = [...intents.values()].filter((pi) => (pi.created as number) >= gte);
      return send(200, { object: "list", data, has_more: false, url: "/v1/payment_intents" });
    }
    if (method === "POST" && url.pathname === "/v1/refunds") return send(...createRefund(params));
    if (method === "POST" && url.pathname === "/v1/checkout/sessions") {
      const session = id("cs");
      return send(200, {
        id: session,
        object: "checkout.session",
        mode: params.mode,
        url: `https://checkout.stripe.com/c/pay/${session}`,
        amount_total: Number(params["line_items[0][price_data][unit_amount]"]),
        currency: params["line_items[0][price_data][currency]"],
        metadata: { purchase_id: params["metadata[purchase_id]"] },
        expires_at: Number(params.expires_at),
        payment_status: "unpaid",
        status: "open",
      });
    }
    return send(404, {
      error: { type: "invalid_request_error", message: `Unrecognized request URL (${method}: ${url.pathname})` },
    });
  }

  function createRefund(params: Record<string, string>): [number, unknown] {
    const intent = intents.get(params.payment_intent ?? "");
    const invalid = (code: string, message: string): [number, unknown] => [
      400,
      { error: { type: "invalid_request_error", code, message } },
    ];
    if (!intent) return invalid("resource_missing", `No such payment_intent: '${params.payment_intent}'`);
    if (intent.status !== "succeeded") return invalid("charge_not_refundable", "This charge cannot be refunded.");
    if (intent.refunded) return invalid("charge_already_refunded", "Charge has already been refunded.");
    const amount = params.amount === undefined ? (intent.amount as number) : Number(params.amount);
    if (amount > (intent.amount as number))
      return invalid("amount_too_large", "Refund amount is greater than charge amount.");
    intent.refunded = true;
    const refund = {
      id: id("re"),
      object: "refund",
      amount,
      currency: intent.currency,
      payment_intent: intent.id,
      metadata: { purchase_id: params["metadata[purchase_id]"] },
      reason: params.reason ?? null,
      status: "succeeded",
      created: Math.floor(Date.now() / 1000),
    };
    refunds.set(refund.id, refund);
    return [200, refund];
  }

  function createIntent(params: Record<string, string>): [number, unknown] {
    const pm = params.payment_method ?? "";
    const intent: Record<string, unknown> = {
      id: id("pi"),
      object: "payment_intent",
      amount: Number(params.amount),
      amount_received: 0,
      currency: params.currency,
      created: Math.floor(Date.now() / 1000),
      customer: params.customer ?? null,
      metadata: { purchase_id: params["metadata[purchase_id]"], user_id: params["metadata[user_id]"] },
      payment_method: pm,
      status: "succeeded",
    };
    const decline = (code: string, declineCode?: string) => {
      intent.status = "requires_payment_method";
      intents.set(intent.id as string, intent);
      return [
        402,
        {
          error: {
            type: "card_error",
            code,
            decline_code: declineCode,
            message: "Your card was declined.",
            payment_intent: intent,
          },
        },
      ] as [number, unknown];
    };
    if (pm === "pm_card_chargeDeclined") return decline("card_declined", "generic_decline");
    if (pm === "pm_card_visa_chargeDeclinedInsufficientFunds") return decline("card_declined", "insufficient_funds");
    if (pm === "pm_card_authenticationRequired" && params.off_session === "true")
      return decline("authentication_required");
    if (pm === "pm_card_threeDSecureRequired") intent.status = "requires_action";
    if (intent.status === "succeeded") intent.amount_received = intent.amount;
    intents.set(intent.id as string, intent);
    return [200, intent];
  }

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as AddressInfo).port,
    requests,
    intents,
    refunds,
    seedIntent: (intent) => intents.set(intent.id as string, intent),
    close: () => new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve()))),
  };
}
