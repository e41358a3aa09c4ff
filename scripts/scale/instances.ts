/**
 * The app instances of the scale drill: the server `npm start` runs (scripts/serve.ts,
 * Next behind the front door) from the existing production build, each in its own
 * process group on its own port, all on one database (through the pooler) and one
 * rate-limit store. They share every secret a fleet shares (signing key, webhook and
 * storage secrets, cron secret) through the environment, as serverless instances do,
 * never through a file one of them would create first.
 */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { serverEnv, type ServerSettings } from "../bench/server";

const root = path.resolve(import.meta.dirname, "..", "..");

export interface Instance {
  name: string;
  port: number;
  url: string;
  pid: number;
  alive(): boolean;
  /** kill -9 of the instance's process group, as a crashed machine; resolves once it exited. */
  kill(): Promise<void>;
  stop(): Promise<void>;
}

/** A server that exits while starting (its startup check lost the database, say) is started again, as a supervisor would. */
const START_ATTEMPTS = 3;

class ExitedWhileStarting extends Error {}

export async function startInstance(
  name: string,
  settings: ServerSettings,
  fleetEnv: Record<string, string>,
): Promise<Instance> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(name, settings, fleetEnv);
    } catch (err) {
      if (!(err instanceof ExitedWhileStarting) || attempt === START_ATTEMPTS) throw err;
      console.error(`${err.message}; starting it again (attempt ${attempt + 1} of ${START_ATTEMPTS})`);
    }
  }
}

async function startOnce(name: string, settings: ServerSettings, fleetEnv: Record<string, string>): Promise<Instance> {
  const log = fs.createWriteStream(settings.logFile, { flags: "a" });
  const child: ChildProcess = spawn(process.execPath, ["--import", "tsx", path.join(root, "scripts", "serve.ts")], {
    cwd: root,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      ...serverEnv(settings),
      ...fleetEnv,
      NODE_ENV: "production",
      HOST: "127.0.0.1",
      // The drill migrated before the fleet started; an instance never changes the schema.
      KOEPON_AUTO_MIGRATE: "0",
    },
  });
  child.stdout!.pipe(log);
  child.stderr!.pipe(log);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  let running = true;
  void exited.then(() => (running = false));
  const signal = (sig: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, sig);
    } catch {
      // the group is gone already
    }
  };
  const url = `http://127.0.0.1:${settings.port}`;
  const instance: Instance = {
    name,
    port: settings.port,
    url,
    pid: child.pid!,
    alive: () => running,
    async kill() {
      signal("SIGKILL");
      await exited;
    },
    async stop() {
      if (running) {
        signal("SIGTERM");
        const done = await Promise.race([exited.then(() => true), sleep(5_000).then(() => false)]);
        if (!done) signal("SIGKILL");
        await exited;
      }
      signal("SIGKILL");
    },
  };
  const deadline = Date.now() + 180_000;
  for (;;) {
    if (!running) {
      // The log is in the drill's temporary folder, gone after the run: its end goes with
      // the error (after a moment for the last lines the pipes still carry).
      await sleep(300);
      const tail = fs.readFileSync(settings.logFile, "utf8").trimEnd().split("\n").slice(-15).join("\n");
      throw new ExitedWhileStarting(`${name} exited while starting; the end of its log:\n${tail}`);
    }
    if (Date.now() > deadline) {
      await instance.stop();
      throw new Error(`${name} was not ready within 180 s; log: ${settings.logFile}`);
    }
    const ok = await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(2_000) })
      .then(async (res) => (await res.text(), res.ok))
      .catch(() => false);
    if (ok) return instance;
    await sleep(300);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
