/**
 * The alert rules end to end: figures written into the database as the jobs write them
 * (signal counts of two instances, business rollups, audit rows), the evaluator run with
 * a fake clock, and local PagerDuty and Slack receivers that check the documented
 * payloads. Each rule goes across its threshold and back: exactly one trigger and one
 * resolve, with the same dedup key, however often it is evaluated in between.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Probes } from "@/lib/alerts/evaluate";
import { runAlerts, type OutageState } from "@/lib/alerts/incidents";
import { alertsJob, dependencyProbes } from "@/lib/alerts/job";
import { ALERT_RULES, type AlertRule } from "@/lib/alerts/rules";
import { loadConfig, type AlertsConfig } from "@/lib/config";
import { alertsSettings } from "@/lib/config/alerts";
import { openDatabase, type Database } from "@/lib/db";
import { openPglite } from "@/lib/db/pglite";
import { addDays, jstDay } from "@/lib/metrics/business";
import { countAnswer } from "@/lib/metrics/signals";
import {
  startPagerDutyReceiver,
  startSlackReceiver,
  type PagerDutyEvent,
  type Receiver,
  type SlackMessage,
} from "../helpers/alert-receivers";
import { createTestDatabase, type TestDatabase } from "../helpers/database";

const ROUTING_KEY = "R0UT1NGKEY0123456789abcdefABCDEF";
const SLACK_PATH = "/services/T000/B000/XXXX";

let database: TestDatabase;
let db: Database;
let pagerduty: Receiver<PagerDutyEvent>;
let slack: Receiver<SlackMessage>;
let config: AlertsConfig;

const up: Probes = { database: async () => {}, limiter_store: async () => {} };
const noWait = { sleep: async () => {}, attempts: 3 };

const rule = (id: string): AlertRule => ALERT_RULES.find((r) => r.id === id)!;
const at = (day: string, time: string) => new Date(`${day}T${time}Z`);
const minutes = (from: Date, n: number) => Array.from({ length: n }, (_, i) => new Date(from.getTime() + i * 60_000));

async function signal(instance: string, metric: string, bucket: Date, tag: string, value: number) {
  await db.query(
    `insert into public.metric_signal_counts (instance_id, metric, bucket, tag, value) values ($1, $2, $3, $4, $5)`,
    [instance, metric, bucket, tag, value],
  );
}

/** Answers of one minute, split over two instances (the rules must add them up). */
async function answers(bucket: Date, counts: { ok: number; client?: number; server: number }) {
  const half = (n: number) => Math.floor(n / 2);
  for (const [tag, n] of [
    ["status_class:2xx", counts.ok],
    ["status_class:4xx", counts.client ?? 0],
    ["status_class:5xx", counts.server],
  ] as const) {
    if (n === 0) continue;
    await signal("host-a-1-aaaa", "http.requests", bucket, tag, half(n));
    if (n - half(n) > 0) await signal("host-b-2-bbbb", "http.requests", bucket, tag, n - half(n));
  }
}

async function latency(bucket: Date, byBound: Record<string, number>) {
  for (const [le, n] of Object.entries(byBound))
    await signal("host-a-1-aaaa", "system.performance.p99", bucket, `le:${le}`, n);
}

async function rollup(metric: string, bucket: Date, value: number) {
  await db.query(
    `insert into public.metric_rollups (metric, bucket, campaign_id, kind, value) values ($1, $2, null, null, $3)
     on conflict on constraint metric_rollups_series_key do update set value = excluded.value`,
    [metric, bucket, value],
  );
}

async function evaluate(ids: string[], now: Date, probes: Probes = up, extra: { outage?: OutageState } = {}) {
  return runAlerts(db, { now, config, probes, rules: ids.map(rule), retry: noWait, ...extra });
}

/**
 * Opens at `fire`, stays open without a second notification at each of `hold`, resolves
 * at `resolve`: the walk every rule takes.
 */
async function crossAndBack(ruleId: string, times: { fire: Date; hold: Date[]; resolve: Date }, probes: Probes = up) {
  expect((await evaluate([ruleId], times.fire, probes)).opened).toEqual([ruleId]);
  for (const now of times.hold) {
    const run = await evaluate([ruleId], now, probes);
    expect(run.firing).toEqual([ruleId]);
    expect(run.notified).toBe(0);
  }
  expect((await evaluate([ruleId], times.resolve, probes)).resolved).toEqual([ruleId]);
}

async function incidents(ruleId: string) {
  return db.query<{
    status: string;
    dedup_key: string;
    destination: string;
    trigger_notified_at: Date | null;
    resolve_notified_at: Date | null;
  }>(
    `select status, dedup_key, destination, trigger_notified_at, resolve_notified_at
       from public.alert_incidents where rule_id = $1 order by opened_at`,
    [ruleId],
  );
}

/** Events the PagerDuty receiver accepted for a rule's incidents. */
const pdEvents = (ruleId: string) => pagerduty.accepted.filter((e) => e.dedup_key.startsWith(`koepon-${ruleId}`));
const slackMessages = (title: string) => slack.accepted.filter((m) => m.text.includes(title));

beforeAll(async () => {
  database = await createTestDatabase();
  db = database.db;
  pagerduty = await startPagerDutyReceiver();
  slack = await startSlackReceiver();
  config = alertsSettings(
    {
      PAGERDUTY_ROUTING_KEY: ROUTING_KEY,
      PAGERDUTY_EVENTS_URL: pagerduty.url,
      SLACK_WEBHOOK_URL: `${slack.url}${SLACK_PATH}`,
    },
    { appUrl: "https://koepon.example" },
  );
});

afterAll(async () => {
  await pagerduty?.close();
  await slack?.close();
  await database?.close();
});

/** A PagerDuty rule: one trigger with the documented shape, then one resolve with the same key. */
function expectPagedOnceAndResolved(ruleId: string, severity: string) {
  const events = pdEvents(ruleId);
  expect(events.map((e) => e.event_action)).toEqual(["trigger", "resolve"]);
  expect(events[0]!.dedup_key).toBe(events[1]!.dedup_key);
  expect(events[0]!.routing_key).toBe(ROUTING_KEY);
  expect(events[0]!.payload).toMatchObject({ severity, source: "koepon.example" });
  expect(events[0]!.payload!.custom_details).toMatchObject({ rule: ruleId });
  expect(events[1]!.payload).toBeUndefined();
}

function expectSlackedOnceAndResolved(title: string) {
  const messages = slackMessages(title);
  expect(messages.map((m) => m.text.split(" ")[1])).toEqual(["FIRING", "RESOLVED"]);
  const keyOf = (m: SlackMessage) => /koepon-[a-z0-9_]+-[0-9a-f-]{36}/.exec(JSON.stringify(m.blocks))?.[0];
  expect(keyOf(messages[0]!)).toBeDefined();
  expect(keyOf(messages[0]!)).toBe(keyOf(messages[1]!));
}

describe("each rule across its threshold and back", () => {
  it("error rate > 5 % for 5 minutes: PagerDuty critical, once, then resolved", async () => {
    const day = "2026-10-01";
    // 09:55–09:59: 200 2xx + 20 5xx a minute over two instances → 9.1 % of 1,100.
    for (const m of minutes(at(day, "09:55:00"), 5)) await answers(m, { ok: 200, server: 20 });
    // 10:00–10:04: healthy.
    for (const m of minutes(at(day, "10:00:00"), 5)) await answers(m, { ok: 400, server: 1 });

    expect((await evaluate(["error_rate_high"], at(day, "09:55:30"))).firing).toEqual([]);
    expect((await evaluate(["error_rate_high"], at(day, "10:00:05"))).opened).toEqual(["error_rate_high"]);
    // Still above 5 % while the bad minutes are in the window: no second notification.
    for (const time of ["10:00:40", "10:01:05"]) {
      const run = await evaluate(["error_rate_high"], at(day, time));
      expect(run.firing).toEqual(["error_rate_high"]);
      expect(run.notified).toBe(0);
    }
    expect((await evaluate(["error_rate_high"], at(day, "10:05:05"))).resolved).toEqual(["error_rate_high"]);
    await evaluate(["error_rate_high"], at(day, "10:06:05"));

    expectPagedOnceAndResolved("error_rate_high", "critical");
    const rows = await incidents("error_rate_high");
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: "resolved", destination: "pagerduty" });
    expect(rows[0]!.trigger_notified_at).not.toBeNull();
    expect(rows[0]!.resolve_notified_at).not.toBeNull();
  });

  it("5xx > 50 % of a minute: PagerDuty critical; a quiet night below 20 answers pages nothing", async () => {
    const day = "2026-10-02";
    // 03:00: 3 of 4 answers failed (75 %), but 4 answers is a quiet night.
    await answers(at(day, "03:00:00"), { ok: 1, server: 3 });
    const quiet = await evaluate(["server_errors_majority", "error_rate_high"], at(day, "03:01:05"));
    expect(quiet.firing).toEqual([]);

    await answers(at(day, "12:00:00"), { ok: 10, client: 2, server: 15 });
    await answers(at(day, "12:01:00"), { ok: 5, server: 30 });
    await answers(at(day, "12:02:00"), { ok: 50, server: 2 });
    await crossAndBack("server_errors_majority", {
      fire: at(day, "12:01:05"),
      hold: [at(day, "12:02:05")],
      resolve: at(day, "12:03:05"),
    });
    expectPagedOnceAndResolved("server_errors_majority", "critical");
  });

  it("P95 > 1 s for 5 minutes: Slack warning, text fallback and blocks, once each way", async () => {
    const day = "2026-10-03";
    for (const m of minutes(at(day, "20:00:00"), 5)) await latency(m, { "250": 25, "2500": 5 });
    for (const m of minutes(at(day, "20:05:00"), 5)) await latency(m, { "100": 30 });
    await crossAndBack("latency_p95_slow", {
      fire: at(day, "20:05:10"),
      hold: [at(day, "20:06:10")],
      resolve: at(day, "20:10:10"),
    });

    expectSlackedOnceAndResolved("P95 latency above 1 s");
    const [firing] = slackMessages("P95 latency above 1 s");
    expect(firing!.text).toContain("P95 ≤ 2500 ms over 150 answers");
    expect(firing!.blocks!.map((b) => b.type)).toEqual(["header", "section", "context"]);
    expect(pdEvents("latency_p95_slow")).toEqual([]);
  });

  it("revenue −20 % against the same hour a week before: Slack, once, then resolved", async () => {
    const day = "2026-10-14";
    const weekAgo = "2026-10-07";
    await rollup("gacha.revenue.total", at(weekAgo, "09:10:00"), 12_000);
    await rollup("gacha.revenue.total", at(weekAgo, "09:40:00"), 8_000);
    await rollup("gacha.revenue.total", at(weekAgo, "10:20:00"), 20_000);
    await rollup("gacha.revenue.total", at(day, "09:30:00"), 10_000); // −50 %
    await rollup("gacha.revenue.total", at(day, "10:15:00"), 19_000); // −5 %

    await crossAndBack("revenue_drop", {
      fire: at(day, "10:00:30"),
      hold: [at(day, "10:45:30")],
      resolve: at(day, "11:00:30"),
    });
    expectSlackedOnceAndResolved("Revenue 20 % below");
  });

  it("revenue: an hour a week before under ¥10,000 is below the guard and pages nothing", async () => {
    const day = "2026-10-15";
    await rollup("gacha.revenue.total", at("2026-10-08", "03:10:00"), 5_000);
    const run = await evaluate(["revenue_drop"], at(day, "04:00:30"));
    expect(run.firing).toEqual([]);
  });

  it("DAU −15 % and conversion −10 % against the 7-day mean: Slack, once each, then resolved", async () => {
    const today = "2026-09-20";
    const yesterday = addDays(today, -1);
    for (let i = 1; i <= 7; i++) {
      await rollup("users.active.daily", jstDay(addDays(yesterday, -i)).from, 100);
      await rollup("users.conversion.rate", jstDay(addDays(yesterday, -i)).from, 0.1);
    }
    await rollup("users.active.daily", jstDay(yesterday).from, 80); // −20 %
    await rollup("users.conversion.rate", jstDay(yesterday).from, 0.08); // −20 %
    await rollup("users.active.daily", jstDay(today).from, 100);
    await rollup("users.conversion.rate", jstDay(today).from, 0.1);

    // Noon JST of `today`, then noon JST the next day.
    const noon = new Date(`${today}T12:00:00+09:00`);
    const nextNoon = new Date(noon.getTime() + 86_400_000);
    expect((await evaluate(["dau_drop", "conversion_drop"], noon)).opened).toEqual(["dau_drop", "conversion_drop"]);
    expect((await evaluate(["dau_drop", "conversion_drop"], new Date(noon.getTime() + 3_600_000))).notified).toBe(0);
    expect((await evaluate(["dau_drop", "conversion_drop"], nextNoon)).resolved).toEqual([
      "dau_drop",
      "conversion_drop",
    ]);
    expectSlackedOnceAndResolved("Daily active users 15 % below");
    expectSlackedOnceAndResolved("Conversion 10 % below");
  });

  it("failed sign-ins spiking against the hour before: PagerDuty; a steady level does not", async () => {
    const day = "2026-10-04";
    // 08:00–08:59: 12 a minute, a busy but usual level (60 per 5 minutes).
    for (const m of minutes(at(day, "08:00:00"), 60)) await signal("host-a-1-aaaa", "auth.login.failures", m, "", 12);
    // 09:00–09:04: the same level: 60 ≥ 50, but not 5× the usual 60.
    for (const m of minutes(at(day, "09:00:00"), 5)) await signal("host-a-1-aaaa", "auth.login.failures", m, "", 12);
    expect((await evaluate(["login_failures_spike"], at(day, "09:05:05"))).firing).toEqual([]);

    const quietDay = "2026-10-05";
    // After a quiet hour, 400 failures in 5 minutes, split over two instances.
    for (const m of minutes(at(quietDay, "02:00:00"), 5)) {
      await signal("host-a-1-aaaa", "auth.login.failures", m, "", 40);
      await signal("host-b-2-bbbb", "auth.login.failures", m, "", 40);
    }
    expect((await evaluate(["login_failures_spike"], at(quietDay, "02:05:05"))).opened).toEqual([
      "login_failures_spike",
    ]);
    expect((await evaluate(["login_failures_spike"], at(quietDay, "02:10:05"))).resolved).toEqual([
      "login_failures_spike",
    ]);
    expectPagedOnceAndResolved("login_failures_spike", "error");
  });

  it("payment-provider failures: PagerDuty at 3 in 5 minutes, not at 2", async () => {
    const day = "2026-10-06";
    await signal("host-a-1-aaaa", "payments.provider_failures", at(day, "14:00:00"), "", 2);
    expect((await evaluate(["payment_provider_failures"], at(day, "14:01:05"))).firing).toEqual([]);
    await signal("host-b-2-bbbb", "payments.provider_failures", at(day, "14:01:00"), "", 1);
    await crossAndBack("payment_provider_failures", {
      fire: at(day, "14:02:05"),
      hold: [at(day, "14:05:05")],
      resolve: at(day, "14:07:05"),
    });
    expectPagedOnceAndResolved("payment_provider_failures", "critical");
  });

  it("a quiet night below each volume guard pages nothing, whatever the figures say", async () => {
    const night = "2026-10-11";
    // 5 minutes of 10 answers each, 30 % of them 5xx and all slow: 50 answers is below
    // the 100 of the 5-minute rules and 10 is below the 20 of the one-minute rule.
    for (const m of minutes(at(night, "03:00:00"), 5)) {
      await answers(m, { ok: 7, server: 3 });
      await latency(m, { "5000": 10 });
    }
    // Failed sign-ins after a silent hour: 40 in 5 minutes, under the floor of 50.
    for (const m of minutes(at(night, "03:00:00"), 5)) await signal("host-a-1-aaaa", "auth.login.failures", m, "", 8);
    // Revenue −100 % against an hour a week before that took ¥9,000 (< ¥10,000).
    await rollup("gacha.revenue.total", at("2026-10-04", "02:30:00"), 9_000);
    // A small service: a 7-day mean of 40 users, then a day of 10 (−75 %), converting
    // 0 % against 10 %.
    const yesterday = "2026-10-10";
    for (let i = 1; i <= 7; i++) {
      await rollup("users.active.daily", jstDay(addDays(yesterday, -i)).from, 40);
      await rollup("users.conversion.rate", jstDay(addDays(yesterday, -i)).from, 0.1);
    }
    await rollup("users.active.daily", jstDay(yesterday).from, 10);
    await rollup("users.conversion.rate", jstDay(yesterday).from, 0);

    const sentBefore = pagerduty.accepted.length + slack.accepted.length;
    const guarded = ALERT_RULES.filter((r) => r.kind !== "probe" && r.id !== "reconciliation_mismatch").map(
      (r) => r.id,
    );
    for (const now of [at(night, "03:01:05"), at(night, "03:05:05"), at(night, "03:30:05")]) {
      const run = await evaluate(guarded, now);
      expect(run.firing).toEqual([]);
      expect(run.errors).toEqual([]);
    }
    expect(pagerduty.accepted.length + slack.accepted.length).toBe(sentBefore);
    for (const id of guarded)
      expect(await incidents(id).then((rows) => rows.filter((r) => r.status === "firing"))).toEqual([]);
  });

  it("a money mismatch in the audit log pages for an hour, then resolves", async () => {
    const day = "2026-10-08";
    await db.query(
      `insert into public.audit_log (actor_id, action, target_type, target_id, details, created_at)
       values (null, 'payment.amount_mismatch', 'purchase', 'p-1', '{"source":"reconcile"}', $1)`,
      [at(day, "05:30:10")],
    );
    await crossAndBack("reconciliation_mismatch", {
      fire: at(day, "05:31:00"),
      hold: [at(day, "06:30:00")],
      resolve: at(day, "06:31:00"),
    });
    expectPagedOnceAndResolved("reconciliation_mismatch", "error");
  });

  it("limiter store unreachable: probed through Upstash's REST protocol; paged once, resolved when it answers", async () => {
    let reachable = true;
    const store = http.createServer((req, res) => {
      let raw = "";
      req.on("data", (c: Buffer) => (raw += c.toString()));
      req.on("end", () => {
        if (!reachable) return res.destroy();
        // The client sends PING as a one-command pipeline: POST /pipeline [["ping"]].
        const commands = JSON.parse(raw) as string[][];
        const ok =
          req.headers.authorization === "Bearer store-token" &&
          req.url === "/pipeline" &&
          commands.length === 1 &&
          commands[0]![0]!.toLowerCase() === "ping";
        res.writeHead(ok ? 200 : 401, { "content-type": "application/json" });
        // Upstash encodes string results in base64 when the client asks (`Upstash-Encoding`).
        const pong = req.headers["upstash-encoding"] === "base64" ? Buffer.from("PONG").toString("base64") : "PONG";
        res.end(JSON.stringify(ok ? [{ result: pong }] : { error: "Unauthorized" }));
      });
    });
    await new Promise<void>((resolve) => store.listen(0, "127.0.0.1", resolve));
    try {
      const url = `http://127.0.0.1:${(store.address() as AddressInfo).port}`;
      const appConfig = loadConfig({
        NODE_ENV: "test",
        UPSTASH_REDIS_REST_URL: url,
        UPSTASH_REDIS_REST_TOKEN: "store-token",
      });
      const probes = dependencyProbes(appConfig, db);
      const day = "2026-10-09";
      expect((await evaluate(["limiter_store_unreachable"], at(day, "01:00:00"), probes)).firing).toEqual([]);
      reachable = false;
      expect((await evaluate(["limiter_store_unreachable"], at(day, "01:01:00"), probes)).opened).toEqual([
        "limiter_store_unreachable",
      ]);
      const held = await evaluate(["limiter_store_unreachable"], at(day, "01:02:00"), probes);
      expect(held).toMatchObject({ firing: ["limiter_store_unreachable"], notified: 0 });
      reachable = true;
      expect((await evaluate(["limiter_store_unreachable"], at(day, "01:03:00"), probes)).resolved).toEqual([
        "limiter_store_unreachable",
      ]);
      expectPagedOnceAndResolved("limiter_store_unreachable", "critical");
    } finally {
      await new Promise<void>((resolve) => store.close(() => resolve()));
    }
  });

  it("limiter store failing for the gate while the probe gets through: pages on the gate's counts, resolves when they stop", async () => {
    const day = "2026-10-10";
    // The store answers the evaluator, but too slowly for the gate: its checks fail.
    // 19 in 5 minutes (across tiers, from the store's own count) is below the guard.
    await signal("limiter-store", "ratelimit.store_failures", at(day, "05:00:00"), "tier:user", 12);
    await signal("limiter-store", "ratelimit.store_failures", at(day, "05:01:00"), "tier:gacha", 7);
    expect((await evaluate(["limiter_store_unreachable"], at(day, "05:02:05"))).firing).toEqual([]);
    await signal("limiter-store", "ratelimit.store_failures", at(day, "05:02:00"), "tier:anonymous", 1);
    const before = pdEvents("limiter_store_unreachable").length;
    await crossAndBack("limiter_store_unreachable", {
      fire: at(day, "05:03:05"),
      hold: [at(day, "05:05:05")],
      resolve: at(day, "05:08:05"),
    });
    const events = pdEvents("limiter_store_unreachable").slice(before);
    expect(events.map((e) => e.event_action)).toEqual(["trigger", "resolve"]);
    expect(events[0]!.dedup_key).toBe(events[1]!.dedup_key);
    expect(events[0]!.payload).toMatchObject({ severity: "critical" });
  });

  it("database unreachable: paged from memory with a fixed key, recorded and resolved when it is back", async () => {
    const gone = await openPglite(null);
    await gone.close();
    const outage: OutageState = { database: null };
    const down: Probes = { ...up, database: async () => void (await gone.query("select 1")) };
    const day = "2026-10-10";
    for (const time of ["07:00:00", "07:01:00", "07:02:00"]) {
      const run = await evaluate(["database_unreachable"], at(day, time), down, { outage });
      expect(run.firing).toEqual(["database_unreachable"]);
    }
    expect(pdEvents("database_unreachable").map((e) => e.event_action)).toEqual(["trigger"]);
    expect(await incidents("database_unreachable")).toEqual([]);

    const back = await evaluate(["database_unreachable"], at(day, "07:03:00"), up, { outage });
    expect(back.resolved).toEqual(["database_unreachable"]);
    expectPagedOnceAndResolved("database_unreachable", "critical");
    expect(pdEvents("database_unreachable")[0]!.dedup_key).toBe("koepon-database_unreachable");
    const [row] = await incidents("database_unreachable");
    expect(row).toMatchObject({ status: "resolved", dedup_key: "koepon-database_unreachable" });
    expect(outage.database).toBeNull();
  });
});

describe("delivery", () => {
  beforeEach(() => {
    pagerduty.failNext();
    slack.failNext();
  });

  it("a receiver answering 429 then 202 gets the event once (PagerDuty), and 429 with Retry-After then 200 (Slack)", async () => {
    const day = "2026-10-20";
    const waits: number[] = [];
    const retry = { attempts: 4, sleep: async (ms: number) => void waits.push(ms) };
    await signal("host-a-1-aaaa", "payments.provider_failures", at(day, "10:00:00"), "", 5);
    for (const m of minutes(at(day, "10:00:00"), 5)) await latency(m, { "5000": 30 });

    const before = { pd: pagerduty.attempts, slack: slack.attempts };
    pagerduty.failNext(429);
    slack.failNext(429);
    await runAlerts(db, {
      now: at(day, "10:05:05"),
      config,
      probes: up,
      rules: [rule("payment_provider_failures"), rule("latency_p95_slow")],
      retry,
    });
    expect(pagerduty.attempts - before.pd).toBe(2);
    expect(slack.attempts - before.slack).toBe(2);
    const triggers = pdEvents("payment_provider_failures").filter((e) => e.event_action === "trigger");
    expect(triggers).toHaveLength(2); // the one of the earlier test and this one
    expect(new Set(triggers.map((e) => e.dedup_key)).size).toBe(2);
    expect(slackMessages("P95 latency above 1 s").filter((m) => m.text.includes("FIRING"))).toHaveLength(2);
    // Slack's Retry-After: 1 was honoured; PagerDuty's 429 had none, so the backoff's first step.
    expect(waits.sort((a, b) => a - b)).toEqual([500, 1000]);

    await runAlerts(db, {
      now: at(day, "10:30:05"),
      config,
      probes: up,
      rules: [rule("payment_provider_failures"), rule("latency_p95_slow")],
      retry,
    });
  });

  it("a failed notification is retried on the next evaluation, without a second incident", async () => {
    const day = "2026-10-21";
    await signal("host-a-1-aaaa", "payments.provider_failures", at(day, "10:00:00"), "", 4);
    const sentBefore = pdEvents("payment_provider_failures").length;
    pagerduty.failNext(500, 502, 503);
    const first = await evaluate(["payment_provider_failures"], at(day, "10:01:05"));
    expect(first).toMatchObject({ opened: ["payment_provider_failures"], notified: 0, notifyFailures: 1 });
    const open = await db.query<{ trigger_notified_at: Date | null }>(
      "select trigger_notified_at from public.alert_incidents where rule_id = 'payment_provider_failures' and status = 'firing'",
    );
    expect(open).toEqual([{ trigger_notified_at: null }]);

    const second = await evaluate(["payment_provider_failures"], at(day, "10:02:05"));
    expect(second).toMatchObject({ opened: [], notified: 1, notifyFailures: 0 });
    const third = await evaluate(["payment_provider_failures"], at(day, "10:03:05"));
    expect(third.notified).toBe(0);
    expect(
      pdEvents("payment_provider_failures")
        .slice(sentBefore)
        .map((e) => e.event_action),
    ).toEqual(["trigger"]);

    await evaluate(["payment_provider_failures"], at(day, "10:10:05"));
    const rows = await db.query(
      "select id from public.alert_incidents where rule_id = 'payment_provider_failures' and opened_at >= $1",
      [at(day, "00:00:00")],
    );
    expect(rows).toHaveLength(1);
    expect(
      pdEvents("payment_provider_failures")
        .slice(sentBefore)
        .map((e) => e.event_action),
    ).toEqual(["trigger", "resolve"]);
  });

  it("Slack text is escaped: figures and titles cannot become links or mentions", async () => {
    const day = "2026-10-22";
    const sneaky: AlertRule = {
      ...rule("payment_provider_failures"),
      id: "escape_check",
      title: "<!channel> & <https://evil.example|click>",
      destination: "slack",
    };
    await signal("host-a-1-aaaa", "payments.provider_failures", at(day, "10:00:00"), "", 9);
    await runAlerts(db, { now: at(day, "10:01:05"), config, probes: up, rules: [sneaky], retry: noWait });
    const [message] = slack.accepted.filter((m) => m.text.includes("&lt;!channel&gt;"));
    expect(message!.text).toContain("&lt;!channel&gt; &amp; &lt;https://evil.example|click&gt;");
    // mrkdwn blocks are escaped too; the header is plain_text, which Slack never parses.
    const mrkdwn = message!.blocks!.filter((b) => b.type !== "header");
    expect(JSON.stringify(mrkdwn)).toContain("&lt;!channel&gt;");
    expect(JSON.stringify(mrkdwn)).not.toContain("<!channel>");
    await runAlerts(db, { now: at(day, "10:09:05"), config, probes: up, rules: [sneaky], retry: noWait });
  });

  it("without PagerDuty or Slack settings, incidents are recorded and logged, and count as delivered", async () => {
    const day = "2026-10-23";
    const bare = alertsSettings({}, { appUrl: "http://localhost:3000" });
    await signal("host-a-1-aaaa", "payments.provider_failures", at(day, "10:00:00"), "", 3);
    const before = pagerduty.attempts + slack.attempts;
    const run = await runAlerts(db, {
      now: at(day, "10:01:05"),
      config: bare,
      probes: up,
      rules: [rule("payment_provider_failures")],
    });
    expect(run).toMatchObject({ opened: ["payment_provider_failures"], notified: 1 });
    const [row] = await db.query<{ destination: string; trigger_notified_at: Date | null }>(
      "select destination, trigger_notified_at from public.alert_incidents where rule_id = 'payment_provider_failures' and status = 'firing'",
    );
    expect(row!.destination).toBe("log");
    expect(row!.trigger_notified_at).not.toBeNull();
    expect(pagerduty.attempts + slack.attempts).toBe(before);
    await runAlerts(db, {
      now: at(day, "10:09:05"),
      config: bare,
      probes: up,
      rules: [rule("payment_provider_failures")],
    });
  });
  it("a receiver removed while its incident is open: the resolve goes where the rule pages now, once", async () => {
    const day = "2026-10-24";
    await signal("host-a-1-aaaa", "payments.provider_failures", at(day, "10:00:00"), "", 4);
    const sentBefore = { pd: pdEvents("payment_provider_failures").length, slack: slack.accepted.length };
    expect(await evaluate(["payment_provider_failures"], at(day, "10:01:05"))).toMatchObject({ notified: 1 });

    // PagerDuty's key removed (rotated, say) before the incident resolves: Slack is what is left.
    const slackOnly = alertsSettings(
      { SLACK_WEBHOOK_URL: `${slack.url}${SLACK_PATH}` },
      { appUrl: "https://koepon.example" },
    );
    const evaluateSlackOnly = (now: Date) =>
      runAlerts(db, { now, config: slackOnly, probes: up, rules: [rule("payment_provider_failures")], retry: noWait });
    expect(await evaluateSlackOnly(at(day, "10:10:05"))).toMatchObject({
      resolved: ["payment_provider_failures"],
      notified: 1,
      notifyFailures: 0,
    });
    for (const now of [at(day, "10:11:05"), at(day, "10:12:05")]) {
      expect(await evaluateSlackOnly(now)).toMatchObject({ notified: 0, notifyFailures: 0 });
    }
    expect(
      pdEvents("payment_provider_failures")
        .slice(sentBefore.pd)
        .map((e) => e.event_action),
    ).toEqual(["trigger"]);
    const resolves = slack.accepted.slice(sentBefore.slack).filter((m) => m.text.includes("RESOLVED"));
    expect(resolves).toHaveLength(1);
    expect(resolves[0]!.text).toContain("Payment provider");
    const [row] = (await incidents("payment_provider_failures")).slice(-1);
    expect(row).toMatchObject({ status: "resolved", destination: "pagerduty" });
    expect(row!.resolve_notified_at).toEqual(at(day, "10:10:05"));
  });
});

describe("several evaluators", () => {
  it(database_engine_label("two evaluators at once open one incident and send one trigger"), async () => {
    const day = "2026-10-24";
    for (const m of minutes(at(day, "10:00:00"), 5)) await answers(m, { ok: 100, server: 100 });
    const other = database.url ? await openDatabase({ kind: "postgres", url: database.url, poolMax: 4 }) : db;
    try {
      const now = at(day, "10:05:05");
      const runs = await Promise.all(
        [db, other, db, other].map((handle) =>
          runAlerts(handle, { now, config, probes: up, rules: [rule("error_rate_high")], retry: noWait }),
        ),
      );
      expect(runs.flatMap((r) => r.opened)).toEqual(["error_rate_high"]);
      expect(runs.reduce((n, r) => n + r.notified, 0)).toBe(1);
    } finally {
      if (other !== db) await other.close();
    }
    const open = await db.query<{ dedup_key: string }>(
      "select dedup_key from public.alert_incidents where rule_id = 'error_rate_high' and status = 'firing'",
    );
    expect(open).toHaveLength(1);
    expect(pdEvents("error_rate_high").filter((e) => e.dedup_key === open[0]!.dedup_key)).toHaveLength(1);
    await evaluate(["error_rate_high"], at(day, "10:20:05"));
  });
});

describe("the alerts job", () => {
  it("writes this process's counted answers, and the rules read them summed with other instances", async () => {
    const day = "2026-10-25";
    const minute = at(day, "10:00:00").getTime();
    for (let i = 0; i < 60; i++) countAnswer(500, 40, { now: minute + 1_000 });
    for (let i = 0; i < 40; i++) countAnswer(200, 40, { now: minute + 2_000 });
    // Another instance's share of the same minute, already written.
    await answers(at(day, "10:00:00"), { ok: 0, server: 20 });
    const result = await alertsJob(db, at(day, "10:01:05"), {
      config: { ...loadConfig({ NODE_ENV: "test" }), alerts: config },
      probes: up,
    });
    expect(result.signalRows).toBeGreaterThanOrEqual(3);
    expect(result.opened).toContain("server_errors_majority");
    const incident = pdEvents("server_errors_majority").at(-1)!;
    expect(incident.payload!.summary).toContain("5xx share 66.7 % of 120 answers");
    await alertsJob(db, at(day, "10:09:05"), {
      config: { ...loadConfig({ NODE_ENV: "test" }), alerts: config },
      probes: up,
    });
  });
});

/** PGlite has one connection, so there the evaluators take turns; on PostgreSQL they overlap. */
function database_engine_label(name: string): string {
  return process.env.DATABASE_URL ? name : `${name} (PGlite: one connection, the evaluators take turns)`;
}
