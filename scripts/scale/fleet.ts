/**
 * Everything the scale drill runs on: a database created on the PostgreSQL server of
 * DATABASE_URL (migrated and seeded directly, as a deploy migrates through the direct
 * address), a private PgBouncer in transaction mode in front of it, a private
 * redis-server behind one Upstash-REST bridge (the one store every instance shares), a
 * tap for the sandbox's webhooks, local PagerDuty and Slack receivers, N instances and
 * HAProxy in front of them. `stop()` takes it all down again, database included.
 */
import { randomBytes } from "node:crypto";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { newPrivateJwk } from "../../lib/auth/keys";
import type { Database } from "../../lib/db";
import { asService } from "../../lib/db/session";
import { startBridge } from "../../lib/ratelimit/bridge/server";
import {
  startPagerDutyReceiver,
  startSlackReceiver,
  type PagerDutyEvent,
  type Receiver,
} from "../../tests/helpers/alert-receivers";
import {
  benchPassword,
  createBenchDatabase,
  insertFans,
  openDatabase,
  prepareSchemaAndCatalog,
  type BenchUser,
} from "../bench/database";
import { startPrivateRedis } from "../drill/services";
import { startBalancer, type Balancer } from "./balancer";
import { startInstance, type Instance } from "./instances";
import { startPgBouncer } from "../pgbouncer/pgbouncer";
import { startWebhookTap, type WebhookTap } from "./webhook-tap";

export interface FleetOptions {
  /** The PostgreSQL server the drill's database is created on. */
  serverUrl: string;
  instances: number;
  portBase: number;
  fans: number;
  /** Connections each instance's pool may open (to PgBouncer). */
  poolMax: number;
  log: (line: string) => void;
}

export interface Fleet {
  db: Database;
  databaseName: string;
  ports: { balancer: number; redis: number; pgbouncer: number; bridge: number; tap: number };
  dataDir: string;
  campaigns: string[];
  users: BenchUser[];
  admin: BenchUser;
  password: string;
  balancer: Balancer;
  instances: Instance[];
  tap: WebhookTap;
  pagerDuty: Receiver<PagerDutyEvent>;
  cronSecret: string;
  /** Seconds a rotated refresh token is still accepted (concurrent tabs). */
  refreshGraceSeconds: number;
  stop(): Promise<void>;
}

export async function startFleet(options: FleetOptions): Promise<Fleet> {
  const cleanups: (() => Promise<unknown>)[] = [];
  const stop = async () => {
    for (const step of cleanups.reverse()) await step().catch((err: Error) => console.error(`Cleanup: ${err.message}`));
  };
  try {
    return { ...(await build(options, cleanups)), stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

async function build(options: FleetOptions, cleanups: (() => Promise<unknown>)[]): Promise<Omit<Fleet, "stop">> {
  const { log, portBase } = options;
  const ports = {
    balancer: portBase,
    redis: portBase + 1,
    pgbouncer: portBase + 2,
    bridge: portBase + 3,
    tap: portBase + 4,
  };
  const work = await fs.mkdtemp(path.join(os.tmpdir(), "koepon-scale-"));
  cleanups.push(() => fs.rm(work, { recursive: true, force: true }));
  const dataDir = path.join(work, "data");

  const database = await createBenchDatabase(options.serverUrl);
  cleanups.push(() => database.drop());
  const direct = { kind: "postgres" as const, url: database.url, poolMax: 4 };
  const db = await openDatabase(direct);
  cleanups.push(() => db.close());
  log(`database ${database.name}: migrating and loading the demo catalog`);
  const campaigns = await prepareSchemaAndCatalog(db, direct, path.join(dataDir, "storage"));
  const { password, hash } = await benchPassword();
  const users = await insertFans(db, "scale", options.fans, hash);
  const [admin] = await insertFans(db, "scale-admin", 1, hash);
  await asService(db, "scale:admin", (tx) =>
    tx.query("update public.users set role = 'admin' where id = $1", [admin!.id]),
  );

  const pgbouncer = await startPgBouncer({ port: ports.pgbouncer, upstream: database.url, poolSize: 20 });
  cleanups.push(() => pgbouncer.stop());
  const redis = await startPrivateRedis(ports.redis);
  cleanups.push(() => redis.stop());
  const bridgeToken = randomBytes(24).toString("hex");
  const bridge = await startBridge({ redisUrl: redis.url, port: ports.bridge, token: bridgeToken });
  cleanups.push(() => bridge.close());
  const pagerDuty = await startPagerDutyReceiver();
  cleanups.push(() => pagerDuty.close());
  const slack = await startSlackReceiver();
  cleanups.push(() => slack.close());
  const balancerUrl = `http://127.0.0.1:${ports.balancer}`;
  const tap = await startWebhookTap({ port: ports.tap, balancer: balancerUrl });
  cleanups.push(() => tap.close());
  log(`PgBouncer (transaction mode) on ${ports.pgbouncer}, redis-server on ${ports.redis}, bridge on ${ports.bridge}`);

  const cronSecret = randomBytes(24).toString("hex");
  const refreshGraceSeconds = 2;
  // What a fleet shares through its environment.
  const fleetEnv: Record<string, string> = {
    RATE_LIMIT_BRIDGE_TOKEN: bridgeToken,
    JWT_SIGNING_KEY: JSON.stringify(await newPrivateJwk()),
    SANDBOX_WEBHOOK_SECRET: `whsec_${randomBytes(24).toString("hex")}`,
    STORAGE_SIGNING_SECRET: randomBytes(32).toString("hex"),
    CRON_SECRET: cronSecret,
    REFRESH_REUSE_GRACE_SECONDS: String(refreshGraceSeconds),
    // One 2-core machine runs every process of the fleet: under a burst the store's
    // answer is late from CPU queueing, not from the store (production: 500 ms).
    RATE_LIMIT_TIMEOUT_MS: "3000",
    PAGERDUTY_ROUTING_KEY: randomBytes(16).toString("hex"),
    PAGERDUTY_EVENTS_URL: pagerDuty.url,
    SLACK_WEBHOOK_URL: `${slack.url}/services/T000/B000/XXXX`,
  };
  const names = Array.from({ length: options.instances }, (_, i) => ({ name: `app${i + 1}`, port: portBase + 10 + i }));
  log(`starting ${names.length} instances on ${names.map((n) => n.port).join(", ")}`);
  // Every instance that started is stopped with the fleet, even when another did not start.
  const started = await Promise.allSettled(
    names.map(({ name, port }) =>
      startInstance(
        name,
        {
          port,
          bridgePort: ports.bridge,
          databaseUrl: pgbouncer.url,
          preparedStatements: false,
          poolMax: options.poolMax,
          redisUrl: redis.url,
          dataDir,
          logFile: path.join(work, `${name}.log`),
          requestMetrics: true,
          sandboxWebhookUrl: tap.url,
          publicUrl: balancerUrl,
        },
        fleetEnv,
      ),
    ),
  );
  const instances = started.flatMap((s) => (s.status === "fulfilled" ? [s.value] : []));
  cleanups.push(() => Promise.all(instances.map((i) => i.stop())));
  const failed = started.find((s) => s.status === "rejected");
  if (failed) throw failed.reason;
  const balancer = await startBalancer({ dir: work, port: ports.balancer, instances: names });
  cleanups.push(() => balancer.stop());
  for (let i = 0; i < 100; i++) {
    const states = await balancer.states();
    if (names.every((n) => states[n.name] === "UP")) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  log(`HAProxy on ${balancerUrl}: ${JSON.stringify(await balancer.states())}`);
  return {
    db,
    databaseName: database.name,
    ports,
    dataDir,
    campaigns,
    users,
    admin: admin!,
    password,
    balancer,
    instances,
    tap,
    pagerDuty,
    cronSecret,
    refreshGraceSeconds,
  };
}
