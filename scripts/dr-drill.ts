/**
 * `npm run dr:drill`: a measured disaster-recovery rehearsal on a throwaway PostgreSQL
 * cluster of its own (never the shared server).
 *
 *   npm run dr:drill -- [--seconds 60] [--workers 6] [--archive-timeout 10] [--port <n>] [--json <file>] [--keep]
 *
 * --port: the cluster listens there and the recovered one on the next port; default:
 * ports the kernel picks free.
 *
 * 1. initdb in a temp folder with WAL archiving on; migrate; the demo catalog.
 * 2. A base backup (pg_basebackup), then writes under load through the app's own
 *    functions (scripts/dr/load.ts) for --seconds; halfway through, `npm run backup`'s
 *    logical backup runs beside the load. The payment provider's books live apart (as
 *    Stripe's do) and survive the disaster.
 * 3. Disaster: the cluster is stopped as a crash would stop it and its data directory
 *    deleted, WAL not yet archived included.
 * 4. Level 2, database failure: point-in-time recovery from the base backup and the WAL
 *    archive to the newest instant the archive holds (its last commit).
 * 5. Level 4, corruption: the last logical backup restored into a new database.
 * After each: the books check, the restored rows against every write the app
 * acknowledged (nothing missing before the recovery point, nothing after it), and the
 * reconciliation with the provider that the runbook prescribes. Prints RTO and RPO per
 * level beside the objectives; exits 1 when a check fails or an objective is missed.
 */
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { createBackup, type BackupResult } from "../lib/backup/create-backup";
import { restoreBackup } from "../lib/backup/restore-backup";
import { checkBooks } from "../lib/books/check-books";
import { getConfig } from "../lib/config";
import { openPglite } from "../lib/db/pglite";
import { openPostgres } from "../lib/db/postgres";
import type { Database } from "../lib/db/types";
import { migrate } from "../lib/migrate/migrator";
import { createSandboxProvider } from "../lib/payments/providers/sandbox";
import { reconcile } from "../lib/payments/reconcile";
import { localStorage } from "../lib/storage/local";
import { prepareSchemaAndCatalog } from "./bench/database";
import {
  createCluster,
  createDatabase,
  freePort,
  lastArchivedCommit,
  recoverToPointInTime,
  takeBaseBackup,
  type Cluster,
  type ClusterOptions,
} from "./dr/cluster";
import { runLoad, type AckedWrite, type LoadResult } from "./dr/load";
import { compareWithAcks, formatDrill, type LevelReport } from "./dr/report";

const { values } = parseArgs({
  options: {
    seconds: { type: "string", default: "60" },
    workers: { type: "string", default: "6" },
    "archive-timeout": { type: "string", default: "10" },
    port: { type: "string" },
    json: { type: "string" },
    keep: { type: "boolean", default: false },
  },
});
const seconds = Number(values.seconds);
const workers = Number(values.workers);
const archiveTimeoutSeconds = Number(values["archive-timeout"]);
if (![seconds, workers, archiveTimeoutSeconds].every((n) => Number.isInteger(n) && n >= 1)) {
  console.error("--seconds, --workers and --archive-timeout take whole numbers ≥ 1");
  process.exit(2);
}

/** The architecture's objectives, in seconds. */
const OBJECTIVES = {
  2: { rto: 30 * 60, rpo: 60 * 60 },
  4: { rto: 4 * 3600, rpo: 24 * 3600 },
} as const;

const config = getConfig();
const root = await fs.mkdtemp(path.join(os.tmpdir(), "koepon-dr-"));
const options: ClusterOptions = { root, binDir: config.backup.postgresBinDir, archiveTimeoutSeconds };
const open: { close(): Promise<unknown> }[] = [];
const clusters: Cluster[] = [];
const log = (line: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${line}`);
const since = (start: number) => (performance.now() - start) / 1000;

async function cleanUp(): Promise<void> {
  for (const handle of open.reverse()) await handle.close().catch(() => {});
  for (const cluster of clusters) await cluster.stop().catch(() => {});
  if (!values.keep) await fs.rm(root, { recursive: true, force: true });
  else console.log(`Kept ${root}`);
}
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => void cleanUp().finally(() => process.exit(130)));
}

function track<T extends { close(): Promise<unknown> }>(handle: T): T {
  open.push(handle);
  return handle;
}

/** Books check, the rows against the acknowledged writes, then the runbook's reconciliation. */
async function judge(
  level: 2 | 4,
  db: Database,
  acked: AckedWrite[],
  point: { at: Date; kind: "pitr" | "snapshot" },
  provider: ReturnType<typeof createSandboxProvider>,
  timing: { recoveryStarted: number; failedAt: Date; drillStart: Date },
): Promise<LevelReport> {
  const books = await checkBooks(db);
  // Recovered means taking writes with its books checked.
  const rtoSeconds = since(timing.recoveryStarted);
  const writes = await compareWithAcks(db, acked, point);
  const lostPulls = writes.lost.filter((w) => w.kind === "pull");
  // Reconciliation raises one alert line per payment it cannot match: hundreds after a
  // drill's restore. They are counted below instead of printed.
  const printError = console.error;
  console.error = () => {};
  const summary = await reconcile(db, provider, { since: timing.drillStart, now: new Date() }).finally(() => {
    console.error = printError;
  });
  const unknown = summary.mismatches.filter((m) => m.kind === "unknown_purchase").length;
  const booksAfterReconcile = await checkBooks(db);
  const rpoSeconds = (timing.failedAt.getTime() - writes.recoveredTo.getTime()) / 1000;
  const reconciliation = {
    lostPaidPulls: lostPulls.length,
    fulfilledNow: summary.fulfilled.length,
    unknownToDatabase: unknown,
    otherMismatches: summary.mismatches.length - unknown,
  };
  return {
    level,
    rtoSeconds,
    rpoSeconds,
    objective: OBJECTIVES[level],
    books,
    booksAfterReconcile,
    writes,
    reconciliation,
    // Every paid pull lost in the restore is found at the provider: fulfilled again when
    // its purchase survived, flagged for a refund or re-delivery when it did not.
    reconciled:
      reconciliation.fulfilledNow + reconciliation.unknownToDatabase === reconciliation.lostPaidPulls &&
      reconciliation.otherMismatches === 0,
    withinObjectives: rtoSeconds < OBJECTIVES[level].rto && rpoSeconds < OBJECTIVES[level].rpo,
  };
}

async function main(): Promise<number> {
  const port = values.port ? Number(values.port) : await freePort();
  log(
    `Throwaway PostgreSQL cluster in ${root} on port ${port}, WAL archived at least every ${archiveTimeoutSeconds} s`,
  );
  const primary = await createCluster(options, port);
  clusters.push(primary);
  const url = await createDatabase(primary, "koepon");
  const db = track(openPostgres(url, workers + 4));
  const storageDir = path.join(root, "storage");
  await prepareSchemaAndCatalog(db, { kind: "postgres", url, poolMax: 1 }, storageDir);

  // The provider's books: apart from ours, and untouched by our disaster.
  const providerDb = track(await openPglite(null));
  await migrate(providerDb);
  const provider = createSandboxProvider({ db: providerDb, webhookSecret: "whsec_koepon_dr_drill", deliver: () => {} });

  log("Base backup (pg_basebackup)");
  const baseBackup = await takeBaseBackup(options, primary);

  const drillStart = new Date();
  const until = Date.now() + seconds * 1000;
  log(`Writing under load for ${seconds} s with ${workers} workers; the logical backup runs halfway`);
  const loading: Promise<LoadResult> = runLoad({ db, provider, auth: config.auth, workers, until });
  await new Promise((resolve) => setTimeout(resolve, (seconds * 1000) / 2));
  const backupStarted = performance.now();
  const backup: BackupResult = await createBackup({
    source: { engine: "postgres", db, url },
    storage: localStorage(storageDir),
    outDir: path.join(root, "backups"),
    key: null,
    app: { version: config.version, commit: config.commit },
    postgresBinDir: config.backup.postgresBinDir,
  });
  log(`Logical backup of ${backup.manifest.snapshotAt} written in ${since(backupStarted).toFixed(1)} s`);
  const load = await loading;
  const counts = (kind: AckedWrite["kind"]) => load.acked.filter((w) => w.kind === kind).length;
  log(
    `Load done: ${counts("signup")} sign-ups, ${counts("pull")} paid pulls, ${counts("exchange")} exchanges acknowledged; ` +
      `refused as designed: ${JSON.stringify(load.refused)}; errors: ${load.errors.length}`,
  );

  await db.close();
  open.splice(open.indexOf(db), 1);
  await primary.crash();
  await fs.rm(primary.dataDir, { recursive: true, force: true });
  const failedAt = new Date();
  log(`Disaster at ${failedAt.toISOString()}: the primary crashed and its data directory is gone`);

  log("Level 2: point-in-time recovery from the base backup and the WAL archive");
  const l2Start = performance.now();
  const target = await lastArchivedCommit(options);
  log(`Recovery target: ${target.toISOString()}, the last commit in the WAL archive`);
  const recovered = await recoverToPointInTime(options, baseBackup, target, values.port ? port + 1 : await freePort());
  clusters.push(recovered);
  const l2Db = track(openPostgres(recovered.url("koepon"), 4));
  const level2 = await judge(2, l2Db, load.acked, { at: failedAt, kind: "pitr" }, provider, {
    recoveryStarted: l2Start,
    failedAt,
    drillStart,
  });

  log("Level 4: the last logical backup into a new database");
  const l4Start = performance.now();
  const l4Url = recovered.url("koepon_restored");
  const restore = await restoreBackup({
    from: backup.dir,
    target: { engine: "postgres", url: l4Url },
    storage: localStorage(path.join(root, "restored-storage")),
    key: null,
    postgresBinDir: config.backup.postgresBinDir,
  });
  const l4Db = track(openPostgres(l4Url, 4));
  const level4 = await judge(
    4,
    l4Db,
    load.acked,
    { at: new Date(backup.manifest.snapshotAt), kind: "snapshot" },
    provider,
    { recoveryStarted: l4Start, failedAt, drillStart },
  );

  const report = {
    load: summariseLoad(load),
    backupProblems: backup.problems,
    restoreMismatches: restore.mismatches,
    levels: [level2, level4],
  };
  console.log(`\n${formatDrill(report)}`);
  if (values.json) await fs.writeFile(values.json, `${JSON.stringify(report, null, 2)}\n`);
  const failed =
    load.errors.length > 0 ||
    backup.problems.length > 0 ||
    restore.mismatches.length > 0 ||
    report.levels.some(
      (l) => !l.books.ok || !l.booksAfterReconcile.ok || !l.writes.consistent || !l.reconciled || !l.withinObjectives,
    );
  return failed ? 1 : 0;
}

function summariseLoad(load: LoadResult) {
  return {
    acknowledged: load.acked.length,
    refused: load.refused,
    errors: load.errors.slice(0, 10),
  };
}

let code = 1;
try {
  code = await main();
} catch (err) {
  console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
} finally {
  await cleanUp();
}
process.exit(code);
