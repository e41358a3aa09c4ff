/**
 * `npm run bench`: the pull path end to end against the same purchase run alone.
 *
 * 1. A throwaway database `koepon_bench_<timestamp>` on the PostgreSQL server of
 *    DATABASE_URL: migrated, the demo catalog seeded (3 active campaigns), and fresh adult
 *    fans inserted by the service role with a bcrypt cost-4 password hash.
 * 2. The server as `npm start` runs it (scripts/start.ts: build if the sources changed,
 *    the Upstash-REST bridge in front of REDIS_URL, scripts/serve.ts), on its own port.
 * 3. HTTP: every fan signs in through `POST /api/auth/login` (real RS256 tokens the gate
 *    and the route verify), a short warm-up, then `--users` × `--pulls-per-user` single
 *    pulls through `POST /api/gachas/{id}/pulls` at `--concurrency`, each timed.
 * 4. Baseline: the server stopped, the same number of pulls by other fans through the
 *    route's own `payAndPull` (reserve → sandbox charge → fulfil) in this process, same
 *    PostgreSQL pool size and concurrency, no HTTP, no gate, no rate limiter.
 * 5. The table, the ratio, a check of the books; the database and temp files go away.
 *
 * It only prints (exit 1 when more than 1% of the pulls in a phase fail or the books do
 * not match the answers); nothing asserts on timings.
 */
import { randomBytes } from "node:crypto";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import Redis from "ioredis";
import type { Database } from "../lib/db";
import { createSandboxProvider } from "../lib/payments/providers/sandbox";
import {
  benchPassword,
  createBenchDatabase,
  insertFans,
  openDatabase,
  prepareSchemaAndCatalog,
  purchaseStatuses,
} from "./bench/database";
import {
  baselinePull,
  benchAddress,
  cancelled,
  eachLimited,
  httpPull,
  pullTasks,
  runPhase,
  signIn,
  type HttpFan,
} from "./bench/load";
import { parseOptions, UsageError, type BenchOptions } from "./bench/options";
import { formatReport, machine, summarise, type BenchReport } from "./bench/report";
import { freePort, portIsFree, startServer } from "./bench/server";

const WARMUP_FANS = 4;
const WARMUP_PULLS_PER_FAN = 3;
/** More failed pulls than this share of a phase fails the run. */
const MAX_ERROR_SHARE = 0.01;

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

async function main(options: BenchOptions): Promise<number> {
  if (!(await portIsFree(options.port))) {
    throw new Error(`Port ${options.port} is already in use: stop whatever listens there or pass --port <free port>.`);
  }
  const bridgePort = await freePort();
  const runId = randomBytes(4).toString("hex");
  const tmp = await fs.mkdtemp(path.join(os.tmpdir(), "koepon-bench-"));
  cleanups.push({ what: `remove ${tmp}`, run: () => fs.rm(tmp, { recursive: true, force: true }) });
  const dataDir = path.join(tmp, "data");

  const bench = await createBenchDatabase(options.databaseUrl);
  cleanups.push({ what: `drop database ${bench.name}`, run: () => bench.drop() });
  console.log(`Database ${bench.name}: migrating, seeding the demo catalog and ${2 * options.users} fans…`);
  const db = await openDatabase({ kind: "postgres", url: bench.url, poolMax: options.poolMax });
  cleanups.push({ what: "close the database pool", run: () => db.close() });
  const campaigns = await prepareSchemaAndCatalog(db, bench.url, path.join(dataDir, "storage"));
  const { password, hash } = await benchPassword();
  const warmFans = await insertFans(db, "warm", WARMUP_FANS, hash);
  const httpFans = await insertFans(db, "http", options.users, hash);
  const baseFans = await insertFans(db, "base", options.users, hash);
  const versions = await serviceVersions(db, options.databaseUrl, options.redisUrl);

  console.log(`Starting the server on port ${options.port} (scripts/start.ts; builds first if the sources changed)…`);
  const server = await startServer(
    {
      port: options.port,
      bridgePort,
      databaseUrl: bench.url,
      poolMax: options.poolMax,
      redisUrl: options.redisUrl,
      dataDir,
      logFile: path.join(tmp, "server.log"),
    },
    { readyTimeoutMs: 15 * 60_000 },
  );
  cleanups.push({ what: "stop the server", run: () => server.stop() });
  server.quiet();
  const fail = async (message: string) => {
    console.error(`${message}\n--- last lines of the server log ---\n${await tail(server.logFile, 40)}`);
    return new Error(message);
  };

  // Sign-ins happen before the clock starts: the phase measures pulls only.
  const signedIn = [...warmFans, ...httpFans];
  const fans: HttpFan[] = [];
  console.log(`Signing in ${signedIn.length} fans through POST /api/auth/login…`);
  try {
    await eachLimited([...signedIn.keys()], options.concurrency, async (i) => {
      const address = benchAddress(i);
      fans[i] = { token: await signIn(server.baseUrl, signedIn[i]!.email, password, address), address };
    });
  } catch (err) {
    throw await fail((err as Error).message);
  }

  const warmTasks = pullTasks(WARMUP_FANS, WARMUP_PULLS_PER_FAN, campaigns, `bench-${runId}-warm`);
  const warm = await runPhase("warm-up", warmTasks, options.concurrency, 60_000, (task) =>
    httpPull(server.baseUrl, fans[task.user]!, task),
  );
  if (warm.ok !== warmTasks.length) throw await fail(`Warm-up pulls failed: ${JSON.stringify(warm.outcomes)}`);

  const maxMs = options.maxSeconds * 1000;
  const httpTasks = pullTasks(options.users, options.pullsPerUser, campaigns, `bench-${runId}-http`);
  console.log(`HTTP phase: ${httpTasks.length} pulls at concurrency ${options.concurrency}…`);
  const httpRun = await runPhase("HTTP", httpTasks, options.concurrency, maxMs, (task) =>
    httpPull(server.baseUrl, fans[WARMUP_FANS + task.user]!, task),
  );
  const httpErrors = httpRun.latenciesMs.length - httpRun.ok;
  if (httpErrors > 0) console.error(`--- last lines of the server log ---\n${await tail(server.logFile, 40)}`);
  const httpBooks = await purchaseStatuses(
    db,
    httpFans.map((f) => f.id),
  );
  await server.stop();

  // The baseline runs alone: no server, its sandbox webhooks dropped (the HTTP server
  // posts each one to itself, and that settles nothing new).
  const provider = createSandboxProvider({ db, webhookSecret: "whsec_koepon_bench", deliver: () => {} });
  const baseWarm = pullTasks(WARMUP_FANS, WARMUP_PULLS_PER_FAN, campaigns, `bench-${runId}-warmbase`);
  await runPhase("baseline warm-up", baseWarm, options.concurrency, 60_000, (task) =>
    baselinePull({ db, provider }, warmFans[task.user]!.id, task),
  );
  const baseTasks = pullTasks(options.users, options.pullsPerUser, campaigns, `bench-${runId}-base`);
  console.log(`Baseline phase: ${baseTasks.length} pulls through payAndPull at concurrency ${options.concurrency}…`);
  const baseRun = await runPhase("baseline", baseTasks, options.concurrency, maxMs, (task) =>
    baselinePull({ db, provider }, baseFans[task.user]!.id, task),
  );
  const baseBooks = await purchaseStatuses(
    db,
    baseFans.map((f) => f.id),
  );

  const http = summarise(httpRun);
  const baseline = summarise(baseRun);
  const report: BenchReport = {
    machine: machine(versions),
    settings: {
      users: options.users,
      pullsPerUser: options.pullsPerUser,
      concurrency: options.concurrency,
      poolMax: options.poolMax,
      maxSeconds: options.maxSeconds,
      campaigns: campaigns.length,
      warmupPulls: warmTasks.length,
    },
    http,
    baseline,
    ratio: {
      throughput: http.pullsPerSecond / baseline.pullsPerSecond,
      p50: http.latencyMs.p50 / baseline.latencyMs.p50,
      p95: http.latencyMs.p95 / baseline.latencyMs.p95,
      p99: http.latencyMs.p99 / baseline.latencyMs.p99,
    },
  };
  console.log(formatReport(report));

  const problems: string[] = [];
  for (const [name, phase, books] of [
    ["HTTP", http, httpBooks],
    ["baseline", baseline, baseBooks],
  ] as const) {
    const fulfilled = books.fulfilled ?? 0;
    console.log(
      `Books (${name}): ${fulfilled} purchases fulfilled for ${phase.ok} successful answers` +
        (Object.keys(books).length > 1 ? ` (all statuses: ${JSON.stringify(books)})` : ""),
    );
    if (fulfilled !== phase.ok) problems.push(`${name}: ${fulfilled} fulfilled purchases ≠ ${phase.ok} successes`);
    if (phase.errors > MAX_ERROR_SHARE * Math.max(phase.requests, 1)) {
      problems.push(`${name}: ${phase.errors} of ${phase.requests} pulls failed (over ${MAX_ERROR_SHARE * 100}%)`);
    }
    if (phase.requests === 0) problems.push(`${name}: no pull completed`);
  }

  if (options.json) {
    await fs.writeFile(options.json, `${JSON.stringify(report, null, 2)}\n`);
    console.log(`Wrote ${options.json}`);
  }
  for (const problem of problems) console.error(`FAILED ${problem}`);
  return problems.length > 0 ? 1 : 0;
}

/** "PostgreSQL 15.4 at host:port, Redis 7.2.4 at host:port", for the report. */
async function serviceVersions(db: Database, databaseUrl: string, redisUrl: string): Promise<string> {
  const [row] = await db.query<{ version: string }>("select current_setting('server_version') as version");
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  let redisVersion = "?";
  try {
    await redis.connect();
    redisVersion = /redis_version:(\S+)/.exec(await redis.info("server"))?.[1] ?? "?";
  } finally {
    redis.disconnect();
  }
  const pgVersion = row?.version.split(" ")[0] ?? "?";
  return `PostgreSQL ${pgVersion} at ${new URL(databaseUrl).host}, Redis ${redisVersion} at ${new URL(redisUrl).host}`;
}

async function tail(file: string, lines: number): Promise<string> {
  try {
    return (await fs.readFile(file, "utf8")).trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "(no server log)";
  }
}

let exitCode = 1;
try {
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
