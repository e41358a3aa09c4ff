/**
 * The reservation reads the buyer under the row lock a limit change or a suspension
 * takes (lib/auth/voluntary-limit.ts says the cap is read "under the same row lock"), so
 * a reservation that starts while such a change is in flight waits for it and is
 * judged by what it committed, not by the row as it was.
 *
 * The race needs two connections, so it runs on PostgreSQL (PGlite has one connection);
 * the sequential case runs on both.
 */
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getConfig } from "@/lib/config";
import { DomainError } from "@/lib/domain-error";
import { reserve } from "@/lib/payments/reserve";
import { createApprovedCampaign, createUser, createVtuber, type GachaFixture } from "../helpers/fixtures";
import { createTestDatabase, type TestDatabase } from "../helpers/database";
import { countRows, pullRequest } from "../helpers/payment-fixtures";

const onPostgres = getConfig().database.kind === "postgres";

describe("the buyer read in the reserve step, one change after another", () => {
  let t: TestDatabase;
  let gacha: GachaFixture;

  beforeAll(async () => {
    t = await createTestDatabase();
    gacha = await createApprovedCampaign(t.db, await createVtuber(t.db));
  });
  afterAll(() => t.close());

  it("judges each reservation by the limit and status committed before it", async () => {
    const fan = await createUser(t.db);
    const attempt = () =>
      reserve(t.db, pullRequest(fan, gacha.campaign), { now: new Date(), provider: "sandbox" }).then(
        (r) => (r.created ? "reserved" : "replayed"),
        (err: unknown) => (err instanceof DomainError ? err.code : Promise.reject(err)),
      );
    expect(await attempt()).toBe("reserved");
    await t.db.query("update public.users set voluntary_monthly_limit_jpy = 0 where id = $1", [fan.id]);
    expect(await attempt()).toBe("spending_cap_exceeded");
    await t.db.query("update public.users set voluntary_monthly_limit_jpy = null, status = 'suspended' where id = $1", [
      fan.id,
    ]);
    expect(await attempt()).toBe("account_suspended");
    expect(await countRows(t.db, "purchases", "user_id = $1", [fan.id])).toBe(1);
  });
});

if (onPostgres) {
  describe("the buyer read in the reserve step, racing a change in flight", () => {
    let t: TestDatabase;
    let gacha: GachaFixture;

    beforeAll(async () => {
      t = await createTestDatabase();
      gacha = await createApprovedCampaign(t.db, await createVtuber(t.db));
    });
    afterAll(() => t.close());

    /**
     * Holds the buyer's row as a change of theirs does (`for update`, the change made,
     * not committed), starts a reservation, and commits the change once the reservation
     * is seen waiting for a lock, or as soon as it has finished without waiting.
     */
    async function reserveDuring(change: string, userId: string): Promise<string> {
      const other = new pg.Client({ connectionString: t.url });
      await other.connect();
      try {
        await other.query("begin");
        await other.query("select id from public.users where id = $1 for update", [userId]);
        await other.query(change, [userId]);
        let settled = false;
        const outcome = reserve(t.db, pullRequest({ id: userId }, gacha.campaign), {
          now: new Date(),
          provider: "sandbox",
        }).then(
          (r) => (r.created ? "reserved" : "replayed"),
          (err: unknown) => (err instanceof DomainError ? err.code : Promise.reject(err)),
        );
        void outcome.finally(() => (settled = true));
        for (;;) {
          // Inside a transaction pg_stat_activity is a snapshot taken at its first read:
          // a backend that connected later (a pooler may open one for the reservation)
          // would never show up without clearing it.
          await other.query("select pg_stat_clear_snapshot()");
          const [waiting] = (
            await other.query<{ n: number }>(
              `select count(*)::int as n from pg_stat_activity
                where datname = current_database() and wait_event_type = 'Lock' and pid <> pg_backend_pid()`,
            )
          ).rows;
          if (settled || waiting!.n > 0) break;
          await new Promise((resolve) => setImmediate(resolve));
        }
        await other.query("commit");
        return await outcome;
      } finally {
        await other.end();
      }
    }

    it("waits for a limit change in flight and refuses by the new limit", async () => {
      const fan = await createUser(t.db);
      expect(await reserveDuring("update public.users set voluntary_monthly_limit_jpy = 0 where id = $1", fan.id)).toBe(
        "spending_cap_exceeded",
      );
      expect(await countRows(t.db, "purchases", "user_id = $1", [fan.id])).toBe(0);
    });

    it("waits for a suspension in flight and refuses the suspended account", async () => {
      const fan = await createUser(t.db);
      expect(await reserveDuring("update public.users set status = 'suspended' where id = $1", fan.id)).toBe(
        "account_suspended",
      );
      expect(await countRows(t.db, "purchases", "user_id = $1", [fan.id])).toBe(0);
    });
  });
}
