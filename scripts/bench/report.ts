/** Figures of a run: per pass, per point (median of the repeats), the tables printed and the JSON. */
import os from "node:os";
import type { PassResult } from "./load";
import { latencySummary, mean, median, medianOf, pairedSpread, type PairedSpread } from "./stats";

export interface RouteFigures {
  /** Answers completed in the measured window. */
  requests: number;
  ok: number;
  errors: number;
  /** Successful answers per second of the measured window. */
  rps: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Share of the window workers waited for a fan with rate-limit budget left (0–1). */
  starved: number;
  outcomes: Record<string, number>;
}

export interface PullCosts {
  /** Mean ms per step of a successful pull (Server-Timing: auth, reserve, charge, …). */
  stepsMs: Record<string, number>;
  /** Statements and transactions the pull request itself ran (Server-Timing `db`). */
  statementsPerRequest: number;
  transactionsPerRequest: number;
  /** Everything the server process ran per successful pull, webhooks included (`proc` totals). */
  statementsPerPull: number;
  transactionsPerPull: number;
  /** Writes to PostgreSQL that waited for an answer, per successful pull (`proc` totals; 0 on PGlite). */
  roundTripsPerPull: number;
  /** PostgreSQL's own count (`pg_stat_database`) per successful pull; null on PGlite or when not read. */
  commitsPerPull: number | null;
  rollbacksPerPull: number | null;
  /** Mean wait for a database connection per request, ms. */
  poolWaitMs: number;
  /** Median of the server's event-loop delay p99 as its answers reported it, ms. */
  eventLoopDelayP99Ms: number;
  /** CPU ms per successful pull, per process. */
  cpuMsPerPull: Record<string, number>;
  /** Ms per successful pull each process's threads were runnable but waited for a CPU (the run queue). */
  runQueueMsPerPull: Record<string, number>;
  /** Mean number of the bench database's backends in each state (wait event) over the pass; null on PGlite. */
  backendStates: Record<string, number> | null;
  /** Share of the pass during which some runnable task of the machine waited for a CPU (PSI); null without PSI. */
  cpuPressurePercent: number | null;
}

/** What a closed-loop pass of a ceiling route cost the machine. */
export interface CpuCost {
  /** CPU ms per successful answer, per process, ramp included (as `cpuMsPerPull`). */
  cpuMsPerOk: Record<string, number>;
}

export interface Point {
  concurrency: number;
  health: RouteFigures & CpuCost;
  authRoute: RouteFigures & CpuCost;
  pull: RouteFigures & PullCosts;
  ratios: {
    pullToHealthRps: number;
    pullToHealthP99: number;
    pullToAuthRps: number;
    authToHealthRps: number;
    /**
     * The most pulls a second this machine's cores could answer at the pull's measured
     * CPU cost over every process (server, database, Redis, bridge, client), as a share
     * of health's rate: the pull's throughput ratio cannot pass it on this machine.
     */
    pullCpuCeilingToHealthRps: number;
  };
}

export interface OpenLoopFigures {
  ratePerMinute: number;
  seconds: number;
  sent: number;
  ok: number;
  /** Successful pulls per minute achieved. */
  okPerMinute: number;
  /** Latency from the instant each request was due. */
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
  dropped: number;
  outcomes: Record<string, number>;
}

/**
 * One pull pass of the metrics pass: the Next server's CPU ms per pull, and the time the
 * server itself counted recording request metrics (Server-Timing `proc` `metrics_us`)
 * during the pass, per pull and as a share of that CPU.
 */
export type MetricsPass = RouteFigures & {
  serverCpuMsPerPull: number;
  recordingMsPerPull: number;
  recordingSharePercent: number;
};

/** One pair of the metrics pass: the off and on passes measured at once, and the port each had. */
export interface MetricsPair {
  /** The port the "off" server listened on (the other had the other port). */
  offPort: number;
  off: MetricsPass;
  on: MetricsPass;
}

export interface MetricsCost {
  concurrency: number;
  /** The two ports; the first is the address fans use (APP_URL, the token issuer). */
  ports: readonly [number, number];
  /** Medians over the passes of each mode. */
  on: MetricsPass;
  off: MetricsPass;
  /** on ÷ off of pull throughput, per pair, as a change: below zero is what recording costs in throughput. */
  throughput: PairedSpread;
  /** on ÷ off of the Next server's CPU ms per pull, per pair, as a change: what recording costs in server work. */
  cpuCost: PairedSpread;
  /**
   * The setup's own effect on the same pairs' CPU per pull, for control: the second
   * port's server against the first port's. The flag's figure means something only
   * beside it.
   */
  portEffect: PairedSpread;
  pairs: MetricsPair[];
  /**
   * Recording's share of the "on" server's CPU, timed inside it under the pass's load:
   * the median pass and the range over the pairs. This is the cost the budget is held
   * to; the paired differences above are the end-to-end check, too noisy on a shared
   * machine to resolve a few per cent.
   */
  recording: { medianPercent: number; lowPercent: number; highPercent: number };
  /** What the "off" servers counted recording, summed over their passes: 0 unless the flag leaks. */
  offRecordingMs: number;
}

/** The metrics pass's figures from its pairs: each cost the median of paired differences, with its spread. */
export function metricsFigures(
  concurrency: number,
  ports: readonly [number, number],
  pairs: MetricsPair[],
): MetricsCost {
  const on = medianOf(pairs.map((p) => p.on));
  const cpu = (pass: MetricsPass) => pass.serverCpuMsPerPull;
  const atPort = (p: MetricsPair, port: number) => (p.offPort === port ? p.off : p.on);
  return {
    concurrency,
    ports,
    on,
    off: medianOf(pairs.map((p) => p.off)),
    throughput: pairedSpread(pairs.map((p) => p.on.rps / p.off.rps)),
    cpuCost: pairedSpread(pairs.map((p) => cpu(p.on) / cpu(p.off))),
    portEffect: pairedSpread(pairs.map((p) => cpu(atPort(p, ports[1])) / cpu(atPort(p, ports[0])))),
    pairs,
    recording: {
      medianPercent: on.recordingSharePercent,
      lowPercent: Math.min(...pairs.map((p) => p.on.recordingSharePercent)),
      highPercent: Math.max(...pairs.map((p) => p.on.recordingSharePercent)),
    },
    offRecordingMs: pairs.reduce((sum, p) => sum + p.off.recordingMsPerPull * p.off.ok, 0),
  };
}

export interface EngineReport {
  engine: "postgres" | "pglite";
  points: Point[];
  openLoop: OpenLoopFigures[];
  metrics: MetricsCost | null;
  /** Fulfilled purchases against 201 answers, and requests the client stopped waiting for. */
  books: { fulfilled: number; answeredOk: number; unanswered: number; statuses: Record<string, number> };
}

export interface BenchReport {
  /** The point the top-level figures come from (50 when measured, else the highest). */
  concurrency: number;
  health: RouteFigures;
  authRoute: RouteFigures;
  pull: Point["pull"];
  ratios: Point["ratios"];
  machine: { cores: number; cpu: string; node: string; platform: string; services: string };
  settings: Record<string, unknown>;
  engines: EngineReport[];
}

export function routeFigures(pass: PassResult): RouteFigures {
  const latency = latencySummary(pass.latenciesMs);
  const seconds = pass.measuredMs / 1000;
  return {
    requests: pass.latenciesMs.length,
    ok: pass.ok,
    errors: pass.latenciesMs.length - pass.ok,
    rps: pass.ok / seconds,
    p50Ms: latency.p50Ms,
    p95Ms: latency.p95Ms,
    p99Ms: latency.p99Ms,
    maxMs: latency.maxMs,
    starved: pass.starvedMs / pass.measuredMs,
    outcomes: pass.outcomes,
  };
}

/** Per-request costs from the Server-Timing of the measured successful answers. */
export function requestCosts(
  pass: PassResult,
): Pick<
  PullCosts,
  "stepsMs" | "statementsPerRequest" | "transactionsPerRequest" | "poolWaitMs" | "eventLoopDelayP99Ms"
> {
  const steps: Record<string, number[]> = {};
  const statements: number[] = [];
  const transactions: number[] = [];
  const poolWait: number[] = [];
  const loop: number[] = [];
  for (const entries of pass.timings) {
    for (const entry of entries) {
      if (entry.name === "db") {
        statements.push(entry.counts.statements ?? NaN);
        transactions.push(entry.counts.transactions ?? NaN);
      } else if (entry.name === "pool" && entry.dur !== null) poolWait.push(entry.dur);
      else if (entry.name === "loop" && entry.dur !== null) loop.push(entry.dur);
      else if (entry.name !== "proc" && entry.dur !== null) (steps[entry.name] ??= []).push(entry.dur);
    }
  }
  return {
    stepsMs: Object.fromEntries(Object.entries(steps).map(([name, values]) => [name, mean(values)])),
    statementsPerRequest: mean(statements),
    transactionsPerRequest: mean(transactions),
    poolWaitMs: mean(poolWait),
    eventLoopDelayP99Ms: median(loop),
  };
}

/** CPU ms of one answer over every process measured. */
export function cpuMsOfAnswer(cpuMsPerOk: Record<string, number>): number {
  return Object.values(cpuMsPerOk).reduce((sum, ms) => sum + ms, 0);
}

/**
 * Answers a second that `cores` fully busy CPUs allow at that cost: a hard ceiling, since
 * every answer needs its CPU time somewhere on the machine.
 */
export function cpuCeilingRps(cpuMsPerOk: Record<string, number>, cores: number): number {
  return (cores * 1000) / cpuMsOfAnswer(cpuMsPerOk);
}

export function ratios(
  health: RouteFigures,
  authRoute: RouteFigures,
  pull: RouteFigures & Pick<PullCosts, "cpuMsPerPull">,
  cores = os.availableParallelism(),
): Point["ratios"] {
  return {
    pullToHealthRps: pull.rps / health.rps,
    pullToHealthP99: pull.p99Ms / health.p99Ms,
    pullToAuthRps: pull.rps / authRoute.rps,
    authToHealthRps: authRoute.rps / health.rps,
    pullCpuCeilingToHealthRps: cpuCeilingRps(pull.cpuMsPerPull, cores) / health.rps,
  };
}

export function openLoopFigures(ratePerMinute: number, pass: PassResult): OpenLoopFigures {
  const latency = latencySummary(pass.latenciesMs);
  return {
    ratePerMinute,
    seconds: pass.measuredMs / 1000,
    sent: pass.latenciesMs.length,
    ok: pass.ok,
    okPerMinute: (pass.ok * 60_000) / pass.measuredMs,
    p50Ms: latency.p50Ms,
    p95Ms: latency.p95Ms,
    p99Ms: latency.p99Ms,
    maxMs: latency.maxMs,
    dropped: pass.dropped,
    outcomes: pass.outcomes,
  };
}

export function machine(services: string): BenchReport["machine"] {
  return {
    cores: os.availableParallelism(),
    cpu: os.cpus()[0]?.model.trim() ?? "unknown CPU",
    node: process.version,
    platform: `${os.platform()} ${os.arch()}`,
    services,
  };
}

const fixed = (v: number | null, digits = 1) => (v !== null && Number.isFinite(v) ? v.toFixed(digits) : "–");
const times = (v: number) => (Number.isFinite(v) ? `${v.toFixed(2)}×` : "–");

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((cells) => (cells[i] ?? "").length)));
  const line = (cells: string[]) =>
    cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join("  ");
  const rule = "─".repeat(widths.reduce((a, b) => a + b + 2, -2));
  return [line(rows[0]!), rule, ...rows.slice(1).map(line)];
}

function outcomes(o: Record<string, number>): string {
  return (
    Object.entries(o)
      .sort((a, b) => b[1] - a[1])
      .map(([label, n]) => `${label} × ${n}`)
      .join(", ") || "none"
  );
}

export function formatEngine(e: EngineReport): string {
  const out: string[] = [
    "",
    `== ${e.engine === "postgres" ? "services mode (PostgreSQL, Redis)" : "embedded mode (PGlite, in-memory limiter)"} ==`,
    "",
  ];
  const head = ["conc.", "route", "answers", "ok/s", "p50 ms", "p95 ms", "p99 ms", "max ms", "errors", "starved"];
  const rows: string[][] = [head];
  for (const p of e.points) {
    for (const [name, f] of [
      ["health", p.health],
      ["auth route", p.authRoute],
      ["pull", p.pull],
    ] as const) {
      rows.push([
        String(p.concurrency),
        name,
        String(f.requests),
        fixed(f.rps),
        fixed(f.p50Ms),
        fixed(f.p95Ms),
        fixed(f.p99Ms),
        fixed(f.maxMs),
        String(f.errors),
        `${fixed(f.starved * 100, 0)}%`,
      ]);
    }
    rows.push([
      "",
      "pull ÷ health",
      "",
      times(p.ratios.pullToHealthRps),
      "",
      "",
      times(p.ratios.pullToHealthP99),
      "",
      "",
      "",
    ]);
    rows.push(["", "auth route ÷ health", "", times(p.ratios.authToHealthRps), "", "", "", "", "", ""]);
  }
  out.push(...table(rows), "");

  out.push(
    "Per successful pull (Server-Timing means; statements and transactions also per pull overall, webhooks included):",
  );
  const costRows: string[][] = [
    [
      "conc.",
      "steps ms",
      "stmts/req",
      "tx/req",
      "stmts/pull",
      "tx/pull",
      "round trips/pull",
      "commits/pull",
      "pool wait ms",
      "loop p99 ms",
      "CPU ms/pull",
    ],
  ];
  for (const p of e.points) {
    const c = p.pull;
    costRows.push([
      String(p.concurrency),
      Object.entries(c.stepsMs)
        .map(([k, v]) => `${k} ${fixed(v)}`)
        .join(", "),
      fixed(c.statementsPerRequest),
      fixed(c.transactionsPerRequest),
      fixed(c.statementsPerPull),
      fixed(c.transactionsPerPull),
      fixed(c.roundTripsPerPull),
      fixed(c.commitsPerPull),
      fixed(c.poolWaitMs, 2),
      fixed(c.eventLoopDelayP99Ms),
      Object.entries(c.cpuMsPerPull)
        .map(([k, v]) => `${k} ${fixed(v)}`)
        .join(", "),
    ]);
  }
  out.push(...table(costRows));
  const cores = os.availableParallelism();
  for (const p of e.points) {
    out.push(
      `  conc. ${p.concurrency}, CPU ms per answer over every process: health ${fixed(cpuMsOfAnswer(p.health.cpuMsPerOk))}, ` +
        `auth route ${fixed(cpuMsOfAnswer(p.authRoute.cpuMsPerOk))}, pull ${fixed(cpuMsOfAnswer(p.pull.cpuMsPerPull))}; ` +
        `at the pull's cost ${cores} busy cores answer at most ${fixed(cpuCeilingRps(p.pull.cpuMsPerPull, cores))} pulls/s, ` +
        `${times(p.ratios.pullCpuCeilingToHealthRps)} health's rate`,
    );
    out.push(
      `  conc. ${p.concurrency}, waiting for a CPU (run queue) per pull: ` +
        `${Object.entries(p.pull.runQueueMsPerPull)
          .map(([k, v]) => `${k} ${fixed(v)} ms`)
          .join(", ")}; CPU pressure ${fixed(p.pull.cpuPressurePercent, 0)} % of the pass`,
    );
    if (p.pull.backendStates) {
      out.push(
        `  conc. ${p.concurrency}, PostgreSQL backends by state (mean count, sampled every 100 ms): ` +
          Object.entries(p.pull.backendStates)
            .map(([k, v]) => `${k} ${fixed(v, 2)}`)
            .join(", "),
      );
    }
  }
  out.push("");

  if (e.openLoop.length > 0) {
    out.push("Open loop (pulls on a fixed schedule; latency from when each was due):");
    const rows2: string[][] = [
      ["rate/min", "seconds", "sent", "ok", "ok/min", "p50 ms", "p95 ms", "p99 ms", "max ms", "dropped"],
    ];
    for (const o of e.openLoop) {
      rows2.push([
        String(o.ratePerMinute),
        fixed(o.seconds, 0),
        String(o.sent),
        String(o.ok),
        fixed(o.okPerMinute, 0),
        fixed(o.p50Ms),
        fixed(o.p95Ms),
        fixed(o.p99Ms),
        fixed(o.maxMs),
        String(o.dropped),
      ]);
    }
    out.push(...table(rows2), "");
  }
  if (e.metrics) {
    const m = e.metrics;
    const spread = (c: PairedSpread) =>
      `${c.medianPercent > 0 ? "+" : ""}${fixed(c.medianPercent)} % ` +
      `(pairs ${fixed(c.lowPercent)} … ${fixed(c.highPercent)} %${c.resolved ? "" : ", noise exceeds the effect"})`;
    out.push(
      `Request metrics at concurrency ${m.concurrency} (${m.pairs.length} off/on pairs, both servers loaded at once; medians): ` +
        `on ${fixed(m.on.rps)} pulls/s, ${fixed(m.on.serverCpuMsPerPull, 2)} ms Next server CPU per pull (p99 ${fixed(m.on.p99Ms)} ms); ` +
        `off ${fixed(m.off.rps)} pulls/s, ${fixed(m.off.serverCpuMsPerPull, 2)} ms (p99 ${fixed(m.off.p99Ms)} ms)`,
      `Request metrics cost, timed inside the "on" server during its passes: ${fixed(m.on.recordingMsPerPull, 3)} ms ` +
        `per pull of ${fixed(m.on.serverCpuMsPerPull, 2)} ms CPU, ${fixed(m.recording.medianPercent, 2)} % ` +
        `(pairs ${fixed(m.recording.lowPercent, 2)} … ${fixed(m.recording.highPercent, 2)} %): ${recordingVerdict(m.recording)}` +
        `; the "off" servers recorded ${fixed(m.offRecordingMs, 3)} ms`,
      `End to end, on against off, median of paired differences: throughput ${spread(m.throughput)}, ` +
        `Next server CPU per pull ${spread(m.cpuCost)}: ${metricsVerdict(m.cpuCost)}`,
      `  Setup alone, same pairs' CPU per pull: port ${m.ports[1]} against ${m.ports[0]} ${spread(m.portEffect)}`,
      `  Pairs off→on: ${m.pairs
        .map(
          (p) =>
            `[off on ${p.offPort}] ${fixed(p.off.rps)}→${fixed(p.on.rps)} pulls/s, ` +
            `${fixed(p.off.serverCpuMsPerPull, 2)}→${fixed(p.on.serverCpuMsPerPull, 2)} ms`,
        )
        .join("; ")}`,
      "",
    );
  }
  out.push("Outcomes (measured windows):");
  for (const p of e.points) {
    out.push(
      `  conc. ${p.concurrency}: health ${outcomes(p.health.outcomes)}; auth route ${outcomes(p.authRoute.outcomes)}; pull ${outcomes(p.pull.outcomes)}`,
    );
  }
  for (const o of e.openLoop) out.push(`  open loop ${o.ratePerMinute}/min: ${outcomes(o.outcomes)}`);
  out.push(
    `Books: ${e.books.fulfilled} purchases fulfilled for ${e.books.answeredOk} answered 201 and ` +
      `${e.books.unanswered} the client stopped waiting for (${JSON.stringify(e.books.statuses)})`,
  );
  return out.join("\n");
}

/** The 3 % budget against the paired CPU differences: settled only when the pairs agree. */
export function metricsVerdict(cost: PairedSpread, budgetPercent = 3): string {
  if (!Number.isFinite(cost.medianPercent)) return "no figure";
  if (cost.highPercent < budgetPercent) return `under the ${budgetPercent} % budget in every pair`;
  if (cost.lowPercent >= budgetPercent) return `OVER the ${budgetPercent} % budget in every pair`;
  if (!cost.resolved) return `not settled: the pairs straddle both no cost and the ${budgetPercent} % budget`;
  return `${cost.medianPercent < budgetPercent ? "under" : "OVER"} the ${budgetPercent} % budget by the median, not in every pair`;
}

/** The budget held to the cost timed inside the server: every pair's share under it, or not. */
export function recordingVerdict(
  share: { medianPercent: number; lowPercent: number; highPercent: number },
  budgetPercent = 3,
): string {
  if (!Number.isFinite(share.highPercent)) return "no figure";
  if (share.highPercent < budgetPercent) return `under the ${budgetPercent} % budget in every pair`;
  if (share.lowPercent >= budgetPercent) return `OVER the ${budgetPercent} % budget in every pair`;
  return `${share.medianPercent < budgetPercent ? "under" : "OVER"} the ${budgetPercent} % budget by the median, not in every pair`;
}

export function formatHeader(r: Pick<BenchReport, "machine" | "settings">): string {
  return [
    "",
    `Koepon! pull benchmark — ${r.machine.cores} cores (${r.machine.cpu}), Node ${r.machine.node}, ${r.machine.platform}`,
    `  ${r.machine.services}`,
    `  ${JSON.stringify(r.settings)}`,
    "  Client, server and databases share this machine: only ratios within one run mean anything.",
  ].join("\n");
}
