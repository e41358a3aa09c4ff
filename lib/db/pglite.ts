import fs from "node:fs";
import path from "node:path";
import { PGlite, types } from "@electric-sql/pglite";
import type { Database, Queryable } from "./types";
import { rowParsers } from "./parsers";
import { countStatement, countTransaction } from "../timing/request-timing";

const parsers = {
  [types.INT8]: rowParsers.int8,
  [types.DATE]: rowParsers.date,
  [types.NUMERIC]: rowParsers.numeric,
};

/**
 * PGlite runs Postgres inside this process over one connection. `dir` null keeps it in
 * memory; `loadDataDir` starts from a dump (tests start from a migrated copy).
 */
export async function openPglite(dir: string | null, options: { loadDataDir?: Blob } = {}): Promise<Database> {
  return (await openPgliteForBackup(dir, options)).db;
}

/** `openPglite`, plus a copy of the whole data directory (embedded backups). */
export async function openPgliteForBackup(
  dir: string | null,
  options: { loadDataDir?: Blob } = {},
): Promise<{ db: Database; dumpDataDir(): Promise<Blob> }> {
  const release = dir ? lockDataDir(dir) : () => {};
  try {
    const pg = await PGlite.create(dir ?? undefined, { parsers, loadDataDir: options.loadDataDir });
    return { db: wrapPglite(pg, release), dumpDataDir: () => pg.dumpDataDir("gzip") };
  } catch (err) {
    release();
    throw err;
  }
}

/**
 * PGlite queues every query behind an open transaction itself, so transactions
 * never interleave and a plain `query` never lands inside someone else's.
 */
export function wrapPglite(pg: PGlite, onClose: () => void = () => {}): Database {
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
    transaction(fn) {
      const asked = performance.now();
      return pg.transaction((tx) => {
        // The queue PGlite keeps in front of its one connection is this engine's pool wait.
        countTransaction(performance.now() - asked);
        return fn(wrap(tx));
      });
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
