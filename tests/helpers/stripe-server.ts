/**
 * A local HTTP server speaking the few Stripe endpoints the stripe provider uses, so the
 * real `stripe` client can be pointed at it (host/port/protocol) and tested without a
 * network. It answers as Stripe's test mode does for its test payment-method ids (attaching
 * one, like confirming a SetupIntent with it, makes a new `pm_…` of the same behaviour
 * owned by the customer, as Stripe does), and records every request for assertions.
 *
 *   POST /v1/customers, DELETE /v1/customers/:id
 *   POST /v1/setup_intents, POST /v1/setup_intents/:id/confirm  (what Stripe.js does in the browser)
 *   GET  /v1/payment_methods/:id, GET /v1/payment_methods?customer=…&type=card
 *   POST /v1/payment_methods/:id/attach
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
  /** Customers by id, as created (deleted ones removed). */
  customers: Map<string, Record<string, unknown>>;
  /** Refunds by id, as created. */
  refunds: Map<string, Record<string, unknown>>;
  /** Adds a payment intent directly, as if made elsewhere (for list tests). */
  seedIntent(intent: Record<string, unknown>): void;
  close(): Promise<void>;
}

/** The test ids this stub knows, by the behaviour each stands for. */
const KNOWN = new Set([
  "pm_card_visa",
  "pm_saved_visa",
  "pm_card_chargeDeclined",
  "pm_card_visa_chargeDeclinedInsufficientFunds",
  "pm_card_authenticationRequired",
  "pm_card_threeDSecureRequired",
]);

/** A payment method as the stub keeps it: `token` is the test id whose behaviour it has. */
interface StubMethod {
  id: string;
  token: string;
  customer: string | null;
}

/** A card saved earlier to a customer nobody in the tests owns (another fan's card). */
const FOREIGN_SAVED: StubMethod = { id: "pm_saved_visa", token: "pm_card_visa", customer: "cus_testSaved" };

const id = (prefix: string) => `${prefix}_test${randomBytes(8).toString("hex")}`;

/** `metadata[key]=value` form fields back into an object. */
function metadataOf(params: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(params).flatMap(([k, v]) => {
      const key = /^metadata\[(.+)\]$/.exec(k)?.[1];
      return key ? [[key, v]] : [];
    }),
  );
}

export async function startStripeStub(): Promise<StripeStub> {
  const requests: RecordedRequest[] = [];
  const intents = new Map<string, Record<string, unknown>>();
  const customers = new Map<string, Record<string, unknown>>();
  const setupIntents = new Map<string, Record<string, unknown>>();
  const methods = new Map<string, StubMethod>([[FOREIGN_SAVED.id, FOREIGN_SAVED]]);
  const methodOf = (pm: string): StubMethod | null =>
    methods.get(pm) ?? (KNOWN.has(pm) ? { id: pm, token: pm, customer: null } : null);
  const missing = (param: string, what: string, value: string) => ({
    error: { type: "invalid_request_error", code: "resource_missing", param, message: `No such ${what}: '${value}'` },
  });
  const methodBody = (m: StubMethod) => ({
    id: m.id,
    object: "payment_method",
    type: "card",
    customer: m.customer,
    card: { brand: "visa", last4: m.token.includes("Declined") ? "0002" : "4242", exp_month: 12, exp_year: 2034 },
  });
  /** Attaching a test id makes a new payment method owned by the customer, as Stripe does. */
  const attach = (pm: string, customer: string): StubMethod | null => {
    const source = methodOf(pm);
    if (!source || !customers.has(customer)) return null;
    const attached = { id: source.customer === null ? id("pm") : source.id, token: source.token, customer };
    methods.set(attached.id, attached);
    return attached;
  };
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
    if (method === "POST" && url.pathname === "/v1/customers") {
      const customer = { id: id("cus"), object: "customer", metadata: metadataOf(params) };
      customers.set(customer.id, customer);
      return send(200, customer);
    }
    const customerMatch = /^\/v1\/customers\/([^/]+)$/.exec(url.pathname);
    if (method === "DELETE" && customerMatch) {
      const customer = decodeURIComponent(customerMatch[1]!);
      if (!customers.delete(customer)) return send(404, missing("customer", "customer", customer));
      // Deleting a customer detaches its payment methods.
      for (const m of methods.values()) if (m.customer === customer) methods.delete(m.id);
      return send(200, { id: customer, object: "customer", deleted: true });
    }
    if (method === "POST" && url.pathname === "/v1/setup_intents") {
      if (!customers.has(params.customer ?? ""))
        return send(400, missing("customer", "customer", params.customer ?? ""));
      const setupId = id("seti");
      const intent = {
        id: setupId,
        object: "setup_intent",
        client_secret: `${setupId}_secret_${randomBytes(8).toString("hex")}`,
        customer: params.customer,
        usage: params.usage,
        metadata: metadataOf(params),
        status: "requires_payment_method",
        payment_method: null as string | null,
      };
      setupIntents.set(setupId, intent);
      return send(200, intent);
    }
    const confirmMatch = /^\/v1\/setup_intents\/([^/]+)\/confirm$/.exec(url.pathname);
    if (method === "POST" && confirmMatch) {
      const intent = setupIntents.get(decodeURIComponent(confirmMatch[1]!));
      if (!intent) return send(404, missing("intent", "setup_intent", confirmMatch[1]!));
      const attached = attach(params.payment_method ?? "", intent.customer as string);
      if (!attached) return send(400, missing("payment_method", "PaymentMethod", params.payment_method ?? ""));
      Object.assign(intent, { status: "succeeded", payment_method: attached.id });
      return send(200, intent);
    }
    const attachMatch = /^\/v1\/payment_methods\/([^/]+)\/attach$/.exec(url.pathname);
    if (method === "POST" && attachMatch) {
      const attached = attach(decodeURIComponent(attachMatch[1]!), params.customer ?? "");
      if (!attached) return send(404, missing("payment_method", "PaymentMethod", attachMatch[1]!));
      return send(200, methodBody(attached));
    }
    if (method === "GET" && url.pathname === "/v1/payment_methods") {
      const data = [...methods.values()].filter((m) => m.customer !== null && m.customer === params.customer);
      return send(200, { object: "list", data: data.map(methodBody), has_more: false, url: "/v1/payment_methods" });
    }
    const methodMatch = /^\/v1\/payment_methods\/([^/]+)$/.exec(url.pathname);
    if (method === "GET" && methodMatch) {
      const pm = decodeURIComponent(methodMatch[1]!);
      const found = methodOf(pm);
      if (!found) return send(404, missing("payment_method", "PaymentMethod", pm));
      return send(200, methodBody(found));
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
    const found = methodOf(params.payment_method ?? "");
    if (!found) return [400, missing("payment_method", "PaymentMethod", params.payment_method ?? "")];
    // Stripe refuses a saved card with another customer, or a customer's card without one.
    if (found.customer !== null && found.customer !== params.customer) {
      return [
        400,
        {
          error: {
            type: "invalid_request_error",
            param: "payment_method",
            message: "The provided PaymentMethod belongs to another customer.",
          },
        },
      ];
    }
    const pm = found.token;
    const intent: Record<string, unknown> = {
      id: id("pi"),
      object: "payment_intent",
      amount: Number(params.amount),
      amount_received: 0,
      currency: params.currency,
      created: Math.floor(Date.now() / 1000),
      customer: params.customer ?? null,
      metadata: { purchase_id: params["metadata[purchase_id]"], user_id: params["metadata[user_id]"] },
      payment_method: found.id,
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
    customers,
    refunds,
    seedIntent: (intent) => intents.set(intent.id as string, intent),
    close: () => new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve()))),
  };
}
