/** Figures of a run: per phase, their ratio, and the table the bench prints. */
import os from "node:os";
import type { PhaseResult } from "./load";

export interface PhaseSummary {
  requests: number;
  ok: number;
  errors: number;
  notStarted: number;
  concurrency: number;
  wallSeconds: number;
  /** Successful pulls per second of wall time. */
  pullsPerSecond: number;
  latencyMs: { mean: number; p50: number; p95: number; p99: number; max: number };
  outcomes: Record<string, number>;
}

export interface BenchReport {
  machine: { cores: number; cpu: string; node: string; platform: string; services: string };
  settings: {
    users: number;
    pullsPerUser: number;
    concurrency: number;
    poolMax: number;
    maxSeconds: number;
    campaigns: number;
    warmupPulls: number;
  };
  http: PhaseSummary;
  baseline: PhaseSummary;
  /** HTTP ÷ baseline. */
  ratio: { throughput: number; p50: number; p95: number; p99: number };
}

/** Nearest-rank percentile of sorted values. */
function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length))) - 1]!;
}

export function summarise(result: PhaseResult): PhaseSummary {
  const sorted = [...result.latenciesMs].sort((a, b) => a - b);
  const requests = sorted.length;
  const wallSeconds = result.wallMs / 1000;
  return {
    requests,
    ok: result.ok,
    errors: requests - result.ok,
    notStarted: result.notStarted,
    concurrency: result.concurrency,
    wallSeconds,
    pullsPerSecond: result.ok / wallSeconds,
    latencyMs: {
      mean: requests ? sorted.reduce((a, b) => a + b, 0) / requests : NaN,
      p50: percentile(sorted, 50),
      p95: percentile(sorted, 95),
      p99: percentile(sorted, 99),
      max: sorted.at(-1) ?? NaN,
    },
    outcomes: result.outcomes,
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

const ms = (v: number) => (Number.isFinite(v) ? v.toFixed(1) : "–");
const times = (v: number) => (Number.isFinite(v) ? `${v.toFixed(2)}×` : "–");

export function formatReport(r: BenchReport): string {
  const s = r.settings;
  const head = ["phase", "requests", "ok", "conc.", "wall s", "pulls/s", "p50 ms", "p95 ms", "p99 ms", "max ms"];
  const row = (name: string, p: PhaseSummary) => [
    name,
    String(p.requests),
    String(p.ok),
    String(p.concurrency),
    p.wallSeconds.toFixed(1),
    p.pullsPerSecond.toFixed(1),
    ms(p.latencyMs.p50),
    ms(p.latencyMs.p95),
    ms(p.latencyMs.p99),
    ms(p.latencyMs.max),
  ];
  const rows = [
    head,
    row("HTTP (next start)", r.http),
    row("baseline (in-process)", r.baseline),
    [
      "HTTP / baseline",
      "",
      "",
      "",
      "",
      times(r.ratio.throughput),
      times(r.ratio.p50),
      times(r.ratio.p95),
      times(r.ratio.p99),
      "",
    ],
  ];
  const widths = head.map((_, i) => Math.max(...rows.map((cells) => cells[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join("  ");
  const rule = "─".repeat(widths.reduce((a, b) => a + b + 2, -2));

  const outcomeLines = (name: string, p: PhaseSummary) => {
    const parts = Object.entries(p.outcomes)
      .sort((a, b) => b[1] - a[1])
      .map(([label, n]) => `${label} × ${n}`);
    const cut = p.notStarted > 0 ? `; ${p.notStarted} not started (time limit)` : "";
    return `  ${name}: ${parts.join(", ") || "none"}${cut}`;
  };

  return [
    "",
    `Koepon! pull benchmark — ${r.machine.cores} cores (${r.machine.cpu}), Node ${r.machine.node}, ${r.machine.platform}`,
    `  ${r.machine.services}`,
    `  ${s.users} fans per phase × ${s.pullsPerUser} single pulls over ${s.campaigns} campaigns, concurrency ${s.concurrency}, ` +
      `PostgreSQL pool ${s.poolMax}, at most ${s.maxSeconds} s per phase, ${s.warmupPulls} warm-up pulls first`,
    "",
    line(rows[0]!),
    rule,
    ...rows.slice(1, 3).map(line),
    rule,
    line(rows[3]!),
    "",
    "Outcomes:",
    outcomeLines("HTTP", r.http),
    outcomeLines("baseline", r.baseline),
    "",
  ].join("\n");
}
