/**
 * A private PgBouncer in transaction pooling mode, as Supabase's pooler (Supavisor) runs
 * in front of production: every instance of the scale drill reaches PostgreSQL through
 * it. The configuration lives in its own folder; PgBouncer refuses to run as root, so
 * there it drops to the postgres user (`-u`), who must be able to read that folder.
 */
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";

export interface PrivatePgBouncer {
  /** DATABASE_URL through the pooler for `database`. */
  url: string;
  stop(): Promise<void>;
}

export function portAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: "127.0.0.1" });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

export async function startPgBouncer(options: {
  port: number;
  /** Where PostgreSQL listens. */
  upstream: { host: string; port: number; user: string };
  database: string;
  /** Server connections per database and user: what the instances share. */
  poolSize: number;
}): Promise<PrivatePgBouncer> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "koepon-pgbouncer-"));
  await fs.chmod(dir, 0o755);
  const { host, port, user } = options.upstream;
  await fs.writeFile(path.join(dir, "userlist.txt"), `"${user}" ""\n`);
  await fs.writeFile(
    path.join(dir, "pgbouncer.ini"),
    `[databases]
${options.database} = host=${host} port=${port} dbname=${options.database}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = ${options.port}
unix_socket_dir =
auth_type = trust
auth_file = ${path.join(dir, "userlist.txt")}
pool_mode = transaction
max_client_conn = 1000
default_pool_size = ${options.poolSize}
server_reset_query =
ignore_startup_parameters = extra_float_digits,options
logfile = ${path.join(dir, "pgbouncer.log")}
pidfile = ${path.join(dir, "pgbouncer.pid")}
`,
  );
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    // Its log and pid file are written after it has dropped to that user.
    const uid = Number(spawnSync("id", ["-u", "postgres"], { encoding: "utf8" }).stdout.trim());
    const gid = Number(spawnSync("id", ["-g", "postgres"], { encoding: "utf8" }).stdout.trim());
    await fs.chown(dir, uid, gid);
  }
  const args = ["-d", ...(asRoot ? ["-u", "postgres"] : []), path.join(dir, "pgbouncer.ini")];
  const code = await new Promise<number | null>((resolve) => {
    const child = spawn("pgbouncer", args, { stdio: "inherit" });
    child.once("exit", resolve);
    child.once("error", () => resolve(127));
  });
  if (code !== 0) throw new Error(`pgbouncer exited ${code} (config in ${dir})`);
  for (let i = 0; i < 50 && !(await portAnswers(options.port)); i++) await new Promise((r) => setTimeout(r, 100));
  if (!(await portAnswers(options.port))) throw new Error(`pgbouncer is not listening on ${options.port}`);
  const url = `postgres://${user}@127.0.0.1:${options.port}/${options.database}?sslmode=disable`;
  return {
    url,
    async stop() {
      const pid = Number(await fs.readFile(path.join(dir, "pgbouncer.pid"), "utf8").catch(() => "0"));
      if (pid > 0) {
        try {
          process.kill(pid, "SIGTERM");
        } catch {
          // gone already
        }
        for (let i = 0; i < 50 && (await portAnswers(options.port)); i++) await new Promise((r) => setTimeout(r, 100));
      }
      await fs.rm(dir, { recursive: true, force: true });
    },
  };
}
