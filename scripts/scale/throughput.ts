/**
 * Throughput through the balancer with 1, 2, … N instances in one run: for each count,
 * the others are put in maintenance on HAProxy, then `/api/health` and paid single pulls
 * are driven by the bench's closed loop (scripts/bench/load.ts) at the drill's
 * concurrency, with the CPU each process used (scripts/bench/probe.ts). On a machine
 * with fewer cores than processes, more instances share the same CPUs: the CPU column
 * says where the time went.
 */
import os from "node:os";
import {
  closedLoop,
  FanPool,
  healthRequest,
  PULL_BUDGETS,
  pullRequest,
  type Fan,
  type PassResult,
} from "../bench/load";
import { allPids, commandOf, cpuBetween, cpuSnapshot, processGroup, type ProcessSet } from "../bench/probe";
import { latencySummary, type LatencySummary } from "../bench/stats";
import type { DrillFan } from "../drill/load";
import type { Fleet } from "./fleet";
import { sleep } from "./instances";

export interface ThroughputPoint {
  instances: number;
  health: { rps: number } & LatencySummary;
  pull: { rps: number; failed: Record<string, number>; starvedMs: number } & LatencySummary;
  /** CPU ms per paid pull, by process. */
  cpuMsPerPull: Record<string, number>;
  /** Share of the machine's cores busy during the pull pass, by process (1 = one core). */
  coresBusy: Record<string, number>;
  /** The machine's 1-minute load average after the pull pass: work beside the fleet shows here. */
  loadAverage: number;
}

function fleetProcesses(fleet: Fleet, databaseName: string): ProcessSet {
  return {
    async pids() {
      const pids = allPids();
      const sets: Record<string, number[]> = {};
      for (const i of fleet.instances) {
        if (i.alive()) sets[i.name] = pids.filter((pid) => processGroup(pid) === i.pid);
      }
      sets.haproxy = [fleet.balancer.pid];
      sets.pgbouncer = pids.filter((pid) => commandOf(pid).startsWith("pgbouncer"));
      const rows = await fleet.db.query<{ pid: number }>("select pid from pg_stat_activity where datname = $1", [
        databaseName,
      ]);
      sets["postgres backends"] = rows.map((r) => r.pid);
      sets["redis-server"] = pids.filter(
        (pid) => commandOf(pid).startsWith("redis-server") && commandOf(pid).includes(`:${fleet.ports.redis}`),
      );
      return sets;
    },
  };
}

const rps = (r: PassResult) => (r.ok / r.measuredMs) * 1000;

export async function measureThroughput(options: {
  fleet: Fleet;
  fans: readonly DrillFan[];
  seconds: number;
  concurrency: number;
  log: (line: string) => void;
}): Promise<{ points: ThroughputPoint[]; table: string }> {
  const { fleet, log } = options;
  const b = fleet.balancer.url;
  const fans: Fan[] = options.fans.map((f, i) => ({
    id: fleet.users[i]!.id,
    email: fleet.users[i]!.email,
    address: f.address,
    token: f.token,
    signedInAt: performance.now(),
  }));
  const pool = new FanPool(fans, PULL_BUDGETS);
  const processes = fleetProcesses(fleet, fleet.databaseName);
  const points: ThroughputPoint[] = [];
  for (let n = 1; n <= fleet.instances.length; n++) {
    for (const [i, instance] of fleet.instances.entries())
      await fleet.balancer.setState(instance.name, i < n ? "ready" : "maint");
    await sleep(1_500);
    const pass = { concurrency: options.concurrency, rampMs: 3_000, steadyMs: options.seconds * 1000 };
    log(`${n} instance(s): /api/health for ${options.seconds} s`);
    const health = await closedLoop({ ...pass, fans: null, send: healthRequest(b) });
    log(`${n} instance(s): paid pulls for ${options.seconds} s`);
    const before = await cpuSnapshot(processes);
    const t0 = performance.now();
    const pull = await closedLoop({
      ...pass,
      fans: pool,
      send: pullRequest(b, fleet.campaigns, `scale-tp-${n}-${Date.now()}`),
    });
    const wallMs = performance.now() - t0;
    const measured = cpuBetween(before, await cpuSnapshot(processes));
    // The drill's own process sends the load and runs the rate-limit bridge.
    const cpu = Object.fromEntries(
      Object.entries(measured).map(([k, v]) => [k === "bench client" ? "drill (client, bridge)" : k, v]),
    );
    const pulls = Math.max(1, pull.ok);
    const failed = Object.fromEntries(Object.entries(pull.outcomes).filter(([label]) => label !== "201"));
    points.push({
      instances: n,
      health: { rps: rps(health), ...latencySummary(health.latenciesMs) },
      pull: { rps: rps(pull), failed, starvedMs: pull.starvedMs, ...latencySummary(pull.latenciesMs) },
      cpuMsPerPull: Object.fromEntries(Object.entries(cpu).map(([k, ms]) => [k, ms / pulls])),
      coresBusy: Object.fromEntries(Object.entries(cpu).map(([k, ms]) => [k, ms / wallMs])),
      loadAverage: os.loadavg()[0]!,
    });
  }
  for (const instance of fleet.instances) await fleet.balancer.setState(instance.name, "ready");
  return { points, table: formatThroughput(points) };
}

const ms = (v: number) => (Number.isFinite(v) ? v.toFixed(0) : "-");

export function formatThroughput(points: readonly ThroughputPoint[]): string {
  const header = [
    "instances",
    "health rps",
    "p50/p95/p99 ms",
    "pull rps",
    "p50/p95/p99 ms",
    "pull/health",
    "load avg",
    "cores busy during pulls",
  ];
  const rows = points.map((p) => [
    String(p.instances),
    p.health.rps.toFixed(0),
    `${ms(p.health.p50Ms)}/${ms(p.health.p95Ms)}/${ms(p.health.p99Ms)}`,
    p.pull.rps.toFixed(1),
    `${ms(p.pull.p50Ms)}/${ms(p.pull.p95Ms)}/${ms(p.pull.p99Ms)}`,
    (p.pull.rps / p.health.rps).toFixed(2),
    p.loadAverage.toFixed(1),
    Object.entries(p.coresBusy)
      .filter(([, v]) => v >= 0.01)
      .sort((a, b) => b[1] - a[1])
      .map(([k, v]) => `${k} ${v.toFixed(2)}`)
      .join(", "),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join("  ")
      .trimEnd();
  const failed = points
    .filter((p) => Object.keys(p.pull.failed).length > 0)
    .map(
      (p) =>
        `${p.instances}: ${Object.entries(p.pull.failed)
          .map(([l, n]) => `${n}× ${l}`)
          .join(", ")}`,
    );
  return [line(header), ...rows.map(line), ...(failed.length ? [`failed pulls: ${failed.join("; ")}`] : [])].join("\n");
}
