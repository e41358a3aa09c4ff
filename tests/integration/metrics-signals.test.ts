/**
 * Per-instance signal counts: each process writes its own running figure per minute,
 * a repeated or retried write changes nothing, readers sum the instances, and the
 * places that count (sign-in, its throttle, the webhook) do count.
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signalSums } from "@/lib/alerts/inputs";
import { login } from "@/lib/auth/login";
import { signup } from "@/lib/auth/signup";
import type { Database } from "@/lib/db";
import { asUser } from "@/lib/db/session";
import { DomainError } from "@/lib/domain-error";
import { countAnswer, countSignal, flushSignals, processSignals, sampleGauge } from "@/lib/metrics/signals";
import { testDeps } from "../helpers/auth";
import { createTestDatabase, type TestDatabase } from "../helpers/database";
import * as fx from "../helpers/fixtures";
import { setUpRouteTests } from "../helpers/route-test-context";

const app = setUpRouteTests();

const at = (time: string) => new Date(`2026-11-02T${time}Z`);
const store = (name: string) => ({ instanceId: name, minutes: new Map(), lastFlush: 0 });

let database: TestDatabase;
let db: Database;

beforeAll(async () => {
  database = await createTestDatabase();
  db = database.db;
});

afterAll(async () => {
  await database?.close();
});

async function rows(instance: string) {
  const found = await db.query<{ metric: string; bucket: Date; tag: string; value: string }>(
    "select metric, bucket, tag, value from public.metric_signal_counts where instance_id = $1 order by metric, bucket, tag",
    [instance],
  );
  return found.map((r) => `${r.metric} ${r.bucket.toISOString().slice(11, 16)} ${r.tag} ${Number(r.value)}`);
}

describe("signal counts", () => {
  it("two instances write their own minute figures; a repeated flush changes nothing; readers add them up", async () => {
    const a = store("host-a-1-0001");
    const b = store("host-b-2-0002");
    const t = at("10:00:10").getTime();
    for (let i = 0; i < 3; i++) countAnswer(200, 30, { now: t, store: a });
    countAnswer(503, 1_200, { now: t, store: a });
    countSignal("auth.login.failures", { now: t, store: b, n: 4 });
    countAnswer(200, 4, { now: t + 5_000, store: b });
    sampleGauge("db.pool.waiting", 3, { now: t, store: a });
    sampleGauge("db.pool.waiting", 1, { now: t + 1_000, store: a });

    await flushSignals(db, { now: at("10:00:30"), store: a });
    await flushSignals(db, { now: at("10:00:30"), store: a });
    await flushSignals(db, { now: at("10:00:40"), store: b });
    const written = await rows("host-a-1-0001");
    // On PostgreSQL the flush also sampled the pool before taking a connection (PGlite has none).
    expect(written.filter((r) => r.startsWith("db.pool.in_use"))).toEqual(
      db.engine === "postgres" ? ["db.pool.in_use 10:00  0"] : [],
    );
    expect(written.filter((r) => !r.startsWith("db.pool.in_use"))).toEqual([
      "db.pool.waiting 10:00  3",
      "http.requests 10:00 status_class:2xx 3",
      "http.requests 10:00 status_class:5xx 1",
      "system.performance.p99 10:00 le:2500 1",
      "system.performance.p99 10:00 le:50 3",
    ]);

    // More in the same minute: the running figure replaces the written one.
    countAnswer(200, 30, { now: at("10:00:50").getTime(), store: a });
    await flushSignals(db, { now: at("10:01:02"), store: a });
    expect(await rows("host-a-1-0001")).toContain("http.requests 10:00 status_class:2xx 4");
    // The closed minute is written and forgotten (the minute in progress stays: on PostgreSQL it holds the pool sample).
    expect([...a.minutes.keys()].filter((m) => m < at("10:01:00").getTime())).toEqual([]);

    const sums = await db.transaction((tx) =>
      signalSums(tx, "http.requests", { from: at("10:00:00"), to: at("10:01:00") }),
    );
    expect(Object.fromEntries(sums)).toEqual({ "status_class:2xx": 5, "status_class:5xx": 1 });
  });

  it("admins read the counts and incidents; fans and VTubers read neither, and nobody signed in writes them", async () => {
    const admin = await fx.createUser(db, { role: "admin" });
    const fan = await fx.createUser(db);
    const vtuber = await fx.createVtuber(db);
    const sql = "select count(*)::int as n from public.metric_signal_counts";
    expect((await asUser(db, admin.claims, (tx) => tx.query<{ n: number }>(sql)))[0]!.n).toBeGreaterThan(0);
    expect((await asUser(db, fan.claims, (tx) => tx.query<{ n: number }>(sql)))[0]!.n).toBe(0);
    expect((await asUser(db, vtuber.user.claims, (tx) => tx.query<{ n: number }>(sql)))[0]!.n).toBe(0);
    await expect(
      asUser(db, admin.claims, (tx) =>
        tx.query(
          "insert into public.metric_signal_counts (instance_id, metric, bucket, tag, value) values ('x', 'http.requests', now(), '', 1)",
        ),
      ),
    ).rejects.toThrow(/permission denied/);
    await expect(
      asUser(db, admin.claims, (tx) => tx.query("update public.alert_incidents set notify_lease_until = now()")),
    ).rejects.toThrow(/permission denied/);
  });

  it("a failed write keeps the minute for the next flush", async () => {
    const c = store("host-c-3-0003");
    countSignal("payments.provider_failures", { now: at("11:00:05").getTime(), store: c });
    const closed = await createTestDatabase();
    await closed.close();
    await expect(flushSignals(closed.db, { now: at("11:01:00"), store: c })).rejects.toThrow();
    await flushSignals(db, { now: at("11:01:10"), store: c });
    expect((await rows("host-c-3-0003")).filter((r) => !r.startsWith("db.pool"))).toEqual([
      "payments.provider_failures 11:00  1",
    ]);
  });

  it("a wrong password counts a failed sign-in, and the fifth locks the pair and counts a lock", async () => {
    const now = at("12:00:20");
    const email = `signals-${randomBytes(4).toString("hex")}@test.koepon.invalid`;
    const deps = await testDeps(app.db, app.keys, { now });
    await signup(
      deps,
      {
        email,
        password: "correct horse battery staple",
        displayName: "シグナル",
        birthdate: "1990-01-01",
        acceptTerms: true,
      },
      {},
    );
    const minute = processSignals().minutes.get(at("12:00:00").getTime());
    const before = (key: string) => minute?.get(key) ?? 0;
    const [failures, locks] = [before("auth.login.failures|"), before("auth.login.throttle_locks|")];
    for (let i = 0; i < 5; i++) {
      await expect(login(deps, { email, password: "wrong" }, { ip: "198.51.100.77", userAgent: null })).rejects.toThrow(
        DomainError,
      );
    }
    const after = processSignals().minutes.get(at("12:00:00").getTime())!;
    expect(after.get("auth.login.failures|")! - failures).toBe(5);
    expect(after.get("auth.login.throttle_locks|")! - locks).toBe(1);
  });
});
