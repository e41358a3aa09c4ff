/**
 * The drill's own PostgreSQL: a throwaway cluster in a temp folder, on its own port,
 * archiving every WAL segment, that the drill may crash and delete. Never the shared
 * server. PostgreSQL refuses to run as root, so under root every server program runs
 * as the `postgres` OS user and the folders are handed to it.
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs/promises";
import net from "node:net";
import path from "node:path";
import pg from "pg";
import { postgresProgram, runProgram } from "../../lib/backup/postgres-tools";

export interface ClusterOptions {
  /** Holds data directories, the WAL archive and the base backup. */
  root: string;
  binDir: string | null;
  /** Forces a WAL segment switch at least this often, so the archive lags by no more. */
  archiveTimeoutSeconds: number;
}

export interface Cluster {
  dataDir: string;
  port: number;
  /** Superuser URL of a database on this cluster. */
  url(database: string): string;
  /** An immediate stop, as a crash would be; the data directory is left as it is. */
  crash(): Promise<void>;
  stop(): Promise<void>;
}

const osUser = () => (process.getuid?.() === 0 ? "postgres" : undefined);

async function handOver(dir: string): Promise<void> {
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  const user = osUser();
  if (user) execFileSync("chown", ["-R", `${user}:`, dir]);
}

/** A port nobody listens on right now (the kernel's pick). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export function archiveDir(options: ClusterOptions): string {
  return path.join(options.root, "wal-archive");
}

/** initdb, WAL archiving on, started. */
export async function createCluster(options: ClusterOptions, port: number): Promise<Cluster> {
  const dataDir = path.join(options.root, "primary");
  await handOver(options.root);
  await handOver(archiveDir(options));
  await runProgram(
    postgresProgram("initdb", options.binDir),
    ["-D", dataDir, "-U", "postgres", "--auth=trust", "--encoding=UTF8", "--locale=C"],
    { asUser: osUser() },
  );
  const archive = archiveDir(options);
  await fs.appendFile(
    path.join(dataDir, "postgresql.conf"),
    [
      "",
      "# Recovery drill",
      `port = ${port}`,
      "listen_addresses = '127.0.0.1'",
      // TCP only: no socket or lock file lands in the data directory the base backup copies.
      "unix_socket_directories = ''",
      "wal_level = replica",
      "archive_mode = on",
      `archive_command = 'test ! -f ${archive}/%f && cp %p ${archive}/%f'`,
      `archive_timeout = ${options.archiveTimeoutSeconds}`,
      "max_wal_senders = 4",
      "max_connections = 50",
      "",
    ].join("\n"),
  );
  return start(options, dataDir, port);
}

async function start(options: ClusterOptions, dataDir: string, port: number): Promise<Cluster> {
  const pgCtl = postgresProgram("pg_ctl", options.binDir);
  await runProgram(
    pgCtl,
    ["-D", dataDir, "-l", path.join(options.root, `${path.basename(dataDir)}.log`), "-w", "start"],
    {
      asUser: osUser(),
    },
  );
  const url = (database: string) => `postgres://postgres@127.0.0.1:${port}/${database}?sslmode=disable`;
  let running = true;
  const stopWith = async (mode: "fast" | "immediate") => {
    if (!running) return;
    running = false;
    await runProgram(pgCtl, ["-D", dataDir, "-m", mode, "-w", "stop"], { asUser: osUser() });
  };
  return { dataDir, port, url, crash: () => stopWith("immediate"), stop: () => stopWith("fast") };
}

/** pg_basebackup of the running cluster, with the WAL it needs to be consistent. */
export async function takeBaseBackup(options: ClusterOptions, cluster: Cluster): Promise<string> {
  const dest = path.join(options.root, "base-backup");
  await handOver(dest);
  await runProgram(
    postgresProgram("pg_basebackup", options.binDir),
    ["-h", "127.0.0.1", "-p", String(cluster.port), "-U", "postgres", "-D", dest, "-X", "stream", "-c", "fast"],
    { asUser: osUser() },
  );
  return dest;
}

/**
 * The newest instant point-in-time recovery can reach: the last commit in the WAL
 * archive (what the lost server had not archived yet is gone with it). PostgreSQL
 * refuses a target past the end of the archive, so an operator reads this first.
 */
export async function lastArchivedCommit(options: ClusterOptions): Promise<Date> {
  const archive = archiveDir(options);
  const segments = (await fs.readdir(archive)).filter((f) => /^[0-9A-F]{24}$/.test(f)).sort();
  for (const segment of segments.reverse()) {
    const out = await runProgram(
      postgresProgram("pg_waldump", options.binDir),
      ["--rmgr=Transaction", path.join(archive, segment)],
      { asUser: osUser() },
    ).catch((err: { stderr?: string }) => err.stderr ?? "");
    const commits = [...out.matchAll(/COMMIT (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+) UTC/g)].map((m) => m[1]!);
    if (commits.length > 0) return new Date(`${commits.at(-1)!.replace(" ", "T")}Z`);
  }
  throw new Error(`No commit found in the WAL archive ${archive}.`);
}

/**
 * Point-in-time recovery: a copy of the base backup, replaying archived WAL up to
 * `target`, then promoted to a primary that takes writes.
 */
export async function recoverToPointInTime(
  options: ClusterOptions,
  baseBackup: string,
  target: Date,
  port: number,
): Promise<Cluster> {
  const dataDir = path.join(options.root, "recovered");
  await fs.cp(baseBackup, dataDir, { recursive: true });
  await handOver(dataDir);
  const archive = archiveDir(options);
  await fs.appendFile(
    path.join(dataDir, "postgresql.conf"),
    [
      "",
      "# Point-in-time recovery",
      `port = ${port}`,
      "archive_mode = off",
      `restore_command = 'cp ${archive}/%f %p'`,
      `recovery_target_time = '${target.toISOString().replace("T", " ").replace("Z", "+00")}'`,
      "recovery_target_action = 'promote'",
      "",
    ].join("\n"),
  );
  await fs.writeFile(path.join(dataDir, "recovery.signal"), "");
  await fs.chmod(dataDir, 0o700);
  await handOver(dataDir);
  const cluster = await start(options, dataDir, port);
  await waitForPromotion(cluster.url("postgres"));
  return cluster;
}

async function waitForPromotion(url: string): Promise<void> {
  for (let attempt = 0; attempt < 600; attempt++) {
    const client = new pg.Client({ connectionString: url });
    try {
      await client.connect();
      const { rows } = await client.query<{ recovering: boolean }>("select pg_is_in_recovery() as recovering");
      if (!rows[0]!.recovering) return;
    } catch {
      // Still starting up or replaying: try again.
    } finally {
      await client.end().catch(() => {});
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error("The recovered cluster did not finish recovery within 60 s.");
}

export async function createDatabase(cluster: Cluster, name: string): Promise<string> {
  const client = new pg.Client({ connectionString: cluster.url("postgres") });
  await client.connect();
  try {
    await client.query(`create database ${pg.escapeIdentifier(name)}`);
  } finally {
    await client.end();
  }
  return cluster.url(name);
}
