/**
 * A private PgBouncer in transaction pooling mode, the way Supabase's pooler (Supavisor)
 * serves the app in production: every transaction may run on a different server
 * connection, so nothing may rely on session state. CI runs the test suite through
 * one, and the bench and drills can put one in front of their database.
 *
 * It listens on 127.0.0.1 only, trusts its clients (auth_type trust, the user still
 * named in its userlist), and forwards any database name to the upstream server.
 * Everything it needs (ini, userlist, pid file, log) lives in its own temp folder,
 * handed to the `postgres` OS user under root, since PgBouncer refuses to run as root.
 */
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";

export interface PgBouncerOptions {
  /** Port to listen on (127.0.0.1). */
  port: number;
  /** The PostgreSQL it pools: host and port, as in `postgres://user@host:port/db`. */
  upstream: string;
  /** Server connections per database and user. @default 20 */
  poolSize?: number;
  /** Client connections it accepts in all. @default 1000 */
  maxClientConn?: number;
  /** @default /usr/sbin/pgbouncer, else `pgbouncer` on PATH */
  program?: string;
}

export interface PgBouncer {
  port: number;
  /** The folder holding its ini, userlist, pid file and log. */
  dir: string;
  /** `upstream` with host and port replaced by PgBouncer's (user, database and query kept). */
  url: string;
  /** Stops the daemon (SIGTERM, then SIGKILL after 5 s) and removes its folder. */
  stop(): Promise<void>;
}

const PROGRAM_CANDIDATES = ["/usr/sbin/pgbouncer", "/usr/bin/pgbouncer"];

export function pgbouncerProgram(): string {
  return PROGRAM_CANDIDATES.find((p) => fs.existsSync(p)) ?? "pgbouncer";
}

/** The folder a PgBouncer on `port` keeps its files in, so `stop` finds it by port alone. */
export function pgbouncerDir(port: number): string {
  return path.join(os.tmpdir(), `koepon-pgbouncer-${port}`);
}

/** The ini and userlist for `options`; kept free of I/O so they are unit-tested. */
export function pgbouncerConfig(options: PgBouncerOptions, dir: string): { ini: string; userlist: string } {
  const upstream = new URL(options.upstream);
  const user = decodeURIComponent(upstream.username || "postgres");
  const host = upstream.hostname || "127.0.0.1";
  const port = upstream.port || "5432";
  const ini = [
    "[databases]",
    // Any database name the client asks for, on the upstream server (test files each
    // create their own database).
    `* = host=${host} port=${port}`,
    "",
    "[pgbouncer]",
    "listen_addr = 127.0.0.1",
    `listen_port = ${options.port}`,
    // TCP only: nothing of ours lands in the shared /var/run/postgresql.
    "unix_socket_dir =",
    `pidfile = ${path.join(dir, "pgbouncer.pid")}`,
    `logfile = ${path.join(dir, "pgbouncer.log")}`,
    "auth_type = trust",
    `auth_file = ${path.join(dir, "userlist.txt")}`,
    "pool_mode = transaction",
    `max_client_conn = ${options.maxClientConn ?? 1000}`,
    `default_pool_size = ${options.poolSize ?? 20}`,
    // Idle server connections of a finished test file's database go back soon, so a run
    // of many throwaway databases does not hold the server's connection slots.
    "server_idle_timeout = 10",
    "autodb_idle_timeout = 30",
    // node-postgres names these at start-up; PgBouncer tracks neither across servers.
    "ignore_startup_parameters = extra_float_digits,options",
    "log_connections = 0",
    "log_disconnections = 0",
    "admin_users = " + user,
    "",
  ].join("\n");
  return { ini, userlist: `"${user}" ""\n` };
}

/** Whether something accepts TCP connections on 127.0.0.1:`port`. */
export function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: "127.0.0.1" });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

const runAs = () => (process.getuid?.() === 0 ? "postgres" : undefined);

/** Starts PgBouncer as a daemon and resolves once it accepts connections. */
export async function startPgBouncer(options: PgBouncerOptions): Promise<PgBouncer> {
  if (await listening(options.port)) throw new Error(`Port ${options.port} is already in use`);
  const dir = pgbouncerDir(options.port);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const { ini, userlist } = pgbouncerConfig(options, dir);
  const iniFile = path.join(dir, "pgbouncer.ini");
  fs.writeFileSync(iniFile, ini);
  fs.writeFileSync(path.join(dir, "userlist.txt"), userlist);
  const user = runAs();
  if (user) execFileSync("chown", ["-R", `${user}:`, dir]);

  const program = options.program ?? pgbouncerProgram();
  const started = spawnSync(program, ["-d", "-q", ...(user ? ["-u", user] : []), iniFile], { encoding: "utf8" });
  if (started.error) throw new Error(`${program}: ${started.error.message}`);
  if (started.status !== 0) throw new Error(`${program} exited with ${started.status}: ${started.stderr.trim()}`);
  for (let i = 0; i < 100 && !(await listening(options.port)); i++) await sleep(50);
  if (!(await listening(options.port))) {
    throw new Error(`PgBouncer did not listen on ${options.port}: ${readLog(dir).slice(-2000)}`);
  }

  const url = new URL(options.upstream);
  url.hostname = "127.0.0.1";
  url.port = String(options.port);
  return { port: options.port, dir, url: url.toString(), stop: () => stopPgBouncer(options.port) };
}

/** Stops the PgBouncer started on `port` by `startPgBouncer` (this process or another). */
export async function stopPgBouncer(port: number): Promise<void> {
  const dir = pgbouncerDir(port);
  const pid = readPid(dir);
  if (pid !== null && alive(pid)) {
    process.kill(pid, "SIGTERM");
    for (let i = 0; i < 100 && alive(pid); i++) await sleep(50);
    if (alive(pid)) process.kill(pid, "SIGKILL");
  }
  fs.rmSync(dir, { recursive: true, force: true });
}

function readPid(dir: string): number | null {
  try {
    const pid = Number(fs.readFileSync(path.join(dir, "pgbouncer.pid"), "utf8").trim());
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

function readLog(dir: string): string {
  try {
    return fs.readFileSync(path.join(dir, "pgbouncer.log"), "utf8");
  } catch {
    return "(no log)";
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
