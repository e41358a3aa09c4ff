/**
 * A proxy in front of the server for the drill's fourth fault. The server is told to
 * reach itself through it (KOEPON_INTERNAL_URL), so the sandbox provider's webhooks pass
 * here: while faults are on, each one is held back, released with others in reverse
 * order of arrival, and delivered twice. Everything else passes through untouched.
 * It lives outside the app, so nothing in production can switch it on.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";

const WEBHOOK_PATH = "/api/webhooks/stripe";

export interface Delivery {
  /** Arrival index. */
  seq: number;
}

/**
 * The order a held batch is sent in: newest first (reordered), every delivery twice,
 * the duplicates after the whole batch (so a duplicate also arrives after later events).
 */
export function releaseOrder<T extends Delivery>(batch: readonly T[]): T[] {
  const reversed = [...batch].sort((a, b) => b.seq - a.seq);
  return [...reversed, ...reversed];
}

export interface WebhookFaultProxy {
  url: string;
  /** Turns holding, reordering and duplicating on or off. */
  setFaulty(on: boolean): void;
  stats(): { held: number; sent: number; answers: Record<string, number> };
  close(): Promise<void>;
}

interface Held extends Delivery {
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  answer: (status: number) => void;
}

export async function startWebhookFaultProxy(options: {
  port: number;
  target: string;
  /** How long a batch is held before it is released. */
  holdMs: number;
}): Promise<WebhookFaultProxy> {
  let faulty = false;
  let seq = 0;
  let batch: Held[] = [];
  const counters = { held: 0, sent: 0, answers: {} as Record<string, number> };

  const forward = async (method: string, path: string, headers: http.IncomingHttpHeaders, body: Buffer) => {
    const h = new Headers();
    for (const [k, v] of Object.entries(headers)) {
      if (v === undefined || ["host", "connection", "content-length", "transfer-encoding"].includes(k)) continue;
      h.set(k, Array.isArray(v) ? v.join(", ") : v);
    }
    return fetch(`${options.target}${path}`, {
      method,
      headers: h,
      body: method === "GET" || method === "HEAD" ? undefined : new Uint8Array(body),
      redirect: "manual",
      signal: AbortSignal.timeout(30_000),
    });
  };

  const release = async () => {
    const out = releaseOrder(batch);
    batch = [];
    const firstAnswer = new Map<number, number>();
    for (const d of out) {
      let status = 599;
      try {
        const res = await forward("POST", WEBHOOK_PATH, d.headers, d.body);
        await res.body?.cancel();
        status = res.status;
      } catch {
        // the server may be down in another drill: the sender retries on 5xx
      }
      counters.sent++;
      counters.answers[String(status)] = (counters.answers[String(status)] ?? 0) + 1;
      if (!firstAnswer.has(d.seq)) {
        firstAnswer.set(d.seq, status);
        d.answer(status >= 500 ? 502 : status);
      }
    }
  };
  const timer = setInterval(() => {
    if (batch.length > 0) void release();
  }, options.holdMs);

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      const path = req.url ?? "/";
      if (faulty && req.method === "POST" && path === WEBHOOK_PATH) {
        counters.held++;
        batch.push({ seq: seq++, headers: req.headers, body, answer: (s) => res.writeHead(s).end() });
        return;
      }
      forward(req.method ?? "GET", path, req.headers, body)
        .then(async (upstream) => {
          const headers: Record<string, string> = {};
          upstream.headers.forEach((v, k) => {
            if (k !== "content-encoding" && k !== "content-length" && k !== "transfer-encoding") headers[k] = v;
          });
          const payload = Buffer.from(await upstream.arrayBuffer());
          res.writeHead(upstream.status, headers).end(payload);
        })
        // The server went away mid-answer (the kill -9 drill): the caller sees a failed request.
        .catch(() => (res.headersSent ? res.destroy() : res.writeHead(502).end()));
    });
  });
  await new Promise<void>((resolve) => server.listen(options.port, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    setFaulty(on) {
      faulty = on;
      if (!on && batch.length > 0) void release();
    },
    stats: () => ({ ...counters, answers: { ...counters.answers } }),
    async close() {
      clearInterval(timer);
      if (batch.length > 0) await release();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
