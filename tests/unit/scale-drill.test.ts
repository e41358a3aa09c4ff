/** `npm run scale:drill`: the verdict rules, the report table and the balancer's configuration. */
import { describe, expect, it } from "vitest";
import { balancerConfig } from "../../scripts/scale/balancer";
import { cleanFailure, formatReport, verdict, type ScaleReport } from "../../scripts/scale/report";
import { formatThroughput, type ThroughputPoint } from "../../scripts/scale/throughput";

const report = (over: Partial<ScaleReport> = {}): ScaleReport => ({
  instances: 3,
  killed: { name: "app2", atSeconds: 10, drainedAfterSeconds: 0.8 },
  requests: 900,
  failed: { "502 bad_gateway": 3, refused: 1, "409 purchase_in_progress": 2 },
  abandoned: 1,
  succeededAfterKill: 500,
  limits: [
    {
      name: "pull 11 in a minute",
      sent: 11,
      admitted: 10,
      expected: 10,
      instances: ["app1", "app2", "app3"],
      labels: {},
    },
    { name: "50 at once", sent: 50, admitted: 10, expected: 10, instances: ["app1", "app2", "app3"], labels: {} },
  ],
  jobs: { rollups: { runs: 9, ok: 9, failed: [], periods: 2 } },
  booksBalanced: true,
  problems: [],
  checks: [{ name: "refresh on another instance", ok: true, detail: "sign-in on app1, refresh on app2" }],
  ...over,
});

describe("scale drill verdict", () => {
  it("counts 4xx and 503 with a code, the balancer's 502 and failed connections as clean, nothing else", () => {
    expect(cleanFailure("409 purchase_in_progress")).toBe(true);
    expect(cleanFailure("503 service_unavailable")).toBe(true);
    expect(cleanFailure("502 bad_gateway")).toBe(true);
    expect(cleanFailure("refused")).toBe(true);
    expect(cleanFailure("502 (no-code)")).toBe(false);
    expect(cleanFailure("504 gateway_timeout")).toBe(false);
    expect(cleanFailure("500 internal_error")).toBe(false);
    expect(cleanFailure("hang")).toBe(false);
  });

  it("passes a run where every invariant held", () => {
    expect(verdict(report())).toEqual([]);
  });

  it("fails on each broken invariant, one line each", () => {
    expect(verdict(report({ checks: [{ name: "exchange once", ok: false, detail: "2 exchange rows" }] }))).toEqual([
      "exchange once: 2 exchange rows",
    ]);
    const limits = report().limits.map((l, i) => (i === 1 ? { ...l, admitted: 11 } : l));
    expect(verdict(report({ limits }))).toEqual(["50 at once: 11 admitted, 10 expected"]);
    expect(verdict(report({ failed: { hang: 2 } }))).toEqual(["unclean answers: 2× hang"]);
    expect(verdict(report({ booksBalanced: false, problems: ["double_fulfilled: 1"] }))).toEqual([
      "books unbalanced: double_fulfilled: 1",
    ]);
    expect(verdict(report({ killed: { name: "app2", atSeconds: 10, drainedAfterSeconds: null } }))).toEqual([
      "app2 was never marked down by the balancer",
    ]);
    expect(verdict(report({ succeededAfterKill: 0 }))).toEqual(["no pull succeeded after the kill"]);
    expect(
      verdict(report({ jobs: { alerts: { runs: 3, ok: 2, failed: ["500 internal_error"], periods: 1 } } })),
    ).toEqual(["alerts: 500 internal_error"]);
    expect(verdict(report({ requests: 0 }))).toEqual(["no load was sent"]);
  });

  it("prints the table the README shows", () => {
    const text = formatReport(report());
    expect(text).toContain("instances");
    expect(text).toContain("app2 killed (kill -9) at 10.0 s, out of the balancer after 0.8 s");
    expect(text).toMatch(/failed by code\s+│ 3× 502 bad_gateway, 2× 409 purchase_in_progress, 1× refused/);
    expect(text).toMatch(/limit: 50 at once\s+│ 10 admitted \/ 10 expected/);
    expect(text).toMatch(/books balanced\s+│ yes/);
    expect(text).toMatch(/job: rollups\s+│ 9 runs in 2 period\(s\), every instance at once, 9 ok/);
    expect(text).toMatch(/ok {3}refresh on another instance/);
  });
});

describe("balancer configuration", () => {
  const cfg = balancerConfig({
    port: 42000,
    socket: "/tmp/x/haproxy.sock",
    dir: "/tmp/x",
    instances: [
      { name: "app1", port: 42010 },
      { name: "app2", port: 42011 },
    ],
  });

  it("balances round robin over health-checked instances", () => {
    expect(cfg).toContain("balance roundrobin");
    expect(cfg).toContain("option httpchk GET /api/health");
    expect(cfg).toContain("server app1 127.0.0.1:42010 check");
    expect(cfg).toContain("server app2 127.0.0.1:42011 check");
  });

  it("never retries a write past a connection failure, and answers its own errors in the app's shape", () => {
    expect(cfg).toContain("http-request disable-l7-retry unless METH_GET || METH_HEAD || METH_OPTIONS");
    for (const status of [502, 503, 504]) expect(cfg).toContain(`errorfile ${status} /tmp/x/${status}.http`);
  });
});

describe("throughput table", () => {
  it("puts pull and health figures side by side with the pull/health ratio", () => {
    const point = (instances: number, pullRps: number): ThroughputPoint => ({
      instances,
      health: { rps: 400, p50Ms: 20, p95Ms: 60, p99Ms: 90, maxMs: 120, meanMs: 25 },
      pull: { rps: pullRps, failed: {}, starvedMs: 0, p50Ms: 200, p95Ms: 500, p99Ms: 800, maxMs: 900, meanMs: 250 },
      cpuMsPerPull: { app1: 10 },
      coresBusy: { app1: 0.9, haproxy: 0.05, idle: 0.001 },
      loadAverage: 2.4,
    });
    const lines = formatThroughput([point(1, 40), point(2, 50)]).split("\n");
    expect(lines[0]).toMatch(/^instances\s+health rps.*pull\/health\s+load avg\s+cores busy during pulls$/);
    expect(lines[1]).toMatch(
      /^1\s+400\s+20\/60\/90\s+40\.0\s+200\/500\/800\s+0\.10\s+2\.4\s+app1 0\.90, haproxy 0\.05$/,
    );
    expect(lines[2]).toMatch(/^2 .* 0\.13 /);
  });
});
