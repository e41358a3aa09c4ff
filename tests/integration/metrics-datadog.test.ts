/**
 * The Datadog emitter against a local intake that checks every payload against the
 * documented schema and limits: the business minutes from the rollups and this
 * process's request metrics arrive with their exact values; retries honour 500 and 429
 * with Retry-After and deliver once; when the intake is down the emitter keeps going,
 * logs one line per run, and catches up afterwards within the hour Datadog accepts,
 * dropping (and counting) only what is older; large distributions are cut into requests
 * under the limit.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { DatadogConfig } from "@/lib/config";
import type { Database } from "@/lib/db";
import { jstDate } from "@/lib/auth/age";
import { dailyUserFigures } from "@/lib/metrics/business";
import { emitToDatadog, newEmitterState, type EmitOptions } from "@/lib/metrics/datadog";
import { MAX_PAYLOAD_BYTES } from "@/lib/metrics/datadog-payload";
import { recordRequest, type RequestMetrics } from "@/lib/metrics/requests";
import { rollUpMinutes } from "@/lib/metrics/rollups";
import { startIntakeServer, type IntakeServer } from "../helpers/datadog-intake-server";
import { createTestDatabase, type TestDatabase } from "../helpers/database";
import * as fx from "../helpers/fixtures";

const at = (time: string) => new Date(`2026-11-20T${time}Z`);
const sec = (time: string) => at(time).getTime() / 1000;
const API_KEY = "0123456789abcdef0123456789abcdef";

let database: TestDatabase;
let db: Database;
let gachaA: fx.GachaFixture;
let gachaB: fx.GachaFixture;
let fan: fx.UserFixture;
let intake: IntakeServer;
let config: DatadogConfig;
const state = newEmitterState();
const requests: RequestMetrics = { answers: new Map(), latency: new Map() };
const waits: number[] = [];

const buy = (gacha: fx.GachaFixture, pullCount: 1 | 10, when: Date, refundedAt?: Date) =>
  fx.buyAt(db, fan, gacha, pullCount, when, refundedAt);

/** One scheduler tick at `now`: the rollups, then the emitter (the jobs' order). */
async function tick(now: Date, overrides: Partial<EmitOptions> = {}) {
  intake.setNow(now.getTime());
  await rollUpMinutes(db, { now });
  return emitToDatadog(db, {
    now,
    env: "test",
    config,
    requests,
    state,
    post: { sleep: async (ms) => void waits.push(ms), timeoutMs: 5_000 },
    ...overrides,
  });
}

/** What Datadog keeps: the last value per metric, tags, host and timestamp. */
function kept(series: IntakeServer["series"], metric: string) {
  const byKey = new Map<string, { ts: number; tags: string[]; value: number }>();
  for (const s of series.filter((x) => x.metric === metric)) {
    for (const p of s.points) {
      byKey.set(`${s.tags.join(",")}|${s.resources?.[0]?.name ?? ""}|${p.timestamp}`, {
        ts: p.timestamp,
        tags: s.tags,
        value: p.value,
      });
    }
  }
  return [...byKey.values()].sort((a, b) => a.ts - b.ts || a.tags.join().localeCompare(b.tags.join()));
}

const sum = (points: { value: number }[]) => points.reduce((n, p) => n + p.value, 0);

beforeAll(async () => {
  database = await createTestDatabase();
  db = database.db;
  const vtA = await fx.createVtuber(db);
  const vtB = await fx.createVtuber(db);
  gachaA = await fx.createApprovedCampaign(db, vtA);
  gachaB = await fx.createApprovedCampaign(db, vtB);
  fan = await fx.createUser(db);
  intake = await startIntakeServer({ apiKey: API_KEY, now: at("10:03:05").getTime() });
  config = { apiKey: API_KEY, site: "ap1.datadoghq.com", apiUrl: intake.url, hostname: "web-1" };

  await buy(gachaA, 1, at("10:00:10"));
  await buy(gachaA, 10, at("10:00:20"));
  await buy(gachaB, 1, at("10:01:30"), at("10:02:00"));
});

afterAll(async () => {
  await intake?.close();
  await database?.close();
});

describe("Datadog emitter", () => {
  it("sends the business minutes as counts and this process's requests as counts, shares and distributions, all accepted by the documented schema", async () => {
    for (let i = 0; i < 3; i++)
      recordRequest(requests, { route: "/api/gachas/[id]/pulls", status: 201, durationMs: 20 });
    recordRequest(requests, { route: "/api/gachas/[id]/pulls", status: 503, durationMs: 700 });
    recordRequest(requests, { route: "/api/me", status: 404, durationMs: 3 });

    const run = await tick(at("10:03:05"));
    expect(intake.rejected).toEqual([]);
    expect(run).toMatchObject({ failed: 0, dropped: 0, pending: 0, business: true });
    expect(run.doneUntil?.toISOString()).toBe("2026-11-20T10:03:00.000Z");

    const a = `campaign_id:${gachaA.campaign.id}`;
    const b = `campaign_id:${gachaB.campaign.id}`;
    expect(kept(intake.series, "gacha.pulls.total")).toEqual([
      { ts: sec("10:00:00"), tags: [a, "env:test", "kind:single"], value: 1 },
      { ts: sec("10:00:00"), tags: [a, "env:test", "kind:ten"], value: 10 },
      { ts: sec("10:01:00"), tags: [b, "env:test", "kind:single"], value: 1 },
    ]);
    expect(kept(intake.series, "gacha.revenue.total")).toEqual([
      { ts: sec("10:00:00"), tags: [a, "env:test"], value: 1100 },
      { ts: sec("10:01:00"), tags: [b, "env:test"], value: 100 },
    ]);
    expect(kept(intake.series, "gacha.refunds.total")).toEqual([
      { ts: sec("10:02:00"), tags: [b, "env:test"], value: 100 },
    ]);
    const counts = intake.series.filter((s) => s.metric === "gacha.revenue.total");
    expect(counts.every((s) => s.type === 1 && s.interval === 60 && s.resources === undefined)).toBe(true);

    // Pulls per minute, a gauge for every minute Datadog still accepts (from 09:09), zero when quiet.
    const rate = kept(intake.series, "gacha.pulls.rate");
    expect(rate).toHaveLength(54);
    expect(rate[0]!.ts).toBe(sec("09:09:00"));
    expect(rate.filter((p) => p.value > 0)).toEqual([
      { ts: sec("10:00:00"), tags: ["env:test"], value: 11 },
      { ts: sec("10:01:00"), tags: ["env:test"], value: 1 },
    ]);
    const today = await dailyUserFigures(db, jstDate(at("10:03:05")));
    expect(kept(intake.series, "users.active.daily")).toEqual([
      { ts: sec("10:03:00"), tags: ["env:test"], value: today.active },
    ]);
    expect(today.active).toBe(1);

    // Requests: per route and status class, on this host; the shares of all answers.
    expect(kept(intake.series, "http.requests").map((p) => [p.tags.join(" "), p.value])).toEqual([
      ["env:test route:/api/gachas/_id_/pulls status_class:2xx", 3],
      ["env:test route:/api/gachas/_id_/pulls status_class:5xx", 1],
      ["env:test route:/api/me status_class:4xx", 1],
    ]);
    const requestSeries = intake.series.filter((s) => s.metric === "http.requests");
    expect(requestSeries.every((s) => s.resources?.[0]?.name === "web-1" && s.type === 1)).toBe(true);
    expect(kept(intake.series, "system.errors.rate").map((p) => [p.tags.join(" "), p.value])).toEqual([
      ["env:test status_class:4xx", 0.2],
      ["env:test status_class:5xx", 0.2],
    ]);
    const p99 = intake.distributions.filter((d) => d.metric === "system.performance.p99");
    expect(p99.flatMap((d) => d.points.flatMap((p) => p[1])).sort((x, y) => x - y)).toEqual([5, 25, 25, 25, 1000]);
    expect(p99.every((d) => d.host === "web-1" && d.tags.join() === "env:test")).toBe(true);
    const perRoute = intake.distributions.filter((d) => d.metric === "http.request.duration");
    expect(perRoute.map((d) => [d.tags.join(" "), d.points[0]![1].length])).toEqual([
      ["env:test route:/api/gachas/_id_/pulls", 4],
      ["env:test route:/api/me", 1],
    ]);
  });

  it("next run: only the requests since, and the business minutes again from the lookback (Datadog keeps one value each)", async () => {
    const before = intake.series.length;
    recordRequest(requests, { route: "/api/me", status: 200, durationMs: 40 });
    recordRequest(requests, { route: "/api/me", status: 200, durationMs: 40 });
    await tick(at("10:04:05"));
    expect(intake.rejected).toEqual([]);
    const fresh = intake.series.slice(before).filter((s) => s.metric === "http.requests");
    expect(fresh.map((s) => [s.tags.join(" "), s.points[0]!.value])).toEqual([
      ["env:test route:/api/me status_class:2xx", 2],
    ]);
    // 10:00 was sent again (inside the lookback), with the same value: still 12 items in all.
    expect(sum(kept(intake.series, "gacha.pulls.total"))).toBe(12);
  });

  it("a 500, then a 429 with Retry-After: waits as told and delivers each payload once", async () => {
    waits.length = 0;
    const before = { series: intake.series.length, failed: intake.failed };
    recordRequest(requests, { route: "/api/me", status: 200, durationMs: 40 });
    intake.failNext({ status: 500 }, { status: 429, retryAfter: "7" });
    const run = await tick(at("10:05:05"));
    expect(run).toMatchObject({ failed: 0, pending: 0 });
    expect(intake.failed - before.failed).toBe(2);
    // Exponential backoff after the 500 (1 s), then the 7 s the 429 asked for.
    expect(waits).toEqual([1000, 7000]);
    const fresh = intake.series.slice(before.series).filter((s) => s.metric === "http.requests");
    expect(fresh.map((s) => s.points[0]!.value)).toEqual([1]);
    expect(intake.rejected).toEqual([]);
  });

  it("keeps working while the intake is down, one log line per run, then catches up what it missed", async () => {
    const logged = vi.spyOn(console, "error").mockImplementation(() => {});
    const down = { ...config, apiUrl: "http://127.0.0.1:9" }; // discard port: connection refused
    try {
      await buy(gachaA, 10, at("10:05:30"));
      recordRequest(requests, { route: "/api/me", status: 200, durationMs: 40 });
      const first = await tick(at("10:06:05"), { config: down });
      recordRequest(requests, { route: "/api/me", status: 500, durationMs: 40 });
      const second = await tick(at("10:07:05"), { config: down });
      for (const run of [first, second]) {
        // The first request failed through its retries; the rest waited for the next run.
        expect(run).toMatchObject({ failed: 1, sent: 0, doneUntil: null });
      }
      expect(waits.slice(-2)).toEqual([1000, 2000]);
      expect(second.pending).toBe(first.pending + 5); // a count, two shares, two distribution values
      const lines = logged.mock.calls.map((c) => JSON.parse(String(c[0])) as { event: string });
      expect(lines.map((l) => l.event)).toEqual(["datadog.emit_failed", "datadog.emit_failed"]);
    } finally {
      logged.mockRestore();
    }

    const before = intake.series.length;
    const run = await tick(at("10:08:05"));
    expect(run).toMatchObject({ failed: 0, pending: 0, dropped: 0 });
    expect(intake.rejected).toEqual([]);
    const fresh = intake.series.slice(before);
    // The 10:05 ten-pull, missed twice, arrives.
    expect(kept(fresh, "gacha.pulls.total").filter((p) => p.ts === sec("10:05:00"))).toEqual([
      { ts: sec("10:05:00"), tags: [`campaign_id:${gachaA.campaign.id}`, "env:test", "kind:ten"], value: 10 },
    ]);
    // The requests of both failed runs, at their own times.
    expect(kept(fresh, "http.requests").map((p) => [p.ts, p.tags.at(-1), p.value])).toEqual([
      [sec("10:06:05"), "status_class:2xx", 1],
      [sec("10:07:05"), "status_class:5xx", 1],
    ]);
    // And the failures it counted.
    expect(sum(kept(fresh, "metrics.emit.failures"))).toBe(state.failures);
    expect(state.failures).toBe(2);
  });

  it("after an outage longer than Datadog's hour, sends nothing too old and counts what it dropped", async () => {
    const down = { ...config, apiUrl: "http://127.0.0.1:9" };
    const logged = vi.spyOn(console, "error").mockImplementation(() => {});
    try {
      await buy(gachaB, 1, at("10:10:30"));
      recordRequest(requests, { route: "/api/me", status: 200, durationMs: 40 });
      await tick(at("10:11:05"), { config: down });
    } finally {
      logged.mockRestore();
    }
    const before = intake.series.length;
    // Back at 11:30:05: Datadog takes points from 10:30:05 on; the emitter keeps a margin (10:36).
    const run = await tick(at("11:30:05"));
    expect(intake.rejected).toEqual([]);
    // Dropped: the 10:10 pull and revenue minutes, and the five request points of the failed run.
    expect(run.dropped).toBe(7);
    const fresh = intake.series.slice(before);
    expect(Math.min(...fresh.flatMap((s) => s.points.map((p) => p.timestamp)))).toBe(sec("10:36:00"));
    expect(kept(fresh, "gacha.pulls.total")).toEqual([]);
    // The drop is itself counted where operators look.
    expect(sum(kept(fresh, "metrics.emit.dropped"))).toBe(7);
  });

  it("sends only its own requests while another instance holds the business lease", async () => {
    await db.query("update public.job_watermarks set done_until = $1 where job = 'datadog-lease'", [at("11:40:00")]);
    recordRequest(requests, { route: "/api/me", status: 200, durationMs: 40 });
    const before = intake.series.length;
    const run = await tick(at("11:31:05"));
    expect(run.business).toBe(false);
    expect(new Set(intake.series.slice(before).map((s) => s.metric))).toEqual(
      new Set(["http.requests", "system.errors.rate"]),
    );
  });

  it("cuts a busy minute's distributions into requests under the payload limit, every value once", async () => {
    const busy: RequestMetrics = { answers: new Map(), latency: new Map() };
    for (let i = 0; i < 150_000; i++) recordRequest(busy, { route: "/api/gachas", status: 200, durationMs: 800 });
    const before = { requests: intake.requests.length, distributions: intake.distributions.length };
    const run = await tick(at("11:32:05"), { requests: busy, state: newEmitterState() });
    expect(run.failed).toBe(0);
    expect(intake.rejected).toEqual([]);
    const sent = intake.requests.slice(before.requests).filter((r) => r.path === "/api/v1/distribution_points");
    expect(sent.length).toBeGreaterThanOrEqual(3);
    expect(sent.every((r) => r.jsonBytes <= MAX_PAYLOAD_BYTES && r.wireBytes <= MAX_PAYLOAD_BYTES)).toBe(true);
    const values = intake.distributions.slice(before.distributions).flatMap((d) => d.points.flatMap((p) => p[1]));
    // 150,000 requests, once per route and once in system.performance.p99, each at its bucket's bound.
    expect(values.length).toBe(300_000);
    expect(new Set(values)).toEqual(new Set([1000]));
  });

  it("a rejected key keeps the data for a later run; a payload refused as malformed is dropped and counted", async () => {
    const logged = vi.spyOn(console, "error").mockImplementation(() => {});
    try {
      const dropped = state.dropped;
      intake.failNext({ status: 403 });
      const keyRun = await tick(at("11:45:05"));
      expect(keyRun).toMatchObject({ failed: 1, sent: 0, doneUntil: null, dropped, business: true });
      // The business figures go first: refused for good, they are dropped, not sent again.
      const before = intake.series.length;
      intake.failNext({ status: 400 });
      const badRun = await tick(at("11:46:05"));
      expect(badRun.failed).toBe(1);
      expect(badRun.doneUntil?.toISOString()).toBe("2026-11-20T11:46:00.000Z");
      expect(badRun.dropped).toBeGreaterThan(dropped);
      const fresh = intake.series.slice(before).map((x) => x.metric);
      expect(fresh).not.toContain("gacha.pulls.rate");
      const again = intake.series.length;
      await tick(at("11:47:05"));
      // Only 11:36 on (the lookback from 11:46) and nothing from before the refusal is re-sent.
      const rates = kept(intake.series.slice(again), "gacha.pulls.rate");
      expect(rates[0]!.ts).toBe(sec("11:36:00"));
      // The drop is reported with the next run's own counters.
      expect(sum(kept(intake.series.slice(again), "metrics.emit.dropped"))).toBe(badRun.dropped - dropped);
    } finally {
      logged.mockRestore();
    }
  });
});
