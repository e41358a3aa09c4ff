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
      fetch(`${options.balancer}${req.url ?? "/"}`, {
        method: req.method,
        headers,
        body,
        signal: AbortSignal.timeout(30_000),
      }).then(
        async (answer) => {
          const text = await answer.text();
          deliveries.push({
            body: body.toString(),
            status: answer.status,
            instance: answer.headers.get(INSTANCE_HEADER),
          });
          res.writeHead(answer.status, { "content-type": answer.headers.get("content-type") ?? "text/plain" });
          res.end(text);
        },
        () => {
          deliveries.push({ body: body.toString(), status: 0, instance: null });
          res.writeHead(502).end();
        },
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(options.port, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/webhooks/stripe`,
    deliveries,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
