/**
 * `npm run scale:drill`: several app instances behind HAProxy on one database (through
 * PgBouncer in transaction mode) and one rate-limit store, driven through the balancer,
 * proving that nothing is counted twice or let through twice, and that losing an
 * instance mid-load loses nothing.
 *
 *   npm run scale:drill -- [--instances 3] [--seconds 30] [--concurrency 16] [--fans 120]
 *                          [--port-base 42000] [--json PATH] [--throughput]
 *
 * Needs DATABASE_URL (the drill creates and drops its own database there), HAProxy,
 * PgBouncer and redis-server (it starts its own, on --port-base and the next ports), and
 * an existing production build (`npm run build`): it builds nothing. In order:
 *
 * 1. journeys: sign-up with the mailed verification, sign-in, refresh on another
 *    instance, the old refresh token again on a third (reuse: the session ends
 *    everywhere); an exchange repeated with its key on another instance;
 * 2. limits: a fan's 11th pull in a minute, and 50 pulls at once against the limit of 10;
 * 3. webhooks: pulls whose sandbox webhooks come back through the balancer;
 * 4. 60 failed sign-ins spread over the instances, then the scheduled jobs (rollups,
 *    alerts) on every instance at once;
 * 5. paid pulls under load for --seconds, one instance killed (kill -9) a third of the
 *    way in; then reconciliation on every remaining instance at once, the jobs again
 *    (twice: the period after the firing too), and the books.
 *
 * It prints the table (instances, requests, failed by code, limits admitted vs expected,
 * jobs run, books balanced, each check) and exits 1 when any invariant did not hold.
 * `--throughput` instead measures pulls and /api/health through the balancer with 1, 2,
 * … --instances instances in one run (scripts/scale/throughput.ts).
 */
import fs from "node:fs/promises";
import { parseArgs } from "node:util";
import { benchAddress, eachLimited, signIn } from "./bench/load";
import { SCHEDULER_OFFSET_MS } from "../lib/ops/scheduler";
import { booksProblems } from "./drill/books";
import { runLoad, type DrillFan } from "./drill/load";
import { startFleet, type Fleet } from "./scale/fleet";
import { call } from "./scale/http";
import { sleep } from "./scale/instances";
import {
  chargedUnfulfilled,
  emptyJobRuns,
  incidentChecks,
  reconcileEverywhere,
  rollupChecks,
  runJobEverywhere,
} from "./scale/jobs";
import { exchangeOnce, pullsAndWebhooks, refreshAcrossInstances, signUpFan, type Check } from "./scale/journeys";
import { parallelPulls, sequentialPulls } from "./scale/limits";
import { formatReport, verdict, type ScaleReport } from "./scale/report";
import { measureThroughput } from "./scale/throughput";

const { values } = parseArgs({
  options: {
    instances: { type: "string", default: "3" },
    seconds: { type: "string", default: "30" },
    concurrency: { type: "string", default: "16" },
    fans: { type: "string", default: "120" },
    "port-base": { type: "string", default: "42000" },
    "throughput-seconds": { type: "string", default: "20" },
    json: { type: "string" },
    throughput: { type: "boolean", default: false },
  },
});
const numbers = {
  instances: Number(values.instances),
  seconds: Number(values.seconds),
  concurrency: Number(values.concurrency),
  fans: Number(values.fans),
  "port-base": Number(values["port-base"]),
  "throughput-seconds": Number(values["throughput-seconds"]),
};
for (const [name, n] of Object.entries(numbers)) {
  if (!Number.isInteger(n) || n < 1) {
    console.error(`--${name} takes a whole number ≥ 1`);
    process.exit(2);
  }
}
if (numbers.instances < 2 && !values.throughput) {
  console.error("--instances: the drill needs at least 2 (one is killed)");
  process.exit(2);
}
const serverUrl = process.env.DATABASE_URL;
if (!serverUrl) {
  console.error(
    "The scale drill needs PostgreSQL: set DATABASE_URL (its database is created there and dropped after).",
  );
  process.exit(2);
}

const started = performance.now();
const log = (line: string) =>
  console.log(`[${((performance.now() - started) / 1000).toFixed(1).padStart(6)} s] ${line}`);
// Reserved fans, after the load's: each check starts with untouched rate limits.
const SPARE = { sequential: 0, parallel: 1, webhooks: 2, exchange: 3 } as const;

let fleet: Fleet | null = null;
let stopping: Promise<void> | null = null;
const stopFleet = () => (stopping ??= fleet?.stop() ?? Promise.resolve());
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => void stopFleet().finally(() => process.exit(130)));
}
// A fault in the drill's own code (an unhandled rejection lands here too) stops the fleet
// before the process ends, so no instance outlives the run and holds CI up.
process.on("uncaughtException", (err) => {
  console.error(err);
  void stopFleet().finally(() => process.exit(1));
});

let exitCode = 1;
try {
  fleet = await startFleet({
    serverUrl,
    instances: numbers.instances,
    portBase: numbers["port-base"],
    // Each fan pulls 10 times a minute at most: the throughput passes need many.
    fans: values.throughput ? Math.max(numbers.fans, 600) : numbers.fans + Object.keys(SPARE).length,
    poolMax: 10,
    log,
  });
  exitCode = values.throughput ? await throughput(fleet) : await drill(fleet);
} catch (err) {
  console.error(`Scale drill failed: ${(err as Error).stack ?? (err as Error).message}`);
} finally {
  await stopFleet();
}
process.exit(exitCode);

async function signInAll(f: Fleet, count: number): Promise<DrillFan[]> {
  const fans: DrillFan[] = [];
  await eachLimited([...f.users.keys()].slice(0, count), 8, async (i) => {
    const address = benchAddress(i);
    fans[i] = { token: await signIn(f.balancer.url, f.users[i]!.email, f.password, address), address };
  });
  return fans;
}

async function throughput(f: Fleet): Promise<number> {
  const fans = await signInAll(f, f.users.length);
  const result = await measureThroughput({
    fleet: f,
    fans,
    seconds: numbers["throughput-seconds"],
    concurrency: numbers.concurrency,
    log,
  });
  console.log(`\n${result.table}`);
  if (values.json) await fs.writeFile(values.json, `${JSON.stringify(result.points, null, 2)}\n`);
  return 0;
}

async function drill(f: Fleet): Promise<number> {
  const b = f.balancer.url;
  const since = new Date(Math.floor(Date.now() / 60_000) * 60_000);
  log(`signing in ${f.users.length} fans through the balancer`);
  const all = await signInAll(f, f.users.length);
  const loadFans = all.slice(0, numbers.fans);
  const spare = (k: keyof typeof SPARE) => all[numbers.fans + SPARE[k]]!;
  const checks: Check[] = [];
  const campaign = f.campaigns[0]!;

  log("journeys: sign-up, sign-in, refresh on another instance, reuse of the old token");
  const newFan = await signUpFan(b, f.dataDir, benchAddress(60_000));
  checks.push(...(await refreshAcrossInstances(b, newFan, benchAddress(60_001), f.refreshGraceSeconds)));
  checks.push(await exchangeOnce(f.db, b, spare("exchange"), await exchangeCampaign(f), "scale-exchange"));

  log("limits: the 11th pull in a minute, then 50 pulls at once");
  const sequential = await sequentialPulls(b, spare("sequential"), campaign, "scale-seq");
  const parallel = await parallelPulls(b, spare("parallel"), campaign, "scale-par", 50);
  checks.push(sequential.check, parallel.check);

  log("webhooks through the balancer");
  checks.push(await pullsAndWebhooks(f.db, b, spare("webhooks"), campaign, "scale-hook", 6, f.tap.deliveries));

  log("60 failed sign-ins over the instances, then the jobs on every instance at once");
  await Promise.all(
    Array.from({ length: 60 }, (_, i) =>
      call(`${b}/api/auth/login`, {
        address: benchAddress(70_000 + i),
        headers: { origin: b },
        body: { email: `nobody-${i}@example.test`, password: "not the password" },
      }),
    ),
  );
  const jobs = emptyJobRuns();
  const jobRound = async () => {
    await runJobEverywhere(f.instances, "rollups", f.cronSecret, jobs);
    await runJobEverywhere(f.instances, "alerts", f.cronSecret, jobs);
  };
  await jobRound();

  const victim = f.instances[1]!;
  log(
    `load: ${numbers.seconds} s of paid pulls at concurrency ${numbers.concurrency}; ${victim.name} killed after a third`,
  );
  const loadStarted = performance.now();
  const loading = runLoad({
    baseUrl: b,
    fans: loadFans,
    campaignIds: f.campaigns,
    concurrency: numbers.concurrency,
    seconds: numbers.seconds,
    keyPrefix: `scale-load-${Date.now()}`,
  });
  await sleep((numbers.seconds * 1000) / 3);
  await victim.kill();
  const killedAt = performance.now();
  let drainedAt: number | null = null;
  while (performance.now() - killedAt < 15_000) {
    if ((await f.balancer.states())[victim.name] === "DOWN") {
      drainedAt = performance.now();
      break;
    }
    await sleep(50);
  }
  log(
    `${victim.name} killed; ${drainedAt === null ? "never marked down" : `marked down after ${((drainedAt - killedAt) / 1000).toFixed(1)} s`}`,
  );
  const load = await loading;
  const killedAtMs = killedAt - loadStarted;

  // Webhooks still in flight settle; the ones the dead instance never sent are reconciliation's.
  await sleep(3_000);
  const unsettled = await chargedUnfulfilled(f.db);
  const adminToken = await signIn(b, f.admin.email, f.password, benchAddress(80_000));
  const fulfilledByRuns = await reconcileEverywhere(f.instances, adminToken, jobs);
  const unsettledAfter = await chargedUnfulfilled(f.db);
  checks.push({
    name: "reconciliation on every instance settles each payment once",
    ok: unsettledAfter === 0 && fulfilledByRuns === unsettled,
    detail: `${unsettled} charged purchase(s) left unfulfilled by the dead instance; the concurrent runs fulfilled ${fulfilledByRuns}; ${unsettledAfter} left`,
  });

  // The rules and rollups read closed minutes only: the next period starts when the
  // minute turns (plus the scheduler's offset), and is run twice over by every instance.
  await jobRound();
  const nextPeriod = 60_000 - (Date.now() % 60_000) + SCHEDULER_OFFSET_MS;
  log(
    `the jobs on every remaining instance at once, in this period and in the next (in ${(nextPeriod / 1000).toFixed(0)} s), twice`,
  );
  await sleep(nextPeriod);
  await jobRound();
  await jobRound();
  const notifications = f.pagerDuty.accepted.map((e) => ({ dedupKey: e.dedup_key, action: e.event_action }));
  checks.push(...(await rollupChecks(f.db, since)));
  checks.push(...(await incidentChecks(f.db, since, notifications, "login_failures_spike")));
  const problems = await booksProblems(f.db);

  const report: ScaleReport = {
    instances: f.instances.length,
    killed: {
      name: victim.name,
      atSeconds: killedAtMs / 1000,
      drainedAfterSeconds: drainedAt === null ? null : (drainedAt - killedAt) / 1000,
    },
    requests: load.requests,
    failed: load.failed,
    abandoned: load.abandoned,
    succeededAfterKill: load.successAtMs.filter((ms) => ms > killedAtMs).length,
    limits: [sequential.figures, parallel.figures],
    jobs: jobs.runs,
    booksBalanced: problems.length === 0,
    problems,
    checks,
  };
  console.log(`\n${formatReport(report)}`);
  if (values.json) {
    await fs.writeFile(values.json, `${JSON.stringify(report, null, 2)}\n`);
    console.log(`Wrote ${values.json}`);
  }
  const failures = verdict(report);
  for (const line of failures) console.error(`FAILED ${line}`);
  console.log(
    `scale drill: ${report.instances} instances, ${load.requests} requests, ${failures.length} invariant(s) broken`,
  );
  return failures.length === 0 ? 0 : 1;
}

/** A campaign whose VTuber has an exchange open. */
async function exchangeCampaign(f: Fleet): Promise<string> {
  const [row] = await f.db.query<{ id: string }>(
    `select c.id from public.campaigns c
      where c.id = any($1::uuid[])
        and exists (select 1 from public.exchange_items i where i.vtuber_id = c.vtuber_id and i.status = 'active')
      limit 1`,
    [f.campaigns],
  );
  if (!row) throw new Error("no active campaign whose VTuber has an exchange item");
  return row.id;
}
