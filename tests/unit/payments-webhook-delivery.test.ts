/** The sandbox's webhook delivery: retried like Stripe retries, and never throwing. */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { signDelivery } from "@/lib/payments/providers/stripe-signature";
import { deliverWebhook } from "@/lib/payments/providers/webhook-delivery";

const delivery = signDelivery(
  { id: "evt_1", object: "event", type: "ping", data: { object: {} } },
  "whsec_x",
  new Date(),
);
const noWait = { sleep: async () => {} };
let server: http.Server | undefined;

/** A receiver answering the given statuses in turn, recording what it got. */
async function receiver(statuses: number[]) {
  const received: { body: string; signature: string | undefined }[] = [];
  server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      received.push({ body, signature: req.headers["stripe-signature"] as string | undefined });
      res.writeHead(statuses[Math.min(received.length - 1, statuses.length - 1)]!);
      res.end();
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/webhooks/stripe`, received };
}

/** Closes the receiver, dropping fetch's kept-alive connections (close alone would wait for them). */
async function stop(): Promise<void> {
  const s = server;
  server = undefined;
  if (!s) return;
  s.closeAllConnections();
  await new Promise((resolve) => s.close(resolve));
}

afterEach(stop);

describe("deliverWebhook", () => {
  it("posts the exact signed bytes", async () => {
    const { url, received } = await receiver([200]);
    expect(await deliverWebhook(url, delivery, noWait)).toEqual({ delivered: true, status: 200, attempts: 1 });
    expect(received).toEqual([{ body: delivery.payload, signature: delivery.headers["stripe-signature"] }]);
  });

  it("retries 5xx answers with a doubling pause until one succeeds", async () => {
    const { url, received } = await receiver([503, 500, 200]);
    const pauses: number[] = [];
    const result = await deliverWebhook(url, delivery, {
      firstDelayMs: 100,
      sleep: async (ms) => void pauses.push(ms),
    });
    expect(result).toEqual({ delivered: true, status: 200, attempts: 3 });
    expect(received).toHaveLength(3);
    expect(pauses).toEqual([100, 200]);
  });

  it("does not retry a 4xx: the same bytes would be refused again", async () => {
    const { url, received } = await receiver([400]);
    expect(await deliverWebhook(url, delivery, noWait)).toEqual({ delivered: false, attempts: 1, error: "HTTP 400" });
    expect(received).toHaveLength(1);
  });

  it("gives up after the last attempt without throwing when nothing listens", async () => {
    const { url } = await receiver([200]);
    await stop();
    const result = await deliverWebhook(url, delivery, { ...noWait, attempts: 3 });
    expect(result).toMatchObject({ delivered: false, attempts: 3 });
  });
});
