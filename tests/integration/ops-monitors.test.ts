/**
 * `npm run ops:monitors` against a local server speaking Datadog's monitors API: every
 * alert rule becomes one paging monitor the server's schema check accepts (a guarded
 * rule a composite of its condition and its volume guard), a second run updates the
 * same monitors instead of creating more, and without keys nothing is called.
 */
import { execFile } from "node:child_process";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { monitorDefinitions } from "@/lib/alerts/datadog-monitors";
import { ALERT_RULES } from "@/lib/alerts/rules";

const ruleTag = (m: { tags: string[] }) => m.tags.find((t) => t.startsWith("koepon_rule:"))!.slice(12);
/** The rules with a minimum-volume guard Datadog can express: three monitors each. */
const GUARDED = [
  "error_rate_high",
  "server_errors_majority",
  "latency_p95_slow",
  "revenue_drop",
  "dau_drop",
  "conversion_drop",
];
/** The spike rules: their floor and their factor against the hour before, three monitors each. */
const SPIKES = ["login_failures_spike"];
const MONITORS = ALERT_RULES.length + 2 * (GUARDED.length + SPIKES.length);
import { startDatadogMonitorsStub, type DatadogMonitorsStub } from "../helpers/datadog-monitors-server";

const run = promisify(execFile);
const KEYS = { apiKey: "0123456789abcdef0123456789abcdef", appKey: "fedcba9876543210fedcba9876543210fedcba98" };

let stub: DatadogMonitorsStub;
let dir: string;

beforeAll(async () => {
  stub = await startDatadogMonitorsStub(KEYS);
  dir = await fs.mkdtemp(path.join(os.tmpdir(), "koepon-monitors-"));
});

afterAll(async () => {
  await stub?.close();
  await fs.rm(dir, { recursive: true, force: true });
});

async function opsMonitors(env: Record<string, string>, ...args: string[]) {
  const { stdout } = await run("npx", ["tsx", "--conditions=react-server", "scripts/ops-monitors.ts", ...args], {
    env: { ...process.env, DATABASE_URL: "", ...env },
    timeout: 120_000,
  });
  return stdout;
}

describe("npm run ops:monitors", () => {
  it("without keys writes the definitions and calls nothing", async () => {
    const out = path.join(dir, "monitors.json");
    const stdout = await opsMonitors({ DD_API_KEY: "", DD_APP_KEY: "", DD_API_URL: stub.url }, "--out", out);
    expect(stdout).toContain("not both set, Datadog not called");
    const written = JSON.parse(await fs.readFile(out, "utf8")) as { tags: string[] }[];
    expect(written.map(ruleTag).filter((k) => !k.includes("."))).toEqual(ALERT_RULES.map((r) => r.id));
    expect(written.map(ruleTag).filter((k) => k.includes("."))).toEqual([
      ...GUARDED.flatMap((id) => [`${id}.condition`, `${id}.volume`]),
      ...SPIKES.flatMap((id) => [`${id}.condition`, `${id}.baseline`]),
    ]);
    expect(stub.calls).toEqual([]);
  });

  it("creates one monitor per rule that the schema check accepts, and a second run updates them all", async () => {
    const env = {
      DD_API_KEY: KEYS.apiKey,
      DD_APP_KEY: KEYS.appKey,
      DD_API_URL: stub.url,
      DD_SITE: "ap1.datadoghq.com",
    };
    const first = await opsMonitors(env, "--out", path.join(dir, "a.json"));
    expect(first).toContain(`${MONITORS} created, 0 updated`);
    expect(stub.monitors.size).toBe(MONITORS);
    const ids = [...stub.monitors.keys()].sort();

    const second = await opsMonitors(env, "--out", path.join(dir, "b.json"), "--slack", "@slack-koepon-ops");
    expect(second).toContain(`0 created, ${MONITORS} updated`);
    expect([...stub.monitors.keys()].sort()).toEqual(ids);
    expect(stub.calls.filter((c) => c.status !== 200)).toEqual([]);
    expect(stub.calls.filter((c) => c.method === "POST")).toHaveLength(MONITORS);
    expect(stub.calls.filter((c) => c.method === "PUT")).toHaveLength(MONITORS);

    // Each guarded rule pages through a composite of its own two parts, by their ids.
    const byKey = new Map([...stub.monitors.values()].map((m) => [ruleTag(m), m]));
    for (const id of GUARDED) {
      const composite = byKey.get(id)!;
      expect(composite.type).toBe("composite");
      expect(composite.query).toBe(`${byKey.get(`${id}.condition`)!.id} && ${byKey.get(`${id}.volume`)!.id}`);
      // Only the composite notifies anyone.
      expect(byKey.get(`${id}.condition`)!.message).not.toMatch(/@(slack|pagerduty)/);
      expect(byKey.get(`${id}.volume`)!.message).not.toMatch(/@(slack|pagerduty)/);
    }
    // The sign-in spike pages through its floor and its factor, by their ids.
    for (const id of SPIKES) {
      const composite = byKey.get(id)!;
      expect(composite).toMatchObject({ type: "composite", priority: 2 });
      expect(composite.options.thresholds).toBeUndefined();
      expect(composite.message).toContain("@pagerduty-Koepon");
      expect(composite.query).toBe(`${byKey.get(`${id}.condition`)!.id} && ${byKey.get(`${id}.baseline`)!.id}`);
      for (const part of [`${id}.condition`, `${id}.baseline`]) {
        expect(byKey.get(part)).toMatchObject({ type: "query alert", options: { notify_no_data: false } });
        expect(byKey.get(part)!.message).not.toMatch(/@(slack|pagerduty)/);
      }
      expect(byKey.get(`${id}.baseline`)!.options.thresholds).toEqual({ critical: 0 });
    }
    // The second run's handle reached the Slack rules' monitors.
    expect(byKey.get("latency_p95_slow")!.message).toContain("@slack-koepon-ops");
    expect(byKey.get("latency_p95_slow.condition")!.query).toBe(
      "percentile(last_5m):p95:system.performance.p99{env:production} > 1000",
    );
    expect(byKey.get("latency_p95_slow.volume")!.query).toBe(
      "sum(last_5m):sum:http.requests{env:production}.as_count() >= 100",
    );
  });

  it("refuses a composite that names a monitor that does not exist (the stub checks what Datadog checks)", async () => {
    const response = await fetch(`${stub.url}/api/v1/monitor`, {
      method: "POST",
      headers: { "DD-API-KEY": KEYS.apiKey, "DD-APPLICATION-KEY": KEYS.appKey, "content-type": "application/json" },
      body: JSON.stringify({
        name: "x",
        type: "composite",
        query: "999998 && 999999",
        message: "",
        tags: [],
        priority: 1,
        options: {},
      }),
    });
    expect(response.status).toBe(400);
  });

  it("refuses a metric query calling a function Datadog does not have, or with unbalanced parentheses", async () => {
    const post = (query: string) =>
      fetch(`${stub.url}/api/v1/monitor`, {
        method: "POST",
        headers: { "DD-API-KEY": KEYS.apiKey, "DD-APPLICATION-KEY": KEYS.appKey, "content-type": "application/json" },
        body: JSON.stringify({
          name: "x",
          type: "query alert",
          query,
          message: "",
          tags: [],
          priority: 1,
          options: { thresholds: { critical: 0 } },
        }),
      });
    const unknown = await post("max(last_1m):moving_sum(sum:a.b{env:x}.as_count(), 300) >= 0");
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toEqual({ errors: ["unknown function moving_sum()"] });
    expect((await post("max(last_1m):default_zero(sum:a.b{env:x}.as_count() >= 0")).status).toBe(400);
  });

  it("expresses each kind of rule in Datadog's query language", () => {
    const byRule = new Map(
      monitorDefinitions({ env: "production", pagerdutyHandle: "@pagerduty-K", slackHandle: "@slack-k" }).map((m) => [
        ruleTag(m),
        m,
      ]),
    );
    expect(byRule.get("error_rate_high.condition")!.query).toBe(
      "sum(last_5m):(sum:http.requests{env:production,status_class:5xx}.as_count()) / sum:http.requests{env:production}.as_count() > 0.05",
    );
    expect(byRule.get("error_rate_high")!.query).toBe("{{error_rate_high.condition}} && {{error_rate_high.volume}}");
    expect(byRule.get("revenue_drop.condition")!.query).toBe(
      "pct_change(sum(last_1h),last_1w):sum:gacha.revenue.total{env:production}.as_count() <= -20",
    );
    expect(byRule.get("revenue_drop.volume")!.query).toBe(
      "sum(last_1h):week_before(sum:gacha.revenue.total{env:production}.as_count()) >= 10000",
    );
    expect(byRule.get("dau_drop.condition")!.query).toBe(
      "pct_change(avg(last_1d),last_1w):avg:users.active.daily{env:production} <= -15",
    );
    expect(byRule.get("dau_drop.volume")!.query).toBe("avg(last_1w):avg:users.active.daily{env:production} >= 50");
    expect(byRule.get("conversion_drop.volume")!.query).toBe(
      "avg(last_1d):avg:users.active.daily{env:production} >= 50",
    );
    expect(byRule.get("server_errors_majority.volume")!.query).toBe(
      "sum(last_1m):sum:http.requests{env:production}.as_count() >= 20",
    );
    // Failed sign-ins: ≥ 50 in 5 minutes, and ≥ 5 × the mean 5-minute count of the hour before.
    expect(byRule.get("login_failures_spike.condition")!.query).toBe(
      "sum(last_5m):sum:auth.login.failures{env:production}.as_count() >= 50",
    );
    expect(byRule.get("login_failures_spike.baseline")!.query).toBe(
      "max(last_1m):default_zero(moving_rollup(sum:auth.login.failures{env:production}.as_count(), 300, 'sum'))" +
        " - 5 * default_zero(timeshift(moving_rollup(sum:auth.login.failures{env:production}.as_count(), 3600, 'sum'), -300)) / 12 >= 0",
    );
    expect(byRule.get("login_failures_spike")!.query).toBe(
      "{{login_failures_spike.condition}} && {{login_failures_spike.baseline}}",
    );
    expect(byRule.get("limiter_store_unreachable")).toMatchObject({
      type: "log alert",
      query:
        'logs("service:koepon env:production @event:ratelimit.store_unavailable").index("*").rollup("count").last("5m") >= 20',
    });
    expect(byRule.get("error_rate_high")!.message).toContain("@pagerduty-K");
    expect(byRule.get("error_rate_high")!.priority).toBe(1);
  });
});
