/**
 * `npm run bench`: the paid pull beside the framework's own ceilings, in one run, with
 * one client, on each engine.
 *
 * Per engine (services mode on PostgreSQL and Redis; embedded mode on PGlite):
 * 1. A throwaway database (`koepon_bench_<timestamp>` on the DATABASE_URL server, or a
 *    PGlite directory in a temp folder): migrated, the demo catalog seeded, and two
 *    groups of `--fans` adult fans inserted by the service role (bcrypt cost 4), the
 *    pulling group with a committed seed each, as returning fans have.
 * 2. The server as `npm start` runs it, with Server-Timing on; every fan signs in
 *    through `POST /api/auth/login` (real RS256 tokens).
 * 3. For each `--concurrency` point, `--repeats` times: `GET /api/health` (the gate and
 *    the framework), `GET /api/me` (gate, limiter, the route's token check and user
 *    read) and the single pull, each closed loop: `--ramp` seconds unmeasured, then
 *    `--duration` seconds measured. Each figure is the median over the repeats.
 *    Per pull: Server-Timing steps, statements and transactions per request and per
 *    pull (webhooks included), round trips to PostgreSQL per pull, PostgreSQL's
 *    commits, pool wait, event-loop delay, CPU and run-queue ms per process, and the
 *    bench database's backends by wait event.
 * 4. Open loop: pulls at each `--rates` per minute for `--duration` seconds.
 * 5. Services mode: the pull at the highest concurrency with request metrics off and
 *    on (a server each, on `--port` and the port after it, roles rotating), loaded at
 *    once: the time the "on" server counted recording against its CPU (the cost held to
 *    the 3 % budget), and end to end the median of paired differences in throughput and
 *    CPU per pull, with their range and the setup's own effect.
 * 6. The books: every 201 is a fulfilled purchase, and nothing else is but requests the
 *    client stopped waiting for.
 *
 * It prints, and exits 1 only when the books do not match or a phase cannot run;
 * nothing asserts on timings. Only ratios within one run mean anything on a shared box.
 */
import { randomBytes } from "node:crypto";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import Redis from "ioredis";
import type { DatabaseConfig } from "../lib/config";
import { databaseEnv, preparedStatementsFor } from "../lib/config/database";
import { readEnv } from "../lib/config/env";
import type { Database } from "../lib/db";
import {
  benchPassword,
  commitSeeds,
  createBenchDatabase,
  insertFans,
  openDatabase,
  prepareSchemaAndCatalog,
  purchaseStatuses,
  type BenchUser,
} from "./bench/database";
import {
  benchAddress,
  cancelled,
  closedLoop,
  eachLimited,
  FanPool,
  healthRequest,
  meRequest,
  openLoop,
  PULL_BUDGETS,
  pullRequest,
  READ_BUDGETS,
  signIn,
  type Fan,
  type PassResult,
  type Send,
} from "./bench/load";
import { parseOptions, UsageError, type BenchOptions, type Engine } from "./bench/options";
import {
  cpuBetween,
  cpuPressureUs,
  cpuSnapshot,
  databaseCounters,
  runQueueSnapshot,
  sampleBackends,
  serverProcesses,
  type ProcessSet,
} from "./bench/probe";
import {
  formatEngine,
  formatHeader,
  machine,
  openLoopFigures,
  ratios,
  requestCosts,
  routeFigures,
  type BenchReport,
  type EngineReport,
  metricsFigures,
  type MetricsCost,
  type MetricsPair,
  type MetricsPass,
  type OpenLoopFigures,
  type Point,
} from "./bench/report";
import { freePort, portIsFree, startServer, delay, type RunningServer } from "./bench/server";
import { medianOf, parseServerTiming } from "./bench/stats";

/** Tokens live 15 minutes; fans sign in again before a pass once theirs are this old. */
const TOKEN_REFRESH_MS = 10 * 60_000;
/** PostgreSQL 15 flushes an idle backend's counters within 10 s; read pg_stat_database after that. */
const STATS_SETTLE_MS = 11_000;

// Undone last first, each at most once, on success, failure and Ctrl-C alike.
const cleanups: { what: string; run: () => Promise<unknown> }[] = [];
let cleaning: Promise<void> | null = null;
let interrupted = false;

function cleanUp(): Promise<void> {
  cleaning ??= (async () => {
    for (const step of cleanups.reverse()) {
      try {
        await step.run();
      } catch (err) {
        console.error(`Cleanup: could not ${step.what}: ${(err as Error).message}`);
      }
    }
  })();
  return cleaning;
}

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    if (interrupted) return;
    interrupted = true;
    cancelled.abort();
    console.error(`\n${signal}: stopping the server and dropping the bench database…`);
    void cleanUp().finally(() => process.exit(130));
  });
}

interface Prepared {
  /** The bench's own handle while the server is down (PGlite) or beside it (PostgreSQL). */
  open(): Promise<Database>;
  serverDatabaseUrl: string | null;
  /** For pg_stat_activity and pg_stat_database: a connection to another database of the same server. */
  probe: { db: Database; name: string } | null;
  campaigns: string[];
  pullFans: BenchUser[];
  readFans: BenchUser[];
}

async function prepare(engine: Engine, options: BenchOptions, dataDir: string, hash: string): Promise<Prepared> {
  let database: DatabaseConfig;
  let probe: Prepared["probe"] = null;
  if (engine === "postgres") {
    const bench = await createBenchDatabase(options.databaseUrl);
    cleanups.push({ what: `drop database ${bench.name}`, run: () => bench.drop() });
    database = { kind: "postgres", url: bench.url, poolMax: 4 };
    const probeDb = await openDatabase({ kind: "postgres", url: options.databaseUrl, poolMax: 1 });
    cleanups.push({ what: "close the probe connection", run: () => probeDb.close() });
    probe = { db: probeDb, name: bench.name };
    console.log(
      `[${engine}] database ${bench.name}: migrating, seeding the demo catalog and ${2 * options.fans} fans…`,
    );
  } else {
    database = { kind: "pglite", dir: path.join(dataDir, "pglite") };
    console.log(`[${engine}] ${database.dir}: migrating, seeding the demo catalog and ${2 * options.fans} fans…`);
  }
  const db = await openDatabase(database);
  try {
    const campaigns = await prepareSchemaAndCatalog(db, database, path.join(dataDir, "storage"));
    const pullFans = await insertFans(db, "pull", options.fans, hash);
    await commitSeeds(db, pullFans);
    const readFans = await insertFans(db, "read", options.fans, hash);
    return {
      open: () => openDatabase(database),
      serverDatabaseUrl: database.kind === "postgres" ? database.url : null,
      probe,
      campaigns,
      pullFans,
      readFans,
    };
  } finally {
    // PGlite: the server must own the directory alone.
    await db.close();
  }
}

/** Everything one engine's server needs while it runs. */
interface Session {
  server: RunningServer;
  processes: ProcessSet;
  pullPool: FanPool;
  readPool: FanPool;
  fans: Fan[];
  pull: Send;
  /** Successful pull answers, warm-up and ramps included, and those with no answer (client timeout), for the books. */
  pullsAnsweredOk: { n: number; unknown: number };
}

async function main(options: BenchOptions): Promise<number> {
  if (!(await portIsFree(options.port))) {
    throw new Error(`Port ${options.port} is already in use: stop whatever listens there or pass --port <free port>.`);
  }
  if (options.metricsPass && options.engines.includes("postgres") && !(await portIsFree(options.port + 1))) {
    throw new Error(
      `Port ${options.port + 1} (the metrics pass's second server) is already in use: pass another --port.`,
    );
  }
  const runId = randomBytes(4).toString("hex");
  const tmp = await fs.mkdtemp(path.join(os.tmpdir(), "koepon-bench-"));
  cleanups.push({ what: `remove ${tmp}`, run: () => fs.rm(tmp, { recursive: true, force: true }) });
  const { password, hash } = await benchPassword();
  const header = {
    machine: machine(await serviceVersions(options)),
    settings: {
      concurrency: options.concurrency,
      repeats: options.repeats,
      durationSeconds: options.durationSeconds,
      rampSeconds: options.rampSeconds,
      fansPerGroup: options.fans,
      ratesPerMinute: options.ratesPerMinute,
      engines: options.engines,
      poolMax: options.poolMax ?? "server default",
    },
  };
  console.log(formatHeader(header));

  const engines: EngineReport[] = [];
  let problems = 0;
  for (const engine of options.engines) {
    const report = await runEngine(engine, options, path.join(tmp, engine), password, hash, runId);
    console.log(formatEngine(report));
    const { fulfilled, answeredOk, unanswered } = report.books;
    // Every 201 is a fulfilled purchase; a request the client gave up on may be one too.
    if (fulfilled < answeredOk || fulfilled > answeredOk + unanswered) {
      console.error(
        `FAILED [${engine}] books: ${fulfilled} fulfilled for ${answeredOk} answered 201 and ${unanswered} unanswered`,
      );
      problems++;
    }
    engines.push(report);
  }

  const main = engines[0]!;
  const point = main.points.find((p) => p.concurrency === 50) ?? main.points.at(-1)!;
  const report: BenchReport = {
    concurrency: point.concurrency,
    health: point.health,
    authRoute: point.authRoute,
    pull: point.pull,
    ratios: point.ratios,
    ...header,
    engines,
  };
  if (options.json) {
    await fs.writeFile(options.json, `${JSON.stringify(report, null, 2)}\n`);
    console.log(`Wrote ${options.json}`);
  }
  return problems > 0 ? 1 : 0;
}

async function runEngine(
  engine: Engine,
  options: BenchOptions,
  dataDir: string,
  password: string,
  hash: string,
  runId: string,
): Promise<EngineReport> {
  const prepared = await prepare(engine, options, dataDir, hash);
  const pullsAnsweredOk = { n: 0, unknown: 0 };
  const fans: Fan[] = [...prepared.pullFans, ...prepared.readFans].map((user, i) => ({
    ...user,
    address: benchAddress(i),
    token: "",
    signedInAt: -Infinity,
  }));
  const pullPool = new FanPool(fans.slice(0, options.fans), PULL_BUDGETS);
  const readPool = new FanPool(fans.slice(options.fans), READ_BUDGETS);

  let firstStart = true;
  // Both servers of the metrics pass answer as the first one's address (APP_URL, the
  // token issuer), so one sign-in serves both.
  const start = async (requestMetrics: boolean, port = options.port): Promise<Session> => {
    const server = await startServer(
      {
        port,
        publicUrl: `http://127.0.0.1:${options.port}`,
        bridgePort: await freePort(),
        databaseUrl: prepared.serverDatabaseUrl,
        poolMax: options.poolMax,
        redisUrl: engine === "postgres" ? options.redisUrl : null,
        dataDir,
        logFile: path.join(dataDir, `server-${Date.now()}.log`),
        requestMetrics,
      },
      { readyTimeoutMs: 15 * 60_000 },
    );
    cleanups.push({ what: "stop the server", run: () => server.stop() });
    server.quiet();
    const inner = pullRequest(server.baseUrl, prepared.campaigns, `bench-${runId}-${engine}-${Date.now()}`);
    const session: Session = {
      server,
      processes: serverProcesses(server.pid, prepared.probe?.db ?? null, prepared.probe?.name ?? null),
      pullPool,
      readPool,
      fans,
      pull: async (fan) => {
        const answer = await inner(fan);
        if (answer.ok) pullsAnsweredOk.n++;
        // Gave up waiting: the server may still have fulfilled it.
        else if (answer.label.startsWith("network")) pullsAnsweredOk.unknown++;
        return answer;
      },
      pullsAnsweredOk,
    };
    // Tokens outlive a restart (same keys, same sessions): only the first start signs everyone in.
    await refreshTokens(session, password, firstStart);
    firstStart = false;
    // Unmeasured: JIT, connection pools, the rate-table cache.
    await closedLoop({ concurrency: 8, rampMs: 0, steadyMs: 5_000, fans: null, send: healthRequest(server.baseUrl) });
    await closedLoop({ concurrency: 8, rampMs: 0, steadyMs: 5_000, fans: readPool, send: meRequest(server.baseUrl) });
    await closedLoop({ concurrency: 8, rampMs: 0, steadyMs: 5_000, fans: pullPool, send: session.pull });
    return session;
  };

  console.log(
    `[${engine}] starting the server on port ${options.port} (scripts/start.ts; builds first if the sources changed)…`,
  );
  let s: Session | null = await start(true);
  const points: Point[] = [];
  for (const concurrency of options.concurrency) {
    const passes: Omit<Point, "ratios">[] = [];
    for (let repeat = 0; repeat < options.repeats; repeat++) {
      await refreshTokens(s, password, false);
      console.log(`[${engine}] concurrency ${concurrency}, pass ${repeat + 1}/${options.repeats}…`);
      const health = await ceilingPass(s, concurrency, options, null, healthRequest(s.server.baseUrl));
      const authRoute = await ceilingPass(s, concurrency, options, s.readPool, meRequest(s.server.baseUrl));
      const pull = await measuredPull(s, concurrency, options, prepared, repeat === 0);
      passes.push({ concurrency, health, authRoute, pull });
    }
    const median = medianOf(passes);
    points.push({ ...median, ratios: ratios(median.health, median.authRoute, median.pull) });
  }

  const openLoopResults: OpenLoopFigures[] = [];
  for (const rate of options.ratesPerMinute) {
    await refreshTokens(s, password, false);
    console.log(`[${engine}] open loop: ${rate} pulls per minute for ${options.durationSeconds} s…`);
    const result = await openLoop({
      ratePerMinute: rate,
      steadyMs: options.durationSeconds * 1000,
      fans: s.pullPool,
      send: s.pull,
    });
    openLoopResults.push(openLoopFigures(rate, result));
  }

  let metrics: MetricsCost | null = null;
  if (engine === "postgres" && options.metricsPass) {
    await s.server.stop();
    metrics = await metricsCost(start, options, password);
    s = null;
  }
  await s?.server.stop();

  const db = await prepared.open();
  try {
    const statuses = await purchaseStatuses(
      db,
      prepared.pullFans.map((f) => f.id),
    );
    return {
      engine,
      points,
      openLoop: openLoopResults,
      metrics,
      books: {
        fulfilled: statuses.fulfilled ?? 0,
        answeredOk: pullsAnsweredOk.n,
        unanswered: pullsAnsweredOk.unknown,
        statuses,
      },
    };
  } finally {
    await db.close();
  }
}

type StartServer = (requestMetrics: boolean, port?: number) => Promise<Session>;
type Mode = "off" | "on";

/**
 * The pull at the highest concurrency with request metrics off and on: one server per
 * mode, on `--port` and the port after it, both loaded at once (half the concurrency
 * each, from the same fans), `--repeats` pairs.
 *
 * Passes in turns left each mode its own spell of the shared machine: pairs of 15 s
 * passes differed by −34 % to +35 % in throughput, and which one ran second cost +11 %
 * of CPU per pull alone. Loaded at once, both servers live through the same spell. The
 * servers still differ in more than the flag (the first port is the fans' address,
 * APP_URL and the token issuer, where both fetch the JWKS; one was started first), so
 * which port each mode has flips every two pairs, both servers restarted and warmed
 * alike. The cost is the median of the paired differences, printed with their range;
 * the same pairs read by port give what the setup alone moves, the control.
 */
async function metricsCost(start: StartServer, options: BenchOptions, password: string): Promise<MetricsCost> {
  const concurrency = Math.max(...options.concurrency);
  const half = Math.max(1, Math.floor(concurrency / 2));
  const ports = [options.port, options.port + 1] as const;
  console.log(
    `[postgres] request metrics off and on (ports ${ports[0]} and ${ports[1]}, roles rotating): ` +
      `${options.repeats} pairs of pull passes at concurrency ${concurrency}, split between the two at once…`,
  );
  const pairs: MetricsPair[] = [];
  let servers: Record<Mode, Session> | null = null;
  let offPort: number | null = null;
  try {
    for (let repeat = 0; repeat < options.repeats; repeat++) {
      const wantedOffPort = ports[(repeat >> 1) % 2]!;
      if (offPort !== wantedOffPort) {
        if (servers) await Promise.all([servers.off.server.stop(), servers.on.server.stop()]);
        servers = null;
        offPort = wantedOffPort;
        const onPort = offPort === ports[0] ? ports[1] : ports[0];
        // The first port's server first, whichever mode it has.
        const first = offPort === ports[0] ? await start(false, offPort) : await start(true, onPort);
        const second = offPort === ports[0] ? await start(true, onPort) : await start(false, offPort);
        servers = offPort === ports[0] ? { off: first, on: second } : { off: second, on: first };
      }
      await Promise.all([refreshTokens(servers!.off, password, false), refreshTokens(servers!.on, password, false)]);
      console.log(
        `[postgres] request metrics off (port ${offPort}) and on (port ${ports[0] + ports[1] - offPort}) at once, ` +
          `pair ${repeat + 1}/${options.repeats}…`,
      );
      const [off, on] = await Promise.all([
        metricsPass(servers!.off, half, options),
        metricsPass(servers!.on, concurrency - half, options),
      ]);
      // The last pulls' webhooks settle before the next pair.
      await delay(1_000);
      pairs.push({ offPort, off, on });
    }
  } finally {
    if (servers) await Promise.all([servers.off.server.stop(), servers.on.server.stop()]);
  }
  return metricsFigures(concurrency, ports, pairs);
}

function pass(s: Session, concurrency: number, options: BenchOptions, fans: FanPool | null, send: Send) {
  return closedLoop({
    concurrency,
    rampMs: options.rampSeconds * 1000,
    steadyMs: options.durationSeconds * 1000,
    fans,
    send,
  });
}

/** A ceiling's pass with what its answers cost the machine, per process, as the pull pass measures it. */
async function ceilingPass(
  s: Session,
  concurrency: number,
  options: BenchOptions,
  fans: FanPool | null,
  send: Send,
): Promise<Point["health"]> {
  let ok = 0;
  const counted: Send = async (fan) => {
    const answer = await send(fan);
    if (answer.ok) ok++;
    return answer;
  };
  const before = await cpuSnapshot(s.processes);
  const result = await pass(s, concurrency, options, fans, counted);
  return { ...routeFigures(result), cpuMsPerOk: perAnswer(cpuBetween(before, await cpuSnapshot(s.processes)), ok) };
}

/** Each process's ms over the answers they bought. */
function perAnswer(msByLabel: Record<string, number>, answers: number): Record<string, number> {
  return Object.fromEntries(Object.entries(msByLabel).map(([label, ms]) => [label, ms / answers]));
}

/**
 * A pull pass of the metrics pass on one server, beside the other server's at the same
 * time: its figures and the Next server's CPU ms per successful pull, ramp included.
 */
async function metricsPass(s: Session, concurrency: number, options: BenchOptions): Promise<MetricsPass> {
  let pulls = 0;
  const send: Send = async (fan) => {
    const answer = await s.pull(fan);
    if (answer.ok) pulls++;
    return answer;
  };
  const totalsBefore = await processTotals(s);
  const cpuBefore = await cpuSnapshot(s.processes);
  const result = await pass(s, concurrency, options, s.pullPool, send);
  const cpuAfter = await cpuSnapshot(s.processes);
  const totalsAfter = await processTotals(s);
  const serverCpuMs = cpuBetween(cpuBefore, cpuAfter)["next server"] ?? NaN;
  const recordingMs = (totalsAfter.metricsUs - totalsBefore.metricsUs) / 1000;
  return {
    ...routeFigures(result),
    serverCpuMsPerPull: serverCpuMs / pulls,
    recordingMsPerPull: recordingMs / pulls,
    recordingSharePercent: (recordingMs / serverCpuMs) * 100,
  };
}

/**
 * A pull pass with what it cost: the server's statement and transaction totals read
 * before and after (through `/api/me`, whose own share is taken off), CPU per process,
 * and on PostgreSQL, when `withCommits`, the database's commit counters read once the
 * backends have gone idle and flushed them.
 */
async function measuredPull(
  s: Session,
  concurrency: number,
  options: BenchOptions,
  prepared: Prepared,
  withCommits: boolean,
): Promise<Point["pull"]> {
  const probe = prepared.probe;
  const dbBefore = probe && withCommits ? await databaseCounters(probe.db, probe.name) : null;
  const totalsBefore = await processTotals(s);
  const cpuBefore = await cpuSnapshot(s.processes);
  const queueBefore = await runQueueSnapshot(s.processes);
  const pressureBefore = cpuPressureUs();
  const startedAt = performance.now();
  const okBefore = s.pullsAnsweredOk.n;
  const backends = probe ? sampleBackends(probe.db, probe.name) : null;
  const result: PassResult = await pass(s, concurrency, options, s.pullPool, s.pull);
  const backendStates = backends ? await backends.stop() : null;
  const cpuAfter = await cpuSnapshot(s.processes);
  const queueAfter = await runQueueSnapshot(s.processes);
  const pressureAfter = cpuPressureUs();
  const passMs = performance.now() - startedAt;
  // Webhooks of the last pulls settle in the background.
  await delay(1_000);
  const totalsAfter = await processTotals(s);
  // Every pull of the pass, ramp included, did work the totals counted.
  const pulls = s.pullsAnsweredOk.n - okBefore;
  let commitsPerPull: number | null = null;
  let rollbacksPerPull: number | null = null;
  if (probe && dbBefore) {
    await delay(STATS_SETTLE_MS);
    const after = await databaseCounters(probe.db, probe.name);
    commitsPerPull = (after.commits - dbBefore.commits) / pulls;
    rollbacksPerPull = (after.rollbacks - dbBefore.rollbacks) / pulls;
  }
  const cpu = cpuBetween(cpuBefore, cpuAfter);
  return {
    ...routeFigures(result),
    ...requestCosts(result),
    statementsPerPull: (totalsAfter.statements - totalsBefore.statements) / pulls,
    transactionsPerPull: (totalsAfter.transactions - totalsBefore.transactions) / pulls,
    roundTripsPerPull: (totalsAfter.roundTrips - totalsBefore.roundTrips) / pulls,
    commitsPerPull,
    rollbacksPerPull,
    cpuMsPerPull: perAnswer(cpu, pulls),
    runQueueMsPerPull: perAnswer(cpuBetween(queueBefore, queueAfter), pulls),
    backendStates,
    cpuPressurePercent:
      pressureBefore === null || pressureAfter === null
        ? null
        : ((pressureAfter - pressureBefore) / 1000 / passMs) * 100,
  };
}

/** The server's process totals, from the `proc` entry of an `/api/me` answer minus that request's own `db` share. */
async function processTotals(
  s: Session,
): Promise<{ statements: number; transactions: number; roundTrips: number; metricsUs: number }> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const fan = s.readPool.take();
    if (!fan) {
      await delay(200);
      continue;
    }
    const res = await fetch(`${s.server.baseUrl}/api/me`, {
      headers: { authorization: `Bearer ${fan.token}`, "x-forwarded-for": fan.address },
    });
    await res.text();
    const entries = parseServerTiming(res.headers.get("server-timing"));
    const proc = entries.find((e) => e.name === "proc")?.counts;
    const own = entries.find((e) => e.name === "db")?.counts;
    if (!proc || !own) throw new Error(`GET /api/me answered ${res.status} without Server-Timing totals`);
    return {
      statements: (proc.statements ?? NaN) - (own.statements ?? 0),
      transactions: (proc.transactions ?? NaN) - (own.transactions ?? 0),
      roundTrips: (proc.round_trips ?? NaN) - (own.round_trips ?? 0),
      // Up to the previous answer: this one is recorded after its header is written.
      metricsUs: proc.metrics_us ?? NaN,
    };
  }
  throw new Error("No fan had rate-limit budget left to read the server's totals");
}

/** Signs in every fan whose token is missing or older than TOKEN_REFRESH_MS (all of them with `all`). */
async function refreshTokens(s: Session, password: string, all: boolean): Promise<void> {
  const now = performance.now();
  const stale = s.fans.filter((f) => all || now - f.signedInAt > TOKEN_REFRESH_MS);
  if (stale.length === 0) return;
  console.log(`  signing in ${stale.length} fans through POST /api/auth/login…`);
  await eachLimited(stale, 16, async (fan) => {
    fan.token = await signIn(s.server.baseUrl, fan.email, password, fan.address);
    fan.signedInAt = performance.now();
  });
}

/** "PostgreSQL 15.4 at host:port, Redis 7.2.4 at host:port", for the report. */
async function serviceVersions(options: BenchOptions): Promise<string> {
  if (!options.engines.includes("postgres")) return "embedded mode only (PGlite, in-memory limiter)";
  const db = await openDatabase({ kind: "postgres", url: options.databaseUrl, poolMax: 1 });
  let pgVersion = "?";
  try {
    const [row] = await db.query<{ version: string }>("select current_setting('server_version') as version");
    pgVersion = row?.version.split(" ")[0] ?? "?";
  } finally {
    await db.close();
  }
  const redis = new Redis(options.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  let redisVersion = "?";
  try {
    await redis.connect();
    redisVersion = /redis_version:(\S+)/.exec(await redis.info("server"))?.[1] ?? "?";
  } finally {
    redis.disconnect();
  }
  // What the server will resolve from the same environment and address.
  const setting = readEnv(databaseEnv, process.env).DATABASE_PREPARED_STATEMENTS;
  const prepared = preparedStatementsFor(setting, options.databaseUrl) ? "on" : "off";
  return (
    `PostgreSQL ${pgVersion} at ${new URL(options.databaseUrl).host} (prepared statements ${prepared}, ` +
    `DATABASE_PREPARED_STATEMENTS=${setting}), Redis ${redisVersion} at ${new URL(options.redisUrl).host}`
  );
}

let exitCode = 1;
try {
  // The fans' seeds are sealed here and opened by the server: one key for both, set before
  // anything reads the settings (the server inherits this environment).
  process.env.FAIRNESS_SEED_KEY ||= randomBytes(32).toString("base64url");
  const options = parseOptions(process.argv.slice(2), process.env);
  exitCode = options ? await main(options) : 0;
} catch (err) {
  if (!interrupted)
    console.error(err instanceof UsageError ? err.message : `Benchmark failed: ${(err as Error).message}`);
  exitCode = 1;
} finally {
  await cleanUp();
}
if (!interrupted) process.exit(exitCode);
