/** The one retry of outbound calls (lib/http/retry.ts), against a real local HTTP server. */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { fetchWithRetry, retryAfterMs, RETRY_429_5XX, type RetryPolicy } from "@/lib/http/retry";

describe("retryAfterMs", () => {
  const now = Date.UTC(2026, 10, 30, 12, 0, 0);

  it("reads whole seconds", () => {
    expect(retryAfterMs("7", now)).toBe(7_000);
    expect(retryAfterMs(" 0 ", now)).toBe(0);
    expect(retryAfterMs("120", now)).toBe(120_000);
  });

  it("reads an HTTP date as the time left until it, and a past date as now", () => {
    expect(retryAfterMs(new Date(now + 61_000).toUTCString(), now)).toBe(61_000);
    expect(retryAfterMs("Mon, 30 Nov 2026 12:00:30 GMT", now)).toBe(30_000);
    expect(retryAfterMs(new Date(now - 5_000).toUTCString(), now)).toBe(0);
  });

  it("is null when absent or blank", () => {
    expect(retryAfterMs(null, now)).toBeNull();
    expect(retryAfterMs("", now)).toBeNull();
    expect(retryAfterMs("   ", now)).toBeNull();
  });

  it("is null for garbage, negative or fractional values (not read as a year or a date)", () => {
    for (const garbage of ["soon", "-1", "1.5", "12abc", "Mon, 99 Foo 2026"]) {
      expect(retryAfterMs(garbage, now), garbage).toBeNull();
    }
  });
});

let server: http.Server | undefined;

/** Answers each request with the next of `answers` (the last repeats), recording the bodies. */
async function serve(answers: { status: number; headers?: Record<string, string> }[]) {
  const bodies: string[] = [];
  server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      bodies.push(body);
      const answer = answers[Math.min(bodies.length - 1, answers.length - 1)]!;
      res.writeHead(answer.status, answer.headers ?? {});
      res.end(`answer ${bodies.length}`);
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/intake`, bodies };
}

afterEach(async () => {
  const s = server;
  server = undefined;
  if (!s) return;
  s.closeAllConnections();
  await new Promise((resolve) => s.close(resolve));
});

function policy(overrides: Partial<RetryPolicy> = {}): RetryPolicy & { waits: number[] } {
  const waits: number[] = [];
  return {
    attempts: 4,
    backoffMs: 100,
    maxWaitMs: 5_000,
    retryOn: RETRY_429_5XX,
    sleep: async (ms) => void waits.push(ms),
    waits,
    ...overrides,
  };
}

describe("fetchWithRetry", () => {
  it("retries 429 and 5xx with doubling backoff until a final answer, sending the same body", async () => {
    const { url, bodies } = await serve([{ status: 503 }, { status: 429 }, { status: 500 }, { status: 202 }]);
    const p = policy();
    const result = await fetchWithRetry(url, { method: "POST", body: "event" }, p);
    expect(result).toMatchObject({ answered: true, status: 202, text: "answer 4", attempts: 4, exhausted: false });
    expect(bodies).toEqual(["event", "event", "event", "event"]);
    expect(p.waits).toEqual([100, 200, 400]);
  });

  it("waits what Retry-After asks, in seconds or as an HTTP date, capped at maxWaitMs", async () => {
    const now = Date.UTC(2026, 10, 30, 12, 0, 0);
    const { url } = await serve([
      { status: 429, headers: { "retry-after": "2" } },
      { status: 503, headers: { "retry-after": new Date(now + 3_000).toUTCString() } },
      { status: 429, headers: { "retry-after": "3600" } },
      { status: 200 },
    ]);
    const p = policy({ now: () => now });
    const result = await fetchWithRetry(url, { method: "GET" }, p);
    expect(result).toMatchObject({ answered: true, status: 200, attempts: 4 });
    expect(p.waits).toEqual([2_000, 3_000, 5_000]);
  });

  it("falls back to the backoff when Retry-After is garbage", async () => {
    const { url } = await serve([{ status: 429, headers: { "retry-after": "later" } }, { status: 204 }]);
    const p = policy();
    expect(await fetchWithRetry(url, { method: "GET" }, p)).toMatchObject({ status: 204, attempts: 2 });
    expect(p.waits).toEqual([100]);
  });

  it("returns a status the predicate does not retry at once", async () => {
    const { url, bodies } = await serve([{ status: 408 }, { status: 408 }, { status: 200 }]);
    const p = policy();
    expect(await fetchWithRetry(url, { method: "GET" }, p)).toMatchObject({
      answered: true,
      status: 408,
      attempts: 1,
      exhausted: false,
    });
    expect(bodies).toHaveLength(1);
    // A caller whose service documents 408 as retryable (Datadog) says so.
    const datadog = policy({ retryOn: (s) => s === 408 || RETRY_429_5XX(s) });
    expect(await fetchWithRetry(url, { method: "GET" }, datadog)).toMatchObject({ status: 200, attempts: 2 });
  });

  it("reports the last retryable answer as exhausted when the attempts run out", async () => {
    const { url, bodies } = await serve([{ status: 502 }]);
    const result = await fetchWithRetry(url, { method: "GET" }, policy({ attempts: 3 }));
    expect(result).toMatchObject({ answered: true, status: 502, attempts: 3, exhausted: true });
    expect(bodies).toHaveLength(3);
  });

  it("retries when nothing answers, then reports why without throwing", async () => {
    const { url } = await serve([{ status: 200 }]);
    server!.closeAllConnections();
    await new Promise((resolve) => server!.close(resolve));
    server = undefined;
    const p = policy({ attempts: 3 });
    const result = await fetchWithRetry(url, { method: "GET" }, p);
    expect(result).toMatchObject({ answered: false, attempts: 3 });
    expect(result.answered ? "" : result.reason).toMatch(/ECONNREFUSED/);
    expect(p.waits).toEqual([100, 200]);
  });
});
