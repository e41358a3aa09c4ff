/**
 * What the drill measures and prints: the restored rows against every write the app
 * acknowledged, and one table of RTO and RPO per level beside the objectives.
 */
import type { BooksReport } from "../../lib/books/check-books";
import type { Database } from "../../lib/db/types";
import type { AckedWrite, WriteKind } from "./load";

const TABLE_OF: Record<WriteKind, string> = {
  signup: "public.users",
  pull: "public.pulls",
  exchange: "public.exchanges",
};

export interface WritesCheck {
  acknowledged: number;
  present: number;
  lost: AckedWrite[];
  /** The last instant the restored database holds: RPO is measured back from the failure to it. */
  recoveredTo: Date;
  /** True when the restored rows are exactly a prefix in time of the acknowledged writes. */
  consistent: boolean;
  problems: string[];
}

/**
 * A correct recovery to a point P holds every write committed before P and none after.
 * A write commits between its start and its acknowledgement, so:
 * - point in time: a lost write acknowledged before another present write started is a
 *   hole (it committed first, so it must be there);
 * - snapshot at S: a write acknowledged before S must be present, one started after S
 *   must not.
 */
export async function compareWithAcks(
  db: Database,
  acked: AckedWrite[],
  point: { at: Date; kind: "pitr" | "snapshot" },
): Promise<WritesCheck> {
  const present = new Set<string>();
  for (const kind of Object.keys(TABLE_OF) as WriteKind[]) {
    const ids = acked.filter((w) => w.kind === kind).map((w) => w.id);
    const rows = await db.query<{ id: string }>(`select id::text from ${TABLE_OF[kind]} where id = any($1::uuid[])`, [
      ids,
    ]);
    for (const row of rows) present.add(row.id);
  }
  const kept = acked.filter((w) => present.has(w.id));
  const lost = acked.filter((w) => !present.has(w.id));
  const problems: string[] = [];
  let recoveredTo: Date;
  if (point.kind === "pitr") {
    const lastKept = Math.max(0, ...kept.map((w) => w.ackedAt));
    const lastKeptStart = Math.max(0, ...kept.map((w) => w.startedAt));
    recoveredTo = new Date(lastKept);
    for (const w of lost.filter((l) => l.ackedAt < lastKeptStart)) {
      problems.push(`${w.kind} ${w.id} committed before a write that survived, yet it is missing`);
    }
  } else {
    recoveredTo = point.at;
    const at = point.at.getTime();
    for (const w of lost.filter((l) => l.ackedAt < at))
      problems.push(`${w.kind} ${w.id} predates the snapshot, yet it is missing`);
    for (const w of kept.filter((k) => k.startedAt > at))
      problems.push(`${w.kind} ${w.id} started after the snapshot, yet it is there`);
  }
  return {
    acknowledged: acked.length,
    present: kept.length,
    lost,
    recoveredTo,
    consistent: problems.length === 0,
    problems,
  };
}

export interface LevelReport {
  level: 2 | 4;
  rtoSeconds: number;
  rpoSeconds: number;
  objective: { rto: number; rpo: number };
  books: BooksReport;
  booksAfterReconcile: BooksReport;
  writes: WritesCheck;
  reconciliation: { lostPaidPulls: number; fulfilledNow: number; unknownToDatabase: number; otherMismatches: number };
  reconciled: boolean;
  withinObjectives: boolean;
}

const SCENARIO = {
  2: { what: "database lost", how: "PITR: base backup + WAL archive to its last commit" },
  4: { what: "data corrupted", how: "last logical backup into a new database" },
} as const;

const duration = (s: number) =>
  s >= 3600 ? `${(s / 3600).toFixed(0)} h` : s >= 60 ? `${(s / 60).toFixed(0)} min` : `${s.toFixed(1)} s`;

export function formatDrill(report: { load: { acknowledged: number }; levels: LevelReport[] }): string {
  const rows = [
    [
      "level",
      "scenario",
      "recovery",
      "RTO measured",
      "RPO measured",
      "objective RTO / RPO",
      "acked writes lost",
      "books",
    ],
    ...report.levels.map((l) => [
      String(l.level),
      SCENARIO[l.level].what,
      SCENARIO[l.level].how,
      duration(l.rtoSeconds),
      duration(l.rpoSeconds),
      `< ${duration(l.objective.rto)} / < ${duration(l.objective.rpo)}`,
      `${l.writes.lost.length} of ${l.writes.acknowledged}`,
      `${l.books.rules.filter((r) => r.violations === 0).length}/${l.books.rules.length} rules hold`,
    ]),
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const lines = rows.map((r) =>
    r
      .map((cell, i) => cell.padEnd(widths[i]!))
      .join("  ")
      .trimEnd(),
  );
  lines.splice(1, 0, widths.map((w) => "-".repeat(w)).join("  "));

  for (const l of report.levels) {
    lines.push("", `Level ${l.level}:`);
    for (const rule of l.books.rules) {
      lines.push(
        `  books  ${rule.rule.padEnd(34)} ${rule.violations === 0 ? "ok" : `${rule.violations} VIOLATION(S)`}`,
      );
    }
    lines.push(
      `  writes ${l.writes.present} of ${l.writes.acknowledged} acknowledged writes restored, ${l.writes.lost.length} lost after the recovery point; ` +
        (l.writes.consistent
          ? "none missing before it, none after it"
          : `INCONSISTENT: ${l.writes.problems.slice(0, 3).join("; ")}`),
      `  provider ${l.reconciliation.lostPaidPulls} paid pulls lost: reconciliation fulfilled ${l.reconciliation.fulfilledNow} ` +
        `(purchase restored), flagged ${l.reconciliation.unknownToDatabase} unknown to the database (refund or re-deliver), ` +
        `${l.reconciliation.otherMismatches} other mismatches; books after it: ${l.booksAfterReconcile.ok ? "ok" : "VIOLATED"}`,
    );
  }
  const ok = report.levels.every(
    (l) => l.books.ok && l.booksAfterReconcile.ok && l.writes.consistent && l.reconciled && l.withinObjectives,
  );
  lines.push(
    "",
    `dr drill: ${report.levels.map((l) => `level ${l.level} RTO ${duration(l.rtoSeconds)} RPO ${duration(l.rpoSeconds)}`).join(", ")}, ` +
      `invariants checked: ${report.levels.length * 2 * (report.levels[0]?.books.rules.length ?? 0)}, all hold: ${ok ? "yes" : "no"}`,
  );
  return lines.join("\n");
}
