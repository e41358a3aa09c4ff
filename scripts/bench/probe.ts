/**
 * What the machine spent on a pass: CPU time per process (from /proc, Linux), and the
 * bench database's transaction counters (`pg_stat_database`). The shared PostgreSQL
 * does not preload `pg_stat_statements`, so statements are counted by the server's data
 * layer instead (its Server-Timing `proc` totals).
 */
import fs from "node:fs";
import type { Database } from "../../lib/db";

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** CPU ms (user + system) of one process, null when it is gone or unreadable. */
function cpuMsOf(pid: number): number | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name, which may itself hold spaces and parentheses.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    return ((utime + stime) * 1000) / TICKS_PER_SECOND;
  } catch {
    return null;
  }
}

export function processGroup(pid: number): number | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[2]);
  } catch {
    return null;
  }
}

export function commandOf(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " ").trim();
  } catch {
    return "";
  }
}

export function allPids(): number[] {
  try {
    return fs
      .readdirSync("/proc")
      .filter((name) => /^\d+$/.test(name))
      .map(Number);
  } catch {
    return [];
  }
}

/** Processes a pass is charged for, by label. */
export interface ProcessSet {
  /** Label → pids; looked up again at each snapshot, as backends come and go. */
  pids(): Promise<Record<string, number[]>>;
}

/**
 * The server's process group, split into the Next server and the rest (the start
 * script, which also runs the rate-limit bridge), the PostgreSQL backends connected to
 * the bench database, and Redis (shared with whatever else uses it).
 */
export function serverProcesses(serverPid: number, db: Database | null, benchDatabase: string | null): ProcessSet {
  return {
    async pids() {
      const group = allPids().filter((pid) => processGroup(pid) === serverPid);
      const next = group.filter((pid) => /next-server|next start|serve\.ts/.test(commandOf(pid)));
      const sets: Record<string, number[]> = {
        "next server": next,
        "start + bridge": group.filter((pid) => !next.includes(pid)),
      };
      if (db && benchDatabase) {
        const rows = await db.query<{ pid: number }>("select pid from pg_stat_activity where datname = $1", [
          benchDatabase,
        ]);
        sets["postgres backends"] = rows.map((r) => r.pid);
        sets["redis (shared)"] = allPids().filter((pid) => commandOf(pid).startsWith("redis-server"));
      }
      return sets;
    },
  };
}

export type CpuSnapshot = Record<string, Map<number, number>>;

/**
 * Ms a process's threads spent runnable but waiting for a CPU (the run queue; second
 * field of /proc/<pid>/task/<tid>/schedstat, in ns), null when it is gone or the kernel
 * keeps no schedstats. On a shared machine this is where a request waits that no
 * counter of the app can see: every round trip between the server and PostgreSQL
 * pays it twice.
 */
function runQueueMsOf(pid: number): number | null {
  try {
    let ns = 0;
    for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
      ns += Number(fs.readFileSync(`/proc/${pid}/task/${tid}/schedstat`, "utf8").split(" ")[1]);
    }
    return Number.isFinite(ns) ? ns / 1e6 : null;
  } catch {
    return null;
  }
}

/** Run-queue ms per process of each label (see runQueueMsOf); read with cpuBetween like a CPU snapshot. */
export async function runQueueSnapshot(set: ProcessSet): Promise<CpuSnapshot> {
  const snapshot: CpuSnapshot = {};
  for (const [label, pids] of Object.entries(await set.pids())) {
    snapshot[label] = new Map(
      pids.flatMap((pid) => {
        const ms = runQueueMsOf(pid);
        return ms === null ? [] : [[pid, ms]];
      }),
    );
  }
  const self = runQueueMsOf(process.pid);
  if (self !== null) snapshot["bench client"] = new Map([[process.pid, self]]);
  return snapshot;
}

/**
 * The machine's CPU pressure counter (/proc/pressure/cpu, `some` total, µs): time during
 * which at least one runnable task waited for a CPU. Null without PSI.
 */
export function cpuPressureUs(): number | null {
  try {
    const some = /some .*total=(\d+)/.exec(fs.readFileSync("/proc/pressure/cpu", "utf8"));
    return some ? Number(some[1]) : null;
  } catch {
    return null;
  }
}

export async function cpuSnapshot(set: ProcessSet): Promise<CpuSnapshot> {
  const snapshot: CpuSnapshot = {};
  for (const [label, pids] of Object.entries(await set.pids())) {
    snapshot[label] = new Map(pids.flatMap((pid) => (cpuMsOf(pid) === null ? [] : [[pid, cpuMsOf(pid)!]])));
  }
  const self = process.cpuUsage();
  snapshot["bench client"] = new Map([[process.pid, (self.user + self.system) / 1000]]);
  return snapshot;
}

/**
 * CPU ms each label used between two snapshots. A process present only in `after`
 * (a backend opened meanwhile) counts from zero; one gone by `after` is not counted.
 */
export function cpuBetween(before: CpuSnapshot, after: CpuSnapshot): Record<string, number> {
  return Object.fromEntries(
    Object.entries(after).map(([label, pids]) => {
      let total = 0;
      for (const [pid, ms] of pids) total += ms - (before[label]?.get(pid) ?? 0);
      return [label, total];
    }),
  );
}

export interface DatabaseCounters {
  commits: number;
  rollbacks: number;
}

/** `pg_stat_database` of the bench database; read after the backends went idle (PostgreSQL 15 flushes then). */
export async function databaseCounters(db: Database, name: string): Promise<DatabaseCounters> {
  const [row] = await db.query<{ commits: number; rollbacks: number }>(
    "select xact_commit::float8 as commits, xact_rollback::float8 as rollbacks from pg_stat_database where datname = $1",
    [name],
  );
  return { commits: row?.commits ?? NaN, rollbacks: row?.rollbacks ?? NaN };
}

/**
 * Samples what the bench database's backends are doing (`pg_stat_activity`: state and
 * wait event) every `everyMs` until stopped, and gives the mean number of backends in
 * each, e.g. `idle in transaction (Client:ClientRead)`: a transaction waiting for the
 * app, `active (Lock:transactionid)`: a row lock, `active (cpu)`: running or waiting
 * for a CPU. Where the connections of the pool spend their time, by Little's law.
 */
export function sampleBackends(db: Database, name: string, everyMs = 100): { stop(): Promise<Record<string, number>> } {
  const counts = new Map<string, number>();
  let samples = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      const rows = await db.query<{ what: string; n: number }>(
        `select state || ' (' || coalesce(wait_event_type || ':' || wait_event, 'cpu') || ')' as what, count(*)::int as n
           from pg_stat_activity where datname = $1 and pid <> pg_backend_pid() group by 1`,
        [name],
      );
      for (const row of rows) counts.set(row.what, (counts.get(row.what) ?? 0) + row.n);
      samples++;
      await new Promise((resolve) => setTimeout(resolve, everyMs));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return Object.fromEntries(
        [...counts].sort((a, b) => b[1] - a[1]).map(([what, n]) => [what, samples === 0 ? 0 : n / samples]),
      );
    },
  };
}
