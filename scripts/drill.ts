/**
 * `npm run drill`: the paid pull path under load while things break, and the books
 * checked after each break.
 *
 *   npm run drill -- [--seconds 40] [--concurrency 16] [--fans 800] [--json PATH]
 *
 * It starts its own PostgreSQL cluster (scripts/dr/cluster.ts), its own redis-server and
 * the production server (scripts/start.ts) on ports 5000–5099 by default (--port-base),
 * never the shared services. Four scenarios run one after another, each for --seconds
 * of load (single pulls and 10-pulls with idempotency keys, retried with the same key):
 *
 *   app-kill9        the server's process group is killed with SIGKILL, then restarted,
 *                    then reconciliation (lib/payments/reconcile) runs;
 *   postgres-restart pg_ctl restart -m immediate of the cluster;
 *   redis-restart    redis-server stopped, and started again a few seconds later;
 *   webhook-faults   sandbox webhooks held, reordered and delivered twice by a proxy in
 *                    front of the server (scripts/drill/webhook-faults.ts).
 *
 * After each: the book rules (lib/books) hold, every succeeded sandbox payment belongs
 * to exactly one fulfilled purchase and no fulfilled purchase lacks one. Exit 1 if any
 * row is unbalanced, an answer was a 500 or had no code, or a request hung.
 */
import { randomBytes } from "node:crypto";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { createSandboxProvider } from "../lib/payments/providers/sandbox";
import { reconcile } from "../lib/payments/reconcile";
import { benchPassword, insertFans, openDatabase, prepareSchemaAndCatalog } from "./bench/database";
import { benchAddress, eachLimited, signIn } from "./bench/load";
import { delay, startServer, type RunningServer, type ServerSettings } from "./bench/server";
import { createCluster, createDatabase } from "./dr/cluster";
import { booksProblems } from "./drill/books";
import { runLoad, type DrillFan } from "./drill/load";
import { formatTable, verdict, type DrillRow } from "./drill/report";
import { restartPostgres, startPrivateRedis } from "./drill/services";
import { startWebhookFaultProxy } from "./drill/webhook-faults";

const { values } = parseArgs({
  options: {
    seconds: { type: "string", default: "40" },
    concurrency: { type: "string", default: "16" },
    // Enough that the fans' pull limits (10 a minute each) do not run out over the four
    // scenarios, which would leave the webhook fault with no purchase to act on.
    fans: { type: "string", default: "800" },
    "port-base": { type: "string", default: "5000" },
    json: { type: "string" },
  },
});
const seconds = Number(values.seconds);
const concurrency = Number(values.concurrency);
const fanCount = Number(values.fans);
const portBase = Number(values["port-base"]);
for (const [name, n] of Object.entries({ seconds, concurrency, fans: fanCount, "port-base": portBase })) {
  if (!Number.isInteger(n) || n < 1) {
    console.error(`--${name} takes a whole number ≥ 1`);
    process.exit(2);
  }
}
const ports = { pg: portBase, redis: portBase + 1, app: portBase + 2, bridge: portBase + 3, proxy: portBase + 4 };

const cleanups: (() => Promise<unknown>)[] = [];
let cleaning: Promise<void> | null = null;
function cleanUp(): Promise<void> {
  cleaning ??= (async () => {
    for (const step of cleanups.reverse()) await step().catch((err: Error) => console.error(`Cleanup: ${err.message}`));
  })();
  return cleaning;
}

async function main(): Promise<number> {
  // Reconciliation runs here, in the drill's process, and draws what it settles from the
  // purchases' sealed seeds: it must open them with the server's key. One key for both,
  // set before anything reads the settings (the server inherits this environment).
  process.env.FAIRNESS_SEED_KEY ||= randomBytes(32).toString("base64url");
  const tmp = await fs.mkdtemp(path.join(os.tmpdir(), "koepon-drill-"));
  cleanups.push(() => fs.rm(tmp, { recursive: true, force: true }));
  console.log(`Private PostgreSQL on ${ports.pg}, redis-server on ${ports.redis}, server on ${ports.app}…`);
  // Its own temp folder: under root the cluster runs as the postgres user, who cannot
  // enter the (private) folder of the rest of the drill.
  const pgRoot = await fs.mkdtemp(path.join(os.tmpdir(), "koepon-drill-pg-"));
  cleanups.push(() => fs.rm(pgRoot, { recursive: true, force: true }));
  const cluster = await createCluster({ root: pgRoot, binDir: null, archiveTimeoutSeconds: 60 }, ports.pg);
  cleanups.push(() => cluster.stop());
  const pgLog = path.join(pgRoot, "primary.log");
  const redis = await startPrivateRedis(ports.redis);
  cleanups.push(() => redis.stop());
  const databaseUrl = await createDatabase(cluster, "koepon_drill");
  const db = await openDatabase({ kind: "postgres", url: databaseUrl, poolMax: 4 });
  cleanups.push(() => db.close());
  const dataDir = path.join(tmp, "data");
  const campaigns = await prepareSchemaAndCatalog(
    db,
    { kind: "postgres", url: databaseUrl, poolMax: 4 },
    path.join(dataDir, "storage"),
  );
  const { password, hash } = await benchPassword();
  const users = await insertFans(db, "drill", fanCount, hash);

  const proxy = await startWebhookFaultProxy({
    port: ports.proxy,
    target: `http://127.0.0.1:${ports.app}`,
    holdMs: 1500,
  });
  cleanups.push(() => proxy.close());
  const settings: ServerSettings = {
    port: ports.app,
    bridgePort: ports.bridge,
    databaseUrl,
    poolMax: 10,
    redisUrl: redis.url,
    dataDir,
    logFile: path.join(tmp, "server.log"),
    requestMetrics: true,
    sandboxWebhookUrl: `${proxy.url}/api/webhooks/stripe`,
  };
  let server: RunningServer | null = null;
  const boot = async () => {
    server = await startServer(settings, { readyTimeoutMs: 15 * 60_000 });
    server.quiet();
    return server;
  };
  cleanups.push(() => server?.stop() ?? Promise.resolve());
  const baseUrl = (await boot()).baseUrl;

  const fans: DrillFan[] = [];
  await eachLimited([...users.keys()], concurrency, async (i) => {
    const address = benchAddress(i);
    fans[i] = { token: await signIn(baseUrl, users[i]!.email, password, address), address };
  });

  const provider = createSandboxProvider({ db, webhookSecret: "whsec_koepon_drill", deliver: () => {} });
  const faultAt = (seconds * 1000) / 3;
  const scenarios: { fault: string; inject: () => Promise<void>; reconcileAfter?: boolean }[] = [
    {
      fault: "app-kill9",
      reconcileAfter: true,
      inject: async () => {
        await server!.kill();
        await boot();
      },
    },
    { fault: "postgres-restart", inject: () => restartPostgres(cluster.dataDir, pgLog, "immediate") },
    {
      fault: "redis-restart",
      inject: async () => {
        await redis.stop();
        await delay(3_000);
        await redis.start();
      },
    },
    {
      fault: "webhook-faults",
      inject: async () => {
        proxy.setFaulty(true);
        await delay((seconds * 1000) / 3);
        proxy.setFaulty(false);
      },
    },
  ];

  const rows: DrillRow[] = [];
  for (const [index, scenario] of scenarios.entries()) {
    console.log(
      `\n[${scenario.fault}] ${seconds} s of load at concurrency ${concurrency}, fault after ${(faultAt / 1000).toFixed(1)} s…`,
    );
    const t0 = performance.now();
    const loading = runLoad({
      baseUrl,
      fans,
      campaignIds: campaigns,
      concurrency,
      seconds,
      keyPrefix: `drill-${Date.now()}-${index}`,
    });
    await delay(faultAt);
    await scenario.inject();
    const faultEndedMs = performance.now() - t0;
    const load = await loading;
    if (scenario.reconcileAfter) {
      const now = new Date();
      const summary = await reconcile(db, provider, { since: new Date(now.getTime() - 3_600_000), now });
      console.log(`  reconcile: ${summary.fulfilled.length} fulfilled now, ${summary.mismatches.length} mismatch(es)`);
    }
    // Webhooks still held or retrying settle before the books are read.
    await delay(3_000);
    const problems = await booksProblems(db);
    const firstAfter = load.successAtMs.find((ms) => ms >= faultEndedMs);
    const held = scenario.fault === "webhook-faults" ? proxy.stats().held : null;
    rows.push({
      fault: scenario.fault,
      requests: load.requests,
      failed: load.failed,
      recoveredAfterSeconds: firstAfter === undefined ? null : (firstAfter - faultEndedMs) / 1000,
      booksBalanced: problems.length === 0,
      problems,
      ...(held === 0 && {
        notExercised:
          "no webhook arrived while the proxy held them (no purchase then: the fans' rate limits spent? raise --fans)",
      }),
    });
    console.log(`  ${load.requests} requests, ${load.pullsSent} pulls sent, ${load.succeeded} purchases answered 201`);
    if (held !== null) console.log(`  webhook proxy: ${JSON.stringify(proxy.stats())}`);
  }

  console.log(`\n${formatTable(rows)}`);
  if (values.json) {
    await fs.writeFile(values.json, `${JSON.stringify({ seconds, concurrency, fans: fanCount, rows }, null, 2)}\n`);
    console.log(`Wrote ${values.json}`);
  }
  const failures = verdict(rows);
  for (const f of failures) console.error(`FAILED ${f}`);
  return failures.length > 0 ? 1 : 0;
}

// Ctrl-C stops the private services too: nothing of the drill outlives it.
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => void cleanUp().finally(() => process.exit(130)));
}

let exitCode = 1;
try {
  exitCode = await main();
} catch (err) {
  console.error(`Drill failed: ${(err as Error).message}`);
} finally {
  await cleanUp();
}
process.exit(exitCode);
