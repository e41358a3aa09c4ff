/**
 * What a stranger who reaches a sandbox instance can make its webhook route write: with
 * the secret generated per data folder, no event of theirs verifies; a body past the cap
 * is refused before it is held; and even a verified event of a type we never act on
 * writes nothing.
 */
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST } from "@/app/api/webhooks/stripe/route";
import { loadConfig } from "@/lib/config";
import { paymentProviderFor } from "@/lib/payments/providers";
import { sandboxWebhookSecret } from "@/lib/payments/providers/sandbox-secret";
import { signDelivery } from "@/lib/payments/providers/stripe-signature";
import { countRows, usePaymentProvider } from "../helpers/payment-fixtures";
import { setUpRouteTests } from "../helpers/route-test-context";

const app = setUpRouteTests();
const PUBLISHED_SECRET = "whsec_koepon_local_sandbox";

let dataDir: string;
let secret: string;
let restoreProvider = () => {};

function sandboxConfig(dir: string) {
  const payments = loadConfig({ KOEPON_DATA_DIR: dir }).payments;
  if (payments.provider !== "sandbox") throw new Error("expected the sandbox");
  return payments;
}

beforeAll(async () => {
  dataDir = await fs.mkdtemp(path.join(os.tmpdir(), "koepon-webhook-"));
  const payments = sandboxConfig(dataDir);
  secret = await sandboxWebhookSecret(payments);
  restoreProvider = usePaymentProvider(await paymentProviderFor({ payments, appUrl: "http://localhost" }, app.db));
});

afterAll(async () => {
  restoreProvider();
  await fs.rm(dataDir, { recursive: true, force: true });
});

function post(body: BodyInit, headers: Record<string, string>): Promise<Response> {
  return POST(
    new Request("http://localhost/api/webhooks/stripe", {
      method: "POST",
      headers,
      body,
      duplex: "half",
    } as RequestInit),
    {
      params: Promise.resolve({}),
    },
  );
}

function event(type: string, id: string, object: Record<string, unknown> = {}) {
  return { id, object: "event", type, data: { object } };
}

async function code(response: Response): Promise<string> {
  return ((await response.json()) as { error: { code: string } }).error.code;
}

describe("the sandbox's webhook secret", () => {
  it("has no published default: each data folder generates its own, and keeps it", async () => {
    expect(sandboxConfig(dataDir).webhookSecret).toBeNull();
    const other = await fs.mkdtemp(path.join(os.tmpdir(), "koepon-webhook-"));
    try {
      const again = await sandboxWebhookSecret(sandboxConfig(dataDir));
      const elsewhere = await sandboxWebhookSecret(sandboxConfig(other));
      expect(secret).toMatch(/^whsec_[0-9a-f]{64}$/);
      expect(again).toBe(secret);
      expect(elsewhere).not.toBe(secret);
    } finally {
      await fs.rm(other, { recursive: true, force: true });
    }
    expect(() => loadConfig({ SANDBOX_WEBHOOK_SECRET: PUBLISHED_SECRET })).toThrow(/SANDBOX_WEBHOOK_SECRET/);
  });

  it("refuses an event signed with the once-published secret, writing nothing", async () => {
    const before = await countRows(app.db, "webhook_events");
    const forged = signDelivery(
      event("payment_intent.succeeded", "evt_forged_published"),
      PUBLISHED_SECRET,
      new Date(),
    );
    const response = await post(forged.payload, forged.headers);
    expect([response.status, await code(response)]).toEqual([400, "webhook_signature_invalid"]);
    expect(await countRows(app.db, "webhook_events")).toBe(before);
  });
});

describe("bounded writes", () => {
  it("refuses a body over 64 KiB, declared or streamed, before verifying or writing anything", async () => {
    const before = await countRows(app.db, "webhook_events");
    const big = signDelivery(
      event("payment_intent.succeeded", "evt_big", { metadata: { pad: "x".repeat(70_000) } }),
      secret,
      new Date(),
    );
    const declared = await post(big.payload, big.headers);
    expect([declared.status, await code(declared)]).toEqual([413, "body_too_large"]);

    const bytes = new TextEncoder().encode(big.payload);
    const streamed = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < bytes.length; i += 8192) controller.enqueue(bytes.slice(i, i + 8192));
        controller.close();
      },
    });
    const undeclared = await post(streamed, big.headers);
    expect([undeclared.status, await code(undeclared)]).toEqual([413, "body_too_large"]);
    expect(await countRows(app.db, "webhook_events")).toBe(before);
  });

  it("acknowledges a verified event of a type it never acts on without writing a row", async () => {
    const before = await countRows(app.db, "webhook_events");
    for (let i = 0; i < 20; i++) {
      const d = signDelivery(
        event("customer.updated", `evt_unknown_${i}`, { note: "y".repeat(30_000) }),
        secret,
        new Date(),
      );
      const response = await post(d.payload, d.headers);
      expect(await response.json()).toEqual({ received: true, handled: "ignored", type: "customer.updated" });
    }
    expect(await countRows(app.db, "webhook_events")).toBe(before);
  });

  it("refuses a body that is not UTF-8 as unsigned", async () => {
    const response = await post(new Uint8Array([0x7b, 0xff, 0x7d]), {
      "content-type": "application/json",
      "stripe-signature": "t=1,v1=00",
    });
    expect([response.status, await code(response)]).toEqual([400, "webhook_signature_invalid"]);
  });
});
