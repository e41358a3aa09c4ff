/**
 * Where the instances post their sandbox webhooks in the scale drill: a pass-through to
 * the balancer's `POST /api/webhooks/stripe` that remembers, for each delivery, its body
 * and the instance that handled it. With the instance that answered the pull itself, it
 * shows a purchase whose request and webhook were handled by different instances.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { INSTANCE_HEADER } from "./balancer";

export interface TappedDelivery {
  body: string;
  status: number;
  instance: string | null;
}

export interface WebhookTap {
  url: string;
  deliveries: TappedDelivery[];
  close(): Promise<void>;
}

export async function startWebhookTap(options: { port: number; balancer: string }): Promise<WebhookTap> {
  const deliveries: TappedDelivery[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      const headers = new Headers();
      for (const name of ["content-type", "stripe-signature", "user-agent"]) {
        const v = req.headers[name];
        if (typeof v === "string") headers.set(name, v);
      }
      void forward(`${options.balancer}${req.url ?? "/"}`, req.method, headers, body).then((answer) => {
        deliveries.push({ body: body.toString(), status: answer?.status ?? 0, instance: answer?.instance ?? null });
        if (!answer) return void res.writeHead(502).end();
        res.writeHead(answer.status, { "content-type": answer.contentType });
        res.end(answer.text);
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(options.port, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/webhooks/stripe`,
    deliveries,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/**
 * One delivery passed on to the balancer, read to its end; null when no whole answer
 * came back. An instance killed mid-answer ends the body with an error ("terminated"),
 * so the body is read inside the same catch as the request: the sender then gets a 502
 * and retries, as it would from any proxy.
 */
async function forward(
  url: string,
  method: string | undefined,
  headers: Headers,
  body: Buffer,
): Promise<{ status: number; instance: string | null; contentType: string; text: string } | null> {
  try {
    const answer = await fetch(url, {
      method,
      headers,
      body: new Uint8Array(body),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await answer.text();
    return {
      status: answer.status,
      instance: answer.headers.get(INSTANCE_HEADER),
      contentType: answer.headers.get("content-type") ?? "text/plain",
      text,
    };
  } catch {
    return null;
  }
}
