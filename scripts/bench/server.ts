/**
 * The server under test, started exactly as `npm start` starts it (scripts/start.ts:
 * build when the sources changed, the Upstash-REST bridge in front of REDIS_URL, then
 * `next start`), in its own process group so the whole tree stops together.
 */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "..", "..");
const tsxCli = path.join(root, "node_modules", "tsx", "dist", "cli.mjs");

export interface ServerSettings {
  port: number;
  bridgePort: number;
  /** null: embedded mode, PGlite under `dataDir` (prepared by the bench) and the in-memory limiter. */
  databaseUrl: string | null;
  /** null: the server's own default. */
  poolMax: number | null;
  redisUrl: string | null;
  dataDir: string;
  logFile: string;
  /** Record request metrics (the app's default); off to measure what they cost. */
  requestMetrics: boolean;
  /**
   * Off behind a transaction-mode pooler, whose port the server cannot recognise here;
   * unset, the shell's DATABASE_PREPARED_STATEMENTS (default `auto`: on for a direct
   * connection).
   */
  preparedStatements?: boolean;
  /** Where the sandbox posts its webhooks; unset, they are handed over in process. */
  sandboxWebhookUrl?: string;
  /** The address fans use (a balancer in front); unset, the server's own. */
  publicUrl?: string;
}

export interface RunningServer {
  baseUrl: string;
  /** The start script's pid, also its process group's id. */
  pid: number;
  logFile: string;
  /** Stops the server and the bridge (the whole process group). Safe to call twice. */
  stop(): Promise<void>;
  /** kill -9 of the whole process group, as a crash would be; resolves once it exited. */
  kill(): Promise<void>;
  /** Stops echoing the server's output to the terminal; it still goes to the log file. */
  quiet(): void;
}

function canListen(port: number, host?: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once("error", () => resolve(false));
    probe.listen({ port, host, exclusive: true }, () => probe.close(() => resolve(true)));
  });
}

/** True when nothing listens on the port, on any address. */
export async function portIsFree(port: number): Promise<boolean> {
  return (await canListen(port)) && (await canListen(port, "127.0.0.1"));
}

/** A port on 127.0.0.1 nobody listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once("error", reject);
    probe.listen({ port: 0, host: "127.0.0.1" }, () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/**
 * The environment of the server: services mode on the bench database and Redis (or
 * embedded mode on the prepared PGlite directory), sandbox payments, cheap bcrypt, no
 * demo seed (the bench seeded), Server-Timing on every API answer. Settings that would
 * point it at real services are blanked, so a developer's shell cannot leak them in
 * (Next does not let a `.env` file override a variable that is set, even to "").
 */
export function serverEnv(s: ServerSettings): NodeJS.ProcessEnv {
  const origin = `http://127.0.0.1:${s.port}`;
  const publicUrl = s.publicUrl ?? origin;
  const inherited = { ...process.env };
  // The server's own default unless the run names a size.
  delete inherited.DATABASE_POOL_MAX;
  return {
    ...(s.poolMax === null ? {} : { DATABASE_POOL_MAX: String(s.poolMax) }),
    ...inherited,
    PORT: String(s.port),
    APP_URL: publicUrl,
    KOEPON_INTERNAL_URL: origin,
    ...(s.sandboxWebhookUrl ? { SANDBOX_WEBHOOK_URL: s.sandboxWebhookUrl } : {}),
    ...(s.preparedStatements === undefined
      ? {}
      : { DATABASE_PREPARED_STATEMENTS: s.preparedStatements ? "on" : "off" }),
    JWT_ISSUER: publicUrl,
    DATABASE_URL: s.databaseUrl ?? "",
    REDIS_URL: s.redisUrl ?? "",
    RATE_LIMIT_BRIDGE_PORT: String(s.bridgePort),
    KOEPON_DATA_DIR: s.dataDir,
    KOEPON_ALLOW_EMBEDDED: "1",
    KOEPON_DEMO_SEED: "0",
    BCRYPT_COST: "4",
    KOEPON_SERVER_TIMING: "1",
    KOEPON_REQUEST_METRICS: s.requestMetrics ? "1" : "0",
    // The in-process jobs would run their minute's queries in the middle of a pass.
    KOEPON_SCHEDULER: "0",
    // The load generator plays the proxy in front: it connects from loopback and writes
    // each fan's address into X-Forwarded-For, as a trusted proxy would.
    TRUSTED_PROXIES: "127.0.0.1,::1",
    UPSTASH_REDIS_REST_URL: "",
    UPSTASH_REDIS_REST_TOKEN: "",
    STRIPE_SECRET_KEY: "",
    STRIPE_WEBHOOK_SECRET: "",
    STRIPE_API_BASE: "",
    SUPABASE_URL: "",
    SUPABASE_SERVICE_ROLE_KEY: "",
    STORAGE_SIGNING_SECRET: "",
    JWT_SIGNING_KEY: "",
    JWT_VERIFY_KEYS: "",
  };
}

export async function startServer(s: ServerSettings, options: { readyTimeoutMs: number }): Promise<RunningServer> {
  const log = fs.createWriteStream(s.logFile);
  let echo = true;
  const child: ChildProcess = spawn(process.execPath, [tsxCli, "scripts/start.ts"], {
    cwd: root,
    env: serverEnv(s),
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const forward = (chunk: Buffer) => {
    log.write(chunk);
    if (echo) process.stdout.write(chunk.toString().replace(/^(?=.)/gm, "  │ "));
  };
  child.stdout!.on("data", forward);
  child.stderr!.on("data", forward);
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  let running = true;
  void exited.then(() => (running = false));

  let stopping: Promise<void> | null = null;
  const stop = () => {
    stopping ??= (async () => {
      if (running && child.pid !== undefined) {
        signalGroup(child.pid, "SIGTERM");
        const done = await Promise.race([exited.then(() => true), delay(5_000).then(() => false)]);
        if (!done) signalGroup(child.pid, "SIGKILL");
        await exited;
      }
      // Whatever start.ts left behind in the group (it normally takes its children along).
      if (child.pid !== undefined) signalGroup(child.pid, "SIGKILL");
      await new Promise<void>((resolve) => log.end(resolve));
    })();
    return stopping;
  };

  const baseUrl = `http://127.0.0.1:${s.port}`;
  const deadline = Date.now() + options.readyTimeoutMs;
  for (;;) {
    if (!running) {
      await stop();
      throw new Error(`The server exited before it was ready (exit code ${await exited}); log: ${s.logFile}`);
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`The server was not ready within ${options.readyTimeoutMs / 1000} s; log: ${s.logFile}`);
    }
    try {
      const res = await fetch(`${baseUrl}/api/health`, { signal: AbortSignal.timeout(2_000) });
      await res.text();
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    await delay(500);
  }
  return {
    baseUrl,
    pid: child.pid!,
    logFile: s.logFile,
    stop,
    async kill() {
      if (child.pid !== undefined) signalGroup(child.pid, "SIGKILL");
      await exited;
      await new Promise<void>((resolve) => log.end(resolve));
    },
    quiet() {
      echo = false;
    },
  };
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // the group is gone already
  }
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
