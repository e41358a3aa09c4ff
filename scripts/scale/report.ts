/**
 * The scale drill's verdict and table, free of I/O so its rules are unit-tested: which
 * answers count as failing cleanly, and what makes the run fail.
 */
import type { Check } from "./journeys";
import type { LimitFigures } from "./limits";

export interface ScaleReport {
  instances: number;
  /** The instance killed mid-load, when it was, and how long until the balancer marked it down. */
  killed: { name: string; atSeconds: number; drainedAfterSeconds: number | null } | null;
  requests: number;
  /** Failed answers by label ("502 bad_gateway", "429 rate_limited", "connection", …). */
  failed: Record<string, number>;
  /**
   * Purchases the client gave up on after its retries, each attempt refused cleanly (a
   * reservation whose instance died answers 409 purchase_in_progress until reconciliation).
   */
  abandoned: number;
  /** Paid pulls answered 201 after the kill, by the remaining instances. */
  succeededAfterKill: number;
  limits: LimitFigures[];
  /** Job → runs (instances × rounds), how many answered 200, and the periods (minutes) they fell in. */
  jobs: Record<string, { runs: number; ok: number; failed: string[]; periods: number }>;
  booksBalanced: boolean;
  problems: string[];
  checks: Check[];
}

/**
 * A failed answer is clean when it is a 4xx or 503 with a machine-readable code, a 502
 * from the balancer for a request the killed instance was answering (the client retries
 * it with the same idempotency key), or a connection that failed at once. A 500, another
 * 5xx, a body without a code or a request left without an answer is not.
 */
export function cleanFailure(label: string): boolean {
  if (label === "refused") return true;
  const match = /^(\d{3}) (\S+)$/.exec(label);
  if (!match) return false;
  const status = Number(match[1]);
  if (match[2] === "(no-code)") return false;
  return (status >= 400 && status < 500) || status === 503 || (status === 502 && match[2] === "bad_gateway");
}

/** Why the run fails, one line each; empty when every invariant held. */
export function verdict(r: ScaleReport): string[] {
  const out: string[] = [];
  for (const c of r.checks) if (!c.ok) out.push(`${c.name}: ${c.detail}`);
  for (const l of r.limits)
    if (l.admitted !== l.expected) out.push(`${l.name}: ${l.admitted} admitted, ${l.expected} expected`);
  const unclean = Object.keys(r.failed).filter((l) => !cleanFailure(l));
  if (unclean.length > 0) out.push(`unclean answers: ${unclean.map((l) => `${r.failed[l]}× ${l}`).join(", ")}`);
  if (!r.booksBalanced) out.push(`books unbalanced: ${r.problems.join("; ")}`);
  if (r.requests === 0) out.push("no load was sent");
  if (r.killed) {
    if (r.killed.drainedAfterSeconds === null) out.push(`${r.killed.name} was never marked down by the balancer`);
    if (r.succeededAfterKill === 0) out.push("no pull succeeded after the kill");
  }
  for (const [job, j] of Object.entries(r.jobs)) if (j.ok !== j.runs) out.push(`${job}: ${j.failed.join(", ")}`);
  return out;
}

const by = (counts: Record<string, number>) =>
  Object.entries(counts)
    .sort((a, b) => b[1] - a[1])
    .map(([l, n]) => `${n}× ${l}`)
    .join(", ") || "0";

export function formatReport(r: ScaleReport): string {
  const rows: [string, string][] = [
    [
      "instances",
      `${r.instances}` +
        (r.killed
          ? `; ${r.killed.name} killed (kill -9) at ${r.killed.atSeconds.toFixed(1)} s, out of the balancer after ` +
            `${r.killed.drainedAfterSeconds === null ? "never" : `${r.killed.drainedAfterSeconds.toFixed(1)} s`}, ` +
            `${r.succeededAfterKill} paid pulls answered by the others after it`
          : ""),
    ],
    [
      "requests",
      `${r.requests} paid pulls sent through the balancer (retries included); ${r.abandoned} purchases given up`,
    ],
    ["failed by code", by(r.failed)],
    ...r.limits.map((l): [string, string] => [
      `limit: ${l.name}`,
      `${l.admitted} admitted / ${l.expected} expected (${l.sent} sent, on ${l.instances.join(", ")})`,
    ]),
    ...Object.entries(r.jobs).map(([job, j]): [string, string] => [
      `job: ${job}`,
      `${j.runs} runs in ${j.periods} period(s), every instance at once, ${j.ok} ok` +
        (j.failed.length ? ` (${j.failed.join(", ")})` : ""),
    ]),
    ["books balanced", r.booksBalanced ? "yes" : `NO (${r.problems.join("; ")})`],
    ...r.checks.map((c): [string, string] => [`${c.ok ? "ok  " : "FAIL"} ${c.name}`, c.detail]),
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padEnd(width)} │ ${v}`).join("\n");
}
