/**
 * The drill's private services, which it may stop and kill: a redis-server without
 * persistence on its own port, and PostgreSQL restarts through pg_ctl on the throwaway
 * cluster of scripts/dr/cluster.ts.
 */
import { spawn, type ChildProcess } from "node:child_process";
import net from "node:net";
import { postgresProgram, runProgram } from "../../lib/backup/postgres-tools";

export interface PrivateRedis {
  url: string;
  stop(): Promise<void>;
  start(): Promise<void>;
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: "127.0.0.1" });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

export async function startPrivateRedis(port: number): Promise<PrivateRedis> {
  let child: ChildProcess | null = null;
  const start = async () => {
    child = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], {
      stdio: "ignore",
    });
    for (let i = 0; i < 100 && !(await listening(port)); i++) await new Promise((r) => setTimeout(r, 100));
    if (!(await listening(port))) throw new Error(`redis-server did not start on port ${port}`);
  };
  const stop = async () => {
    const c = child as ChildProcess | null;
    if (!c || c.exitCode !== null) return;
    const exited = new Promise((resolve) => c.once("exit", resolve));
    c.kill("SIGTERM");
    await exited;
    child = null;
  };
  await start();
  return { url: `redis://127.0.0.1:${port}`, start, stop };
}

const osUser = () => (process.getuid?.() === 0 ? "postgres" : undefined);

/** pg_ctl restart of the cluster in `dataDir`, in the given shutdown mode. */
export async function restartPostgres(dataDir: string, logFile: string, mode: "fast" | "immediate"): Promise<void> {
  await runProgram(postgresProgram("pg_ctl", null), ["-D", dataDir, "-l", logFile, "-m", mode, "-w", "restart"], {
    asUser: osUser(),
  });
}
