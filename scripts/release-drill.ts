/**
 * `npm run release:drill`: the local release target end to end under continuous load
 * (50 clients, pages and APIs, signed in and not), through four scenarios:
 *
 * 1. a good release: green passes smoke, takes traffic, survives the watch;
 * 2. a green that fails smoke (a build missing a route): it never takes a request;
 * 3. a green whose process stops during the watch: HAProxy fails over to the old colour
 *    at once and the watch rolls back;
 * 4. a good release, then a manual rollback.
 *
 * Needs PostgreSQL (DATABASE_URL, a database is created for the drill), Redis
 * (REDIS_URL) and HAProxy. Writes one JSON report per scenario under `--out` and ends
 * with `release drill: <n> requests, <f> failed, bad green kept out: yes|no, rollback
 * <s> s`; exits 1 when a request failed, a scenario ended otherwise than it should, the
 * bad green took traffic, or the rollback took longer than 60 s.
 */
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import pg from "pg";
import { listOutbox } from "../lib/mail/outbox";
import { startBridge } from "../lib/ratelimit/bridge/server";
import { release, rollback, type ReleaseOptions, type ReleaseReport } from "../lib/release/release";
import { smoke } from "../lib/release/smoke";
import { LocalTarget } from "../lib/release/targets/local";
import { percentile } from "../lib/release/watch";
import { isFailure, startLoad } from "./release-drill/load";

const { values } = parseArgs({
  options: {
    concurrency: { type: "string", default: "50" },
    "think-ms": { type: "string", default: "1000" },
    "watch-seconds": { type: "string", default: "15" },
    out: { type: "string", default: ".data/release-drill" },
    port: { type: "string", default: "4060" },
    build: { type: "boolean", default: false },
  },
});

const ROOT = path.join(import.meta.dirname, "..");
const port = Number(values.port);
const watchMs = Number(values["watch-seconds"]) * 1000;
const outDir = path.resolve(values.out);
const started = Date.now();
const log = (line: string) => console.log(`[${((Date.now() - started) / 1000).toFixed(1).padStart(6)} s] ${line}`);

const baseUrl = process.env.DATABASE_URL;
const redisUrl = process.env.REDIS_URL;
if (!baseUrl || !redisUrl) {
  console.error("The release drill needs PostgreSQL and Redis: set DATABASE_URL and REDIS_URL.");
  process.exit(2);
}
if (spawnSync("haproxy", ["-v"]).status !== 0) {
  console.error("The release drill needs HAProxy (Debian: apt-get install haproxy).");
  process.exit(2);
}

await fs.mkdir(outDir, { recursive: true });
const work = await fs.mkdtemp(path.join(os.tmpdir(), "koepon-release-drill-"));
const dbName = `koepon_release_drill_${process.pid}`;
const drillUrl = new URL(baseUrl);
drillUrl.pathname = `/${dbName}`;
const admin = new pg.Client({ connectionString: baseUrl });
await admin.connect();
await admin.query(`create database ${dbName}`);

const bridgeToken = randomBytes(16).toString("hex");
const bridge = await startBridge({ redisUrl, port: port + 3, token: bridgeToken });
const env = {
  ...process.env,
  DATABASE_URL: drillUrl.toString(),
  REDIS_URL: redisUrl,
  RATE_LIMIT_BRIDGE_PORT: String(port + 3),
  RATE_LIMIT_BRIDGE_TOKEN: bridgeToken,
  KOEPON_DATA_DIR: path.join(work, "data"),
  // HAProxy, on this machine, appends the client's address; the colours trust it for that.
  TRUSTED_PROXIES: "127.0.0.1",
  // Services mode on local storage and sandbox payments: allowed for the drill.
  KOEPON_ALLOW_EMBEDDED: "1",
};
const target = new LocalTarget({
  dir: path.join(work, "release"),
  projectDir: ROOT,
  port,
  ports: { blue: port + 1, green: port + 2 },
  env,
  log,
});

let exitCode = 1;
try {
  exitCode = await drill();
} catch (err) {
  console.error(err);
} finally {
  await target.stopAll().catch(() => {});
  await bridge.close().catch(() => {});
  await admin.query(`drop database if exists ${dbName} with (force)`).catch(() => {});
  await admin.end();
  await fs.rm(work, { recursive: true, force: true });
}
process.exit(exitCode);

async function drill(): Promise<number> {
  run("npx", ["tsx", "--conditions=react-server", "scripts/seed.ts"], env);
  const good = path.join(ROOT, ".next");
  if (values.build || !(await exists(path.join(good, "BUILD_ID")))) run("npm", ["run", "build"], process.env);
  // A bad build: one API route is missing from it.
  const broken = path.join(work, "broken-build");
  await fs.cp(good, broken, { recursive: true, verbatimSymlinks: true });
  await fs.rm(path.join(broken, "server", "app", "api", "gachas", "route.js"));

  // One 2-core machine runs both colours, HAProxy, PostgreSQL, Redis and the 50 clients:
  // its latency is queueing, not the release. The drill's P95 limit is therefore 5 s
  // (production's is 1 s); its other rules are production's.
  const drillWatch = { intervalMs: 1_000, minVolume: 50, maxP95Ms: 5_000 };
  // Smoke as a release runs it: the quick checks, a synthetic fan's sandbox pull once
  // there is a fan (after the first release), and the Playwright @smoke tests.
  let smokeFan: { email: string; password: string; origin: string } | undefined = undefined;
  const options = (releaseId: string): ReleaseOptions => ({
    target,
    releaseId,
    smoke: (green) =>
      smoke({ url: green.url, releaseId: green.releaseId, syntheticFan: smokeFan, browser: { env: process.env } }),
    watch: { ...drillWatch, durationMs: watchMs },
    log,
  });

  log("first release (blue), before any load");
  const first = await release({ ...options("drill-r1"), watch: { durationMs: 2_000, intervalMs: 500 } });
  if (first.outcome !== "released") throw new Error(`the first release failed: ${first.reason}`);

  const { tokens, anonymousPaths, fan } = await prepareTraffic();
  smokeFan = { ...fan, origin: target.productionUrl };
  const load = startLoad({
    url: target.productionUrl,
    concurrency: Number(values.concurrency),
    anonymousPaths,
    signedInPaths: ["/api/me", "/api/me/medals", "/api/me/pulls", "/me/rewards"],
    tokens,
    thinkMs: Number(values["think-ms"]),
  });
  log(`load: ${values.concurrency} clients, ${values["think-ms"]} ms between each one's requests`);
  await sleep(5_000);

  const scenarios: { name: string; expected: ReleaseReport["outcome"]; from: number; to: number; report: unknown }[] =
    [];
  const scenario = async (name: string, expected: ReleaseReport["outcome"], fn: () => Promise<unknown>) => {
    log(`scenario: ${name}`);
    const from = Date.now();
    const report = await fn();
    scenarios.push({ name, expected, from, to: Date.now(), report });
    await fs.writeFile(path.join(outDir, `${name}.report.json`), JSON.stringify(report, null, 2) + "\n");
    await sleep(3_000);
    return report;
  };

  const goodRelease = (await scenario("good-release", "released", () => release(options("drill-r2")))) as ReleaseReport;

  target.build = broken;
  const badSmoke = (await scenario("bad-green-fails-smoke", "refused", () =>
    release(options("drill-r3-broken")),
  )) as ReleaseReport;
  target.build = good;

  let killedAt = 0;
  const crashed = (await scenario("green-stops-during-watch", "rolled_back", () =>
    release({
      ...options("drill-r4"),
      watch: { ...drillWatch, durationMs: Math.max(watchMs, 30_000) },
      duringWatch: (green) => {
        setTimeout(() => {
          void target.pidOf(green.colour).then((pid) => {
            if (!pid) return;
            killedAt = Date.now();
            log(`chaos: stopping ${green.colour} (pid ${pid})`);
            process.kill(-pid, "SIGTERM");
          });
        }, 4_000);
      },
    }),
  )) as ReleaseReport;

  const manual = (await scenario("manual-rollback", "released", async () => {
    const released = await release(options("drill-r5"));
    const back = await rollback({ target, log });
    const health = (await (await fetch(`${target.productionUrl}/api/health`)).json()) as { releaseId: string };
    return { ...released, manualRollback: { ...back, productionServes: health.releaseId } };
  })) as ReleaseReport & { manualRollback: { to: { releaseId: string }; productionServes: string; ms: number } };

  const samples = await load.stop();
  log("load stopped");

  // Verdicts.
  const failed = samples.filter(isFailure);
  const badWindow = scenarios.find((s) => s.name === "bad-green-fails-smoke")!;
  const badServed = samples.filter(
    (s) => s.at >= badWindow.from && s.at <= badWindow.to && s.colour === badSmoke.to,
  ).length;
  const keptOut = badSmoke.outcome === "refused" && badServed === 0;
  const rollbackStep = crashed.steps.find((s) => s.step === "rollback");
  const rollbackSeconds =
    rollbackStep && killedAt ? (Date.parse(rollbackStep.startedAt) + rollbackStep.ms - killedAt) / 1000 : Infinity;
  const wrong = scenarios.filter((s) => (s.report as ReleaseReport).outcome !== s.expected);
  const manualOk =
    manual.manualRollback.productionServes === goodRelease.releaseId &&
    manual.manualRollback.to.releaseId === goodRelease.releaseId;

  const latencies = samples.filter((s) => s.status > 0).map((s) => s.ms);
  const summary = {
    requests: samples.length,
    failed: failed.length,
    limited429: samples.filter((s) => s.status === 429).length,
    byStatus: countBy(samples, (s) => String(s.status)),
    byColour: countBy(samples, (s) => s.colour ?? "none"),
    latencyMs: { p50: percentile(latencies, 0.5), p95: percentile(latencies, 0.95), p99: percentile(latencies, 0.99) },
    failures: failed.slice(0, 20),
    scenarios: scenarios.map((s) => ({
      name: s.name,
      expected: s.expected,
      outcome: (s.report as ReleaseReport).outcome,
      reason: (s.report as ReleaseReport).reason ?? null,
      seconds: (s.to - s.from) / 1000,
      failedRequests: samples.filter((x) => x.at >= s.from && x.at <= s.to && isFailure(x)).length,
    })),
    badGreenServed: badServed,
    rollbackSeconds,
    manualRollback: { ms: manual.manualRollback.ms, productionServes: manual.manualRollback.productionServes },
  };
  await fs.writeFile(path.join(outDir, "summary.json"), JSON.stringify(summary, null, 2) + "\n");
  console.log(JSON.stringify({ ...summary, failures: undefined }, null, 2));
  for (const w of wrong)
    console.error(`scenario ${w.name}: expected ${w.expected}, got ${(w.report as ReleaseReport).outcome}`);
  if (!manualOk) console.error("manual rollback: production does not serve the previous release");

  console.log(
    `release drill: ${samples.length} requests, ${failed.length} failed, bad green kept out: ${keptOut ? "yes" : "no"}, ` +
      `rollback ${rollbackSeconds.toFixed(1)} s`,
  );
  return failed.length === 0 && keptOut && rollbackSeconds <= 60 && wrong.length === 0 && manualOk ? 0 : 1;
}

/** Fans with tokens for the signed-in share of the load, and the pages to visit. */
async function prepareTraffic(): Promise<{
  tokens: string[];
  anonymousPaths: string[];
  fan: { email: string; password: string };
}> {
  const url = target.productionUrl;
  const { gachas } = (await (await fetch(`${url}/api/gachas`)).json()) as { gachas: { id: string }[] };
  const { vtubers } = (await (await fetch(`${url}/api/vtubers`)).json()) as { vtubers: { slug: string }[] };
  const tokens: string[] = [];
  const accounts: { email: string; password: string }[] = [];
  // 40 fans for the signed-in load and one more for the smoke checks' pulls.
  for (let i = 0; i < 41; i++) {
    const account = {
      email: `drill-${i}-${randomBytes(4).toString("hex")}@example.test`,
      password: `drill ${randomBytes(12).toString("hex")}`,
    };
    accounts.push(account);
    const res = await fetch(`${url}/api/auth/signup`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: url },
      body: JSON.stringify({
        ...account,
        displayName: `Drill fan ${i}`,
        birthdate: "1990-01-01",
        acceptTerms: true,
      }),
    });
    if (res.status !== 202) throw new Error(`signup for the drill failed: HTTP ${res.status} ${await res.text()}`);
    tokens.push(await verifyAndSignIn(url, account));
  }
  const anonymousPaths = [
    "/",
    "/api/gachas",
    "/api/vtubers",
    "/api/health",
    ...gachas.flatMap((g) => [`/gachas/${g.id}`, `/gachas/${g.id}/odds`, `/api/gachas/${g.id}`]),
    ...vtubers.flatMap((v) => [`/vtubers/${v.slug}`, `/api/vtubers/${v.slug}/exchange`]),
  ];
  return { tokens: tokens.slice(0, 40), anonymousPaths, fan: accounts[40]! };
}

/**
 * A drill fan does what a new fan does: opens the verification link mailed to the
 * colours' local outbox (paying needs a verified address), then signs in.
 */
async function verifyAndSignIn(url: string, account: { email: string; password: string }): Promise<string> {
  const outbox = path.join(env.KOEPON_DATA_DIR, "outbox");
  let token: string | null = null;
  // The mail is written just after the answer (lib/api/after-response.ts).
  for (let attempt = 0; token === null && attempt < 50; attempt++) {
    const [mail] = await listOutbox(outbox, { to: account.email });
    token = mail ? new URL(/https?:\/\/\S+/.exec(mail.text)![0]).searchParams.get("token") : null;
    if (token === null) await new Promise((r) => setTimeout(r, 100));
  }
  if (token === null) throw new Error(`no verification mail for ${account.email} in ${outbox}`);
  const headers = { "content-type": "application/json", origin: url };
  const verified = await fetch(`${url}/api/auth/verify-email`, {
    method: "POST",
    headers,
    body: JSON.stringify({ token }),
  });
  if (!verified.ok) throw new Error(`verification for the drill failed: HTTP ${verified.status}`);
  const login = await fetch(`${url}/api/auth/login`, { method: "POST", headers, body: JSON.stringify(account) });
  if (!login.ok) throw new Error(`login for the drill failed: HTTP ${login.status} ${await login.text()}`);
  return ((await login.json()) as { accessToken: string }).accessToken;
}

function run(command: string, args: string[], runEnv: NodeJS.ProcessEnv): void {
  const result = spawnSync(command, args, { cwd: ROOT, env: runEnv, stdio: "inherit" });
  if (result.status !== 0) throw new Error(`${command} ${args.join(" ")} exited ${result.status}`);
}

function countBy<T>(items: T[], key: (item: T) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[key(item)] = (counts[key(item)] ?? 0) + 1;
  return counts;
}

function exists(file: string): Promise<boolean> {
  return fs.access(file).then(
    () => true,
    () => false,
  );
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
