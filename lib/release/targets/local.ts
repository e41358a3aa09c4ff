/**
 * The local release target: two servers (the one `npm start` runs, scripts/serve.ts),
 * blue and green, each serving its own copy of a build on its own port, behind HAProxy. HAProxy sends production
 * traffic to the live colour's backend, where the other colour waits as a backup
 * server: if the live process dies, HAProxy's health checks move traffic to the backup
 * within a second, before the release watch even decides to roll back.
 *
 * Switching is one runtime-API command (`set map`): requests already in flight finish
 * where they are, the next request goes to the new colour, and no connection is
 * dropped. The target keeps its state (which colour serves which release) in a folder,
 * so `npm run release` and `npm run release -- --rollback` can run as separate commands.
 *
 * Each colour serves from `.next-<colour>` in the project folder, beside `.next`: a
 * build's server chunks reach packages through links relative to that depth.
 */
import { spawn } from "node:child_process";
import fs from "node:fs/promises";
import net from "node:net";
import path from "node:path";
import { otherColour, type Colour, type Deployment, type ReleaseTarget } from "./types";

export interface LocalTargetOptions {
  /** Where the proxy's configuration, socket, logs and the state file live. */
  dir: string;
  /** The project folder (the build's links assume it). @default process.cwd() */
  projectDir?: string;
  /** The production address's port (HAProxy). */
  port: number;
  ports: Record<Colour, number>;
  /** Settings for both colours' servers (database, Redis, data folder…). */
  env: Record<string, string | undefined>;
  /** @default 120000 */
  startTimeoutMs?: number;
  /** The build each deploy copies. @default "<projectDir>/.next" */
  build?: string;
  /** The HAProxy binary. @default "haproxy" */
  haproxy?: string;
  log?: (line: string) => void;
}

interface ColourState {
  releaseId: string;
  pid: number;
}

interface State {
  live: Colour | null;
  colours: Partial<Record<Colour, ColourState>>;
}

const COLOURS: Colour[] = ["blue", "green"];

export class LocalTarget implements ReleaseTarget {
  readonly name = "local";
  readonly productionUrl: string;
  readonly bypassHeaders = {};
  private readonly projectDir: string;
  private readonly log: (line: string) => void;

  constructor(private readonly options: LocalTargetOptions) {
    this.productionUrl = `http://127.0.0.1:${options.port}`;
    this.projectDir = options.projectDir ?? process.cwd();
    this.log = options.log ?? (() => {});
    this.build = options.build ?? path.join(this.projectDir, ".next");
  }

  colourUrl(colour: Colour): string {
    return `http://127.0.0.1:${this.options.ports[colour]}`;
  }

  async state(): Promise<{ serving: Deployment | null; standby: Deployment | null }> {
    const state = await this.readState();
    const deployment = (colour: Colour | null): Deployment | null => {
      const c = colour ? state.colours[colour] : undefined;
      return colour && c && isAlive(c.pid) ? { colour, releaseId: c.releaseId, url: this.colourUrl(colour) } : null;
    };
    return { serving: deployment(state.live), standby: state.live ? deployment(otherColour(state.live)) : null };
  }

  /** Starts HAProxy (when it is not running) with no colour live yet. */
  async startProxy(): Promise<void> {
    await fs.mkdir(this.options.dir, { recursive: true });
    if (await this.proxyAlive()) return;
    const state = await this.readState();
    await fs.writeFile(this.file("live.map"), `live bk_${state.live ?? "blue"}\n`);
    await fs.writeFile(this.file("haproxy.cfg"), this.proxyConfig());
    await run(this.options.haproxy ?? "haproxy", ["-c", "-f", this.file("haproxy.cfg")]);
    await run(this.options.haproxy ?? "haproxy", [
      "-D",
      "-f",
      this.file("haproxy.cfg"),
      "-p",
      this.file("haproxy.pid"),
    ]);
    for (let i = 0; i < 50 && !(await this.proxyAlive()); i++) await delay(100);
    if (!(await this.proxyAlive())) throw new Error("HAProxy did not start");
    // Until a colour has been deployed, its servers stay out of every backend.
    for (const colour of COLOURS) {
      if (!state.colours[colour]) await this.setServerState(colour, "maint");
    }
  }

  /** The build the next deploy copies (the drill points it at a broken one). */
  build: string;

  async deploy(colour: Colour, releaseId: string): Promise<Deployment> {
    const build = this.build;
    await this.startProxy();
    // Out of the backends first: a colour being replaced must not catch fallback traffic.
    await this.setServerState(colour, "maint");
    await this.stopColour(colour);

    const distDir = `.next-${colour}`;
    await fs.rm(path.join(this.projectDir, distDir), { recursive: true, force: true });
    // `cp -a` (links kept as they are), not fs.cp: Node 20's fs.promises.cp once stopped
    // half way through this copy under load, its promise never settling.
    await run("cp", ["-a", build, path.join(this.projectDir, distDir)]);

    const logFile = await fs.open(this.file(`${colour}.log`), "a");
    // The server `npm start` runs: Next behind the front door (scripts/serve.ts).
    const child = spawn(process.execPath, ["--import", "tsx", path.join(this.projectDir, "scripts", "serve.ts")], {
      cwd: this.projectDir,
      detached: true,
      stdio: ["ignore", logFile.fd, logFile.fd],
      env: {
        ...(this.options.env as NodeJS.ProcessEnv),
        NODE_ENV: "production",
        HOST: "127.0.0.1",
        PORT: String(this.options.ports[colour]),
        KOEPON_DIST_DIR: distDir,
        KOEPON_COMMIT_SHA: releaseId,
        // The release migrates before it deploys; a colour never changes the schema itself.
        KOEPON_AUTO_MIGRATE: "0",
        KOEPON_DEMO_SEED: "0",
        APP_URL: this.productionUrl,
      },
    });
    child.unref();
    await logFile.close();
    const state = await this.readState();
    state.colours[colour] = { releaseId, pid: child.pid! };
    await this.writeState(state);

    const url = this.colourUrl(colour);
    const deadline = Date.now() + (this.options.startTimeoutMs ?? 120_000);
    while (Date.now() < deadline) {
      if (!isAlive(child.pid!)) throw new Error(`${colour} exited while starting (see ${this.file(`${colour}.log`)})`);
      const answer = await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(2_000) })
        .then((res) => (res.ok ? (res.json() as Promise<{ releaseId?: string }>) : null))
        .catch(() => null);
      if (answer?.releaseId === releaseId) return { colour, releaseId, url };
      await delay(250);
    }
    throw new Error(`${colour} did not answer as ${releaseId} within ${this.options.startTimeoutMs ?? 120_000} ms`);
  }

  async switchTo(colour: Colour): Promise<void> {
    const state = await this.readState();
    if (!state.colours[colour] || !isAlive(state.colours[colour]!.pid)) throw new Error(`${colour} is not running`);
    await this.setServerState(colour, "ready");
    await this.command(`set map ${this.file("live.map")} live bk_${colour}`);
    await fs.writeFile(this.file("live.map"), `live bk_${colour}\n`);
    state.live = colour;
    await this.writeState(state);
    this.log(`switch: production → ${colour} (${state.colours[colour]!.releaseId})`);
  }

  async discard(colour: Colour): Promise<void> {
    const state = await this.readState();
    if (state.live === colour) throw new Error(`${colour} is live; switch away from it first`);
    // Drained first: no new request reaches it, and it is stopped once those it is
    // answering are done (or after 30 s).
    await this.setServerState(colour, "drain");
    for (let i = 0; i < 300 && (await this.sessions(colour)) > 0; i++) await delay(100);
    await this.setServerState(colour, "maint");
    await this.stopColour(colour);
    delete state.colours[colour];
    await this.writeState(state);
  }

  async traffic(colour: Colour): Promise<{ requests: number; errors5xx: number } | null> {
    if (!(await this.proxyAlive())) return null;
    const rows = await this.serverStats(colour);
    const sum = (keys: string[]) => rows.reduce((n, row) => n + keys.reduce((m, k) => m + Number(row[k] || 0), 0), 0);
    return {
      requests: sum(["hrsp_1xx", "hrsp_2xx", "hrsp_3xx", "hrsp_4xx", "hrsp_5xx", "hrsp_other"]),
      errors5xx: sum(["hrsp_5xx"]),
    };
  }

  /** Requests a colour is answering now, in both backends. */
  private async sessions(colour: Colour): Promise<number> {
    return (await this.serverStats(colour)).reduce((n, row) => n + Number(row.scur || 0), 0);
  }

  /** HAProxy's statistics rows of a colour's server (one per backend). */
  private async serverStats(colour: Colour): Promise<Record<string, string>[]> {
    const lines = (await this.command("show stat")).replace(/^# /, "").trim().split("\n");
    const header = lines[0]!.split(",");
    return lines
      .slice(1)
      .map((line) => Object.fromEntries(line.split(",").map((value, i) => [header[i]!, value])))
      .filter((row) => row.svname === colour);
  }

  /** Stops both colours and the proxy. */
  async stopAll(): Promise<void> {
    for (const colour of COLOURS) await this.stopColour(colour);
    const pid = Number(await fs.readFile(this.file("haproxy.pid"), "utf8").catch(() => "0"));
    if (pid && isAlive(pid)) process.kill(pid, "SIGTERM");
    await fs.rm(this.file("state.json"), { force: true });
  }

  /** The process of a colour (the drill kills it to play a crash). */
  async pidOf(colour: Colour): Promise<number | null> {
    return (await this.readState()).colours[colour]?.pid ?? null;
  }

  private async stopColour(colour: Colour): Promise<void> {
    const pid = (await this.readState()).colours[colour]?.pid;
    if (!pid || !isAlive(pid)) return;
    // The server stops taking connections on SIGTERM and exits when the requests in
    // flight are answered.
    killGroup(pid, "SIGTERM");
    for (let i = 0; i < 300 && isAlive(pid); i++) await delay(100);
    if (isAlive(pid)) killGroup(pid, "SIGKILL");
  }

  /** A colour's server in both backends: the live one and, as the backup, the other. */
  private async setServerState(colour: Colour, state: "ready" | "drain" | "maint"): Promise<void> {
    for (const backend of COLOURS) await this.command(`set server bk_${backend}/${colour} state ${state}`);
  }

  private proxyConfig(): string {
    const server = (colour: Colour, backup: boolean) =>
      `  server ${colour} 127.0.0.1:${this.options.ports[colour]} check${backup ? " backup" : ""}`;
    return `global
  stats socket ${this.file("haproxy.sock")} mode 600 level admin
  maxconn 2000

defaults
  mode http
  timeout connect 2s
  timeout client 60s
  timeout server 60s
  timeout http-keep-alive 10s
  timeout queue 10s
  option forwardfor
  # A fresh server connection per request: a stopping colour closes its idle keep-alive
  # connections, and a request sent down one at that instant would have nowhere to go.
  option http-server-close
  # A request that found its server gone is tried again, on the other server when
  # the first is marked down: how a crash of the live colour costs no request.
  retries 3
  option redispatch 1
  retry-on conn-failure empty-response response-timeout

frontend production
  bind 127.0.0.1:${this.options.port}
  # Retrying a request that had a body could run it twice.
  http-request disable-l7-retry unless METH_GET || METH_HEAD || METH_OPTIONS
  http-response set-header X-Koepon-Colour %s
  use_backend %[str(live),map(${this.file("live.map")})]

${COLOURS.map(
  (live) => `backend bk_${live}
  option httpchk GET /api/health
  http-check expect status 200
  # A busy server may answer a check slowly and is still up; a dead one refuses at once,
  # and after the first failure checks come every 250 ms, so it is out within a second.
  timeout check 5s
  default-server inter 1s fastinter 250ms fall 3 rise 2
${server(live, false)}
${server(otherColour(live), true)}
`,
).join("\n")}`;
  }

  private async proxyAlive(): Promise<boolean> {
    return this.command("show info")
      .then(() => true)
      .catch(() => false);
  }

  private command(line: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(this.file("haproxy.sock"));
      let out = "";
      socket.setTimeout(5_000, () => socket.destroy(new Error(`HAProxy did not answer ${line}`)));
      socket.on("connect", () => socket.end(`${line}\n`));
      socket.on("data", (chunk) => (out += chunk.toString()));
      socket.on("end", () => resolve(out));
      socket.on("error", reject);
    });
  }

  private file(name: string): string {
    return path.join(this.options.dir, name);
  }

  private async readState(): Promise<State> {
    const text = await fs.readFile(this.file("state.json"), "utf8").catch(() => null);
    return text ? (JSON.parse(text) as State) : { live: null, colours: {} };
  }

  private async writeState(state: State): Promise<void> {
    await fs.writeFile(this.file("state.json"), JSON.stringify(state, null, 2));
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function run(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] });
    let err = "";
    child.stdout.on("data", (chunk) => (err += chunk.toString()));
    child.stderr.on("data", (chunk) => (err += chunk.toString()));
    child.on("error", reject);
    child.on("exit", (code) =>
      code === 0 ? resolve() : reject(new Error(`${command} exited ${code}: ${err.trim()}`)),
    );
  });
}
