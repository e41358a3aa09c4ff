/**
 * A local server speaking Datadog's metric intake as documented, strict about what it
 * accepts, so the emitter is tested against the protocol rather than against itself:
 *
 *   POST /api/v2/series               202 {"errors":[]}
 *   POST /api/v1/distribution_points  202 {"status":"ok"}
 *
 * Each request must carry `DD-API-KEY`, `Content-Type: application/json` and
 * `Content-Encoding: gzip`, be at most 512,000 bytes on the wire and under 5,242,880
 * decompressed, and hold a payload of the documented schema: metric names of the
 * catalogue, `type` 0–3 with an `interval` on counts, points of integer POSIX seconds no
 * older than one hour and no more than ten minutes ahead of the server's clock, numeric
 * values, `key:value` tags in Datadog's character set. Anything else is answered 400
 * (403 for a wrong key, 413 too large) and recorded in `rejected`.
 *
 * `failNext` queues answers for the next requests (500, 429 with Retry-After…), before
 * any checking, as an overloaded intake would.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { gunzipSync } from "node:zlib";
import { CATALOGUE } from "@/lib/metrics/catalogue";

export interface AcceptedSeries {
  metric: string;
  type: number;
  interval?: number;
  points: { timestamp: number; value: number }[];
  tags: string[];
  resources?: { name: string; type: string }[];
}

export interface AcceptedDistribution {
  metric: string;
  points: [number, number[]][];
  tags: string[];
  host?: string;
}

export interface IntakeServer {
  url: string;
  port: number;
  /** Every accepted series, in arrival order. */
  series: AcceptedSeries[];
  distributions: AcceptedDistribution[];
  /** Per accepted request: its path and sizes. */
  requests: { path: string; wireBytes: number; jsonBytes: number }[];
  rejected: { path: string; status: number; reason: string }[];
  /** Requests answered by `failNext`. */
  failed: number;
  failNext(...answers: { status: number; retryAfter?: string }[]): void;
  /** The server's clock, in ms (the emitter's fake clock in tests). */
  setNow(ms: number): void;
  close(): Promise<void>;
}

const WIRE_LIMIT = 512_000;
const DECOMPRESSED_LIMIT = 5_242_880;
const PAST_LIMIT_S = 3600;
const FUTURE_LIMIT_S = 600;
const NAMES = new Set(CATALOGUE.map((m) => m.name));
const TAG = /^[a-z][a-z0-9_\-:./]*$/;

class Invalid extends Error {}

function check(ok: unknown, reason: string): asserts ok {
  if (!ok) throw new Invalid(reason);
}

function checkTimestamp(ts: unknown, nowS: number) {
  check(Number.isInteger(ts), `timestamp ${String(ts)} is not integer seconds`);
  check((ts as number) >= nowS - PAST_LIMIT_S, `timestamp ${String(ts)} is more than one hour old`);
  check((ts as number) <= nowS + FUTURE_LIMIT_S, `timestamp ${String(ts)} is more than ten minutes ahead`);
}

function checkCommon(s: Record<string, unknown>) {
  check(typeof s.metric === "string" && NAMES.has(s.metric), `unknown metric ${String(s.metric)}`);
  check(Array.isArray(s.tags), "tags must be a list");
  for (const tag of s.tags as unknown[]) {
    check(typeof tag === "string" && TAG.test(tag) && tag.length <= 200 && tag.includes(":"), `bad tag ${String(tag)}`);
  }
  check(Array.isArray(s.points) && s.points.length > 0, "points must be a non-empty list");
}

function checkSeries(body: unknown, nowS: number): AcceptedSeries[] {
  const series = (body as { series?: unknown }).series;
  check(Array.isArray(series) && series.length > 0, "series must be a non-empty list");
  for (const s of series as Record<string, unknown>[]) {
    checkCommon(s);
    check([0, 1, 2, 3].includes(s.type as number), `type ${String(s.type)} is not 0-3`);
    if (s.type === 1 || s.type === 2)
      check(Number.isInteger(s.interval) && (s.interval as number) > 0, "count without interval");
    for (const p of s.points as Record<string, unknown>[]) {
      checkTimestamp(p.timestamp, nowS);
      check(typeof p.value === "number" && Number.isFinite(p.value), `value ${String(p.value)} is not a number`);
    }
    if (s.resources !== undefined) {
      check(Array.isArray(s.resources), "resources must be a list");
      for (const r of s.resources as Record<string, unknown>[]) {
        check(typeof r.name === "string" && typeof r.type === "string", "a resource needs name and type");
      }
    }
  }
  return series as AcceptedSeries[];
}

function checkDistributions(body: unknown, nowS: number): AcceptedDistribution[] {
  const series = (body as { series?: unknown }).series;
  check(Array.isArray(series) && series.length > 0, "series must be a non-empty list");
  for (const s of series as Record<string, unknown>[]) {
    checkCommon(s);
    check(s.type === undefined || s.type === "distribution", "type must be distribution");
    check(s.host === undefined || typeof s.host === "string", "host must be a string");
    for (const p of s.points as unknown[]) {
      check(Array.isArray(p) && p.length === 2, "a point is [timestamp, [values]]");
      checkTimestamp(p[0], nowS);
      check(Array.isArray(p[1]) && p[1].length > 0, "a point needs values");
      check(
        (p[1] as unknown[]).every((v) => typeof v === "number" && Number.isFinite(v)),
        "values must be numbers",
      );
    }
  }
  return series as AcceptedDistribution[];
}

export async function startIntakeServer(options: { apiKey: string; now: number }): Promise<IntakeServer> {
  let now = options.now;
  const answers: { status: number; retryAfter?: string }[] = [];
  const state: Omit<IntakeServer, "url" | "port" | "failNext" | "setNow" | "close"> = {
    series: [],
    distributions: [],
    requests: [],
    rejected: [],
    failed: 0,
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const path = new URL(req.url ?? "/", "http://intake").pathname;
      const reply = (status: number, body: unknown, headers: Record<string, string> = {}) => {
        res.writeHead(status, { "content-type": "application/json", ...headers });
        res.end(JSON.stringify(body));
      };
      const queued = answers.shift();
      if (queued) {
        state.failed++;
        return reply(
          queued.status,
          { errors: ["unavailable"] },
          queued.retryAfter ? { "retry-after": queued.retryAfter } : {},
        );
      }
      const reject = (status: number, reason: string) => {
        state.rejected.push({ path, status, reason });
        reply(status, { errors: [reason] });
      };
      try {
        if (req.method !== "POST") return reject(405, "POST only");
        if (path !== "/api/v2/series" && path !== "/api/v1/distribution_points") return reject(404, "no such intake");
        if (req.headers["dd-api-key"] !== options.apiKey) return reject(403, "bad DD-API-KEY");
        const wire = Buffer.concat(chunks);
        if (wire.length > WIRE_LIMIT) return reject(413, `payload of ${wire.length} bytes`);
        check(req.headers["content-type"]?.startsWith("application/json"), "content-type must be application/json");
        check(req.headers["content-encoding"] === "gzip", "content-encoding must be gzip");
        const json = gunzipSync(wire);
        if (json.length >= DECOMPRESSED_LIMIT) return reject(413, `decompressed payload of ${json.length} bytes`);
        const body: unknown = JSON.parse(json.toString("utf8"));
        const nowS = Math.floor(now / 1000);
        if (path === "/api/v2/series") state.series.push(...checkSeries(body, nowS));
        else state.distributions.push(...checkDistributions(body, nowS));
        state.requests.push({ path, wireBytes: wire.length, jsonBytes: json.length });
        return path === "/api/v2/series" ? reply(202, { errors: [] }) : reply(202, { status: "ok" });
      } catch (err) {
        return reject(400, err instanceof Error ? err.message : String(err));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return Object.assign(state, {
    url: `http://127.0.0.1:${port}`,
    port,
    failNext: (...next: { status: number; retryAfter?: string }[]) => void answers.push(...next),
    setNow: (ms: number) => void (now = ms),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}
