/**
 * A database lost in the middle of requests (PostgreSQL restarting, its connections
 * terminated, a network that stops delivering): every request still gets an answer, a
 * success or 503 `service_unavailable` with Retry-After, within the data layer's bounds,
 * and the pool serves again once the database is back. Never a hang, never a 500.
 *
 * The losses are PostgreSQL only: PGlite runs inside the process and cannot be lost.
 * Through PgBouncer (CI's third run) the same holds with the pooler between us and the
 * server. On both engines: the bound and the caller's identity live in the transaction
 * and leave nothing on the connection for its next user.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET } from "@/app/api/me/medals/route";
import { getConfig } from "@/lib/config";
import { openDatabase, type Database } from "@/lib/db";
import { asService, asUser } from "@/lib/db/session";
import { isDatabaseUnavailable } from "@/lib/db/unavailable";
import { useAppDatabase } from "../helpers/app-db";
import { errorCode, signIn, testDeps, useTestKeys, type TestKeys } from "../helpers/auth";
import { createTestDatabase, withAdmin, type TestDatabase } from "../helpers/database";
import { createUser, createVtuber, grantMedals } from "../helpers/fixtures";
import { startTcpProxy, type TcpProxy } from "../helpers/tcp-proxy";

const onPostgres = getConfig().database.kind === "postgres";

/** Far above the bounds below, far below "forever": what has not settled by then hung. */
const HUNG_AFTER_MS = 20_000;
const LIMITS = { connectTimeoutMs: 500, statementTimeoutMs: 1_000 };

type Outcome = { settled: "answered"; status: number; code: string | null } | { settled: "hung" };

/** Waits for a request, but not past HUNG_AFTER_MS. */
async function outcomeOf(request: Promise<Response>): Promise<Outcome> {
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise<Outcome>(
    (resolve) => (timer = setTimeout(() => resolve({ settled: "hung" }), HUNG_AFTER_MS)),
  );
  const answered = request.then(async (response): Promise<Outcome> => {
    const code = response.status === 200 ? null : await errorCode(response);
    return { settled: "answered", status: response.status, code };
  });
  return Promise.race([answered, hung]).finally(() => clearTimeout(timer));
}

/** Same for a data-layer call: "ok", "unavailable" (a lost database) or the error's message. */
async function settle(work: Promise<unknown>): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise<string>((resolve) => (timer = setTimeout(() => resolve("hung"), HUNG_AFTER_MS)));
  const done = work.then(
    () => "ok",
    (err: unknown) => (isDatabaseUnavailable(err) ? "unavailable" : `error: ${(err as Error).message}`),
  );
  return Promise.race([done, hung]).finally(() => clearTimeout(timer));
}

describe("the settings of a transaction", () => {
  let t: TestDatabase;
  beforeAll(async () => (t = await createTestDatabase({ poolMax: 1 })));
  afterAll(() => t?.close());

  it("hold inside it, the statement timeout among them, and are gone from the connection after it", async () => {
    const read = `select current_setting('statement_timeout') as timeout, current_user as role,
                         coalesce(current_setting('request.jwt.claims', true), '') as claims`;
    type Settings = { timeout: string; role: string; claims: string };
    const sub = "00000000-0000-4000-8000-000000000001";
    const [inside] = await asUser(t.db, { sub, appRole: "user" }, (tx) => tx.query<Settings>(read));
    expect(inside).toMatchObject({ timeout: onPostgres ? "15s" : "0", role: "authenticated" });
    expect(JSON.parse(inside!.claims)).toMatchObject({ sub, role: "authenticated" });
    // One connection in the pool (PostgreSQL), so this runs on the very same one.
    expect(await t.db.query<Settings>(read)).toEqual([{ timeout: "0", role: "postgres", claims: "" }]);
  });
});

if (onPostgres) {
  describe("a database lost mid-request", () => {
    let t: TestDatabase;
    let proxy: TcpProxy;
    let appDb: Database;
    let keys: TestKeys;
    let restoreDb: () => void;
    let token: string;

    const getMedals = () =>
      GET(new Request("http://localhost/api/me/medals", { headers: { authorization: `Bearer ${token}` } }), {
        params: Promise.resolve({}),
      });

    beforeAll(async () => {
      t = await createTestDatabase();
      const target = new URL(t.url!);
      proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
      appDb = await openDatabase({ kind: "postgres", url: proxy.via(t.url!), poolMax: 4, ...LIMITS });
      restoreDb = useAppDatabase(appDb);
      keys = await useTestKeys();
      const fan = await createUser(t.db);
      await grantMedals(t.db, fan, await createVtuber(t.db), 30);
      token = (await signIn(await testDeps(t.db, keys), fan)).accessToken.token;
    });
    afterAll(async () => {
      restoreDb?.();
      await keys?.restore();
      await appDb?.close();
      await proxy?.close();
      await t?.close();
    });

    it("answers 503 service_unavailable to every request while the server is silent, then serves again", async () => {
      expect((await getMedals()).status).toBe(200);

      proxy.freeze();
      // More requests than connections: some wait on a pooled connection whose server
      // went quiet, the rest on new connections that never finish opening.
      const outcomes = await Promise.all(Array.from({ length: 8 }, () => outcomeOf(getMedals())));
      proxy.thaw();

      expect(outcomes).toEqual(
        Array.from({ length: 8 }, () => ({ settled: "answered", status: 503, code: "service_unavailable" })),
      );
      const after = await getMedals();
      expect(after.status).toBe(200);
      expect(await after.json()).toMatchObject({ medals: [{ balance: 30 }] });
    });

    it("settles every transaction in flight when the server terminates their connections", async () => {
      const marker = `outage-${process.pid}-${Date.now()}`;
      const inFlight = Array.from({ length: 4 }, () =>
        settle(
          asService(appDb, "test:outage", async (tx) => {
            await tx.query("select set_config('application_name', $1, true), pg_sleep(0.8)", [marker]);
            return tx.query("select count(*) from public.users");
          }),
        ),
      );
      // Once the server runs them, end their backends, as a restart or failover does.
      await withAdmin(t.url!, async (admin) => {
        for (let i = 0; i < 200; i++) {
          const { rows } = await admin.query<{ n: number }>(
            "select count(*)::int as n from pg_stat_activity where application_name = $1",
            [marker],
          );
          if (rows[0]!.n > 0) break;
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
        await admin.query("select pg_terminate_backend(pid) from pg_stat_activity where application_name = $1", [
          marker,
        ]);
      });

      const settled = await Promise.all(inFlight);
      expect(settled.filter((s) => s !== "ok" && s !== "unavailable")).toEqual([]);
      expect(settled).toContain("unavailable");
      expect((await getMedals()).status).toBe(200);
    });

    it("cancels a statement past its statement_timeout, which answers as unavailable, not as a bug", async () => {
      const slow = settle(asService(appDb, "test:slow", (tx) => tx.query("select pg_sleep(5)")));
      expect(await slow).toBe("unavailable");
      // The cancelled transaction's connection is whole: the next one runs on the pool.
      expect(await settle(asService(appDb, "test:after", (tx) => tx.query("select 1")))).toBe("ok");
    });
  });
}
