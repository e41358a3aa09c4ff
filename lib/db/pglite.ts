import fs from "node:fs";
import path from "node:path";
import { PGlite, types } from "@electric-sql/pglite";
import type { Backpressure } from "../config";
import { serverBusy } from "./busy";
import { afterLastQuery, type Database, type Queryable, type Transaction, type TransactionSettings } from "./types";
import { rowParsers } from "./parsers";
import { countStatement, countTransaction, requestHasBegun } from "../timing/request-timing";

const parsers = {
  [types.INT8]: rowParsers.int8,
  [types.DATE]: rowParsers.date,
  [types.NUMERIC]: rowParsers.numeric,
};

/**
 * PGlite runs Postgres inside this process over one connection. `dir` null keeps it in
 * memory; `loadDataDir` starts from a dump (tests start from a migrated copy).
 */
export async function openPglite(
  dir: string | null,
  options: { loadDataDir?: Blob; backpressure?: Backpressure } = {},
): Promise<Database> {
  return (await openPgliteForBackup(dir, options)).db;
}

/** `openPglite`, plus a copy of the whole data directory (embedded backups). */
export async function openPgliteForBackup(
  dir: string | null,
  options: { loadDataDir?: Blob; backpressure?: Backpressure } = {},
): Promise<{ db: Database; dumpDataDir(): Promise<Blob> }> {
  const release = dir ? lockDataDir(dir) : () => {};
  try {
    const pg = await PGlite.create(dir ?? undefined, { parsers, loadDataDir: options.loadDataDir });
    return { db: wrapPglite(pg, release, options.backpressure), dumpDataDir: () => pg.dumpDataDir("gzip") };
  } catch (err) {
    release();
    throw err;
  }
}

/**
 * PGlite queues every query behind an open transaction itself, so transactions
 * never interleave and a plain `query` never lands inside someone else's.
 * Backpressure: a request's first transaction is refused (`server_busy`) when
 * `queueMax` transactions already wait behind the one running.
 */
export function wrapPglite(pg: PGlite, onClose: () => void = () => {}, backpressure: Backpressure = {}): Database {
  let queued = 0;
  let running = 0;
  const wrap = (q: Pick<PGlite, "query" | "exec">): Queryable => ({
    async query<Row>(sql: string, params: readonly unknown[] = []) {
      countStatement();
      const result = await q.query<Row>(sql, params as unknown[]);
      return result.rows;
    },
    async exec(sql) {
      countStatement();
      await q.exec(sql);
    },
  });

  return {
    engine: "pglite",
    ...wrap(pg),
    async transaction<T>(fn: (tx: Transaction) => Promise<T>, settings?: TransactionSettings): Promise<T> {
      const { queueMax } = backpressure;
      // One runs; the others wait in PGlite's queue, this engine's pool wait.
      if (queueMax !== undefined && requestHasBegun() === false && running > 0 && queued >= queueMax) {
        throw serverBusy("database_queue_full");
      }
      const asked = performance.now();
      queued++;
      let started = false;
      // Set once lastQuery's statement succeeded: the transaction counts as committed, as
      // on PostgreSQL, so a failure after it is thrown without undoing what it wrote.
      let afterCommit: { error: unknown } | undefined;
      try {
        const result = await pg.transaction(async (raw) => {
          started = true;
          queued--;
          running++;
          try {
            countTransaction(performance.now() - asked);
            const statements = wrap(raw);
            // In process there is no round trip to save: the last statement runs, then the commit.
            let ended = false;
            let committed = false;
            const tx: Transaction = {
              query: (sql, params) => (ended ? Promise.reject(afterLastQuery()) : statements.query(sql, params)),
              exec: (sql) => (ended ? Promise.reject(afterLastQuery()) : statements.exec(sql)),
              lastQuery: async <Row>(sql: string, params?: readonly unknown[]) => {
                if (ended) throw afterLastQuery();
                ended = true;
                const rows = await statements.query<Row>(sql, params);
                committed = true;
                return rows;
              },
            };
            if (settings) {
              const names = Object.keys(settings);
              await statements.query(
                `select ${names.map((_, i) => `set_config($${2 * i + 1}, $${2 * i + 2}, true)`).join(", ")}`,
                names.flatMap((name) => [name, settings[name]!]),
              );
            }
            try {
              return await fn(tx);
            } catch (error) {
              if (!committed) throw error;
              afterCommit = { error };
              return undefined as T;
            }
          } finally {
            running--;
          }
        });
        if (afterCommit) throw afterCommit.error;
        return result;
      } finally {
        if (!started) queued--;
      }
    },
    async close() {
      await pg.close();
      onClose();
    },
  };
}

/**
 * PGlite has no postmaster to keep a second process out of its data directory, and
 * two writers would corrupt it. A pid file does that job: a live owner makes us refuse.
 */
function lockDataDir(dir: string): () => void {
  fs.mkdirSync(dir, { recursive: true });
  const lockPath = path.join(path.dirname(dir), `${path.basename(dir)}.lock`);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(lockPath, String(process.pid), { flag: "wx" });
      return () => fs.rmSync(lockPath, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      const owner = Number(fs.readFileSync(lockPath, "utf8"));
      if (owner && isAlive(owner)) {
        throw new Error(
          `The embedded database at ${dir} is in use by process ${owner}. ` +
            "Only the running server may open it: stop it first, or run this through the server.",
        );
      }
      fs.rmSync(lockPath, { force: true });
    }
  }
  throw new Error(`Could not lock ${dir}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}
