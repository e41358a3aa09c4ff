/**
 * The drill's verdict, kept free of I/O so its rules are unit-tested: how answers are
 * classed, what makes a row fail, and the table the run prints.
 */

/** One answer the load generator got, as a label: "201", "503 database_unavailable", "hang", … */
export type AnswerLabel = string;

export interface DrillRow {
  fault: string;
  requests: number;
  /** Failed answers by label (HTTP status and error code, "refused", "hang"). */
  failed: Record<AnswerLabel, number>;
  /** Seconds from the end of the fault to the first paid pull that succeeded; null if none. */
  recoveredAfterSeconds: number | null;
  /** Every book rule held and every charged payment is fulfilled exactly once. */
  booksBalanced: boolean;
  /** The rules or checks that did not hold, for the report. */
  problems: string[];
  /**
   * Set when the fault had nothing to act on (no webhook arrived while the proxy held
   * them, say): the row would pass without having drilled anything, so it fails instead.
   */
  notExercised?: string;
}

/**
 * Whether a failed answer is acceptable under a fault: a 4xx or 503 with a machine-readable
 * code, or a refused connection while the server process is down (nothing listens, so
 * the client knows at once and retries). A 500, any other 5xx, a body without a code or
 * a request that hung past its timeout is not.
 */
export function acceptableFailure(label: AnswerLabel): boolean {
  if (label === "refused") return true;
  const match = /^(\d{3}) (\S+)$/.exec(label);
  if (!match) return false;
  const status = Number(match[1]);
  const code = match[2]!;
  if (code === "(no-code)") return false;
  return (status >= 400 && status < 500) || status === 503;
}

export function rowPassed(row: DrillRow): boolean {
  return (
    row.booksBalanced &&
    row.requests > 0 &&
    row.recoveredAfterSeconds !== null &&
    row.notExercised === undefined &&
    Object.keys(row.failed).every(acceptableFailure)
  );
}

function formatFailed(failed: Record<string, number>): string {
  const entries = Object.entries(failed).sort((a, b) => b[1] - a[1]);
  return entries.length === 0 ? "0" : entries.map(([label, n]) => `${n}× ${label}`).join(", ");
}

export function formatTable(rows: readonly DrillRow[]): string {
  const header = ["fault", "requests", "failed (by code)", "recovered after (s)", "books balanced"];
  const lines = rows.map((r) => [
    r.fault,
    String(r.requests),
    formatFailed(r.failed),
    r.recoveredAfterSeconds === null ? "never" : r.recoveredAfterSeconds.toFixed(1),
    r.booksBalanced ? "yes" : "NO",
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const row = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join(" │ ")
      .trimEnd();
  return [row(header), widths.map((w) => "─".repeat(w)).join("─┼─"), ...lines.map(row)].join("\n");
}

/** Why the run fails, one line per failing row; empty when every row passed. */
export function verdict(rows: readonly DrillRow[]): string[] {
  const out: string[] = [];
  for (const r of rows) {
    if (rowPassed(r)) continue;
    const bad = Object.keys(r.failed).filter((l) => !acceptableFailure(l));
    const reasons = [
      ...(r.booksBalanced ? [] : [`books unbalanced (${r.problems.join("; ") || "?"})`]),
      ...(bad.length > 0 ? [`unacceptable answers: ${bad.join(", ")}`] : []),
      ...(r.requests === 0 ? ["no request was sent"] : []),
      ...(r.recoveredAfterSeconds === null ? ["no pull succeeded after the fault"] : []),
      ...(r.notExercised === undefined ? [] : [`fault not exercised: ${r.notExercised}`]),
    ];
    out.push(`${r.fault}: ${reasons.join("; ")}`);
  }
  return out;
}
