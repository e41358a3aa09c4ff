/**
 * Admins read across accounts while active and lose it the moment they are suspended;
 * nobody reads password hashes.
 * Runs on PGlite, or on PostgreSQL when DATABASE_URL is set; actors, refusals and the
 * world are in tests/helpers/rls.ts.
 */
import { beforeAll, describe, expect, it } from "vitest";
import type { Database } from "@/lib/db/types";
import * as fx from "../helpers/fixtures";
import { attempt, DENIED, ENGINE, NO_ROWS, SERVICE, setUpRlsTests, sorted, user, type World } from "../helpers/rls";

let db: Database;
let w: World;
const { run, ids } = setUpRlsTests((fresh, world) => {
  db = fresh;
  w = world;
});

describe(`row level security on ${ENGINE}`, () => {
  describe("admins, suspended admins and password hashes", () => {
    const everyFan = () => [w.fan1.id, w.fan2.id];
    beforeAll(async () => {
      await run(
        SERVICE,
        `insert into public.webhook_events (provider, event_id, event_type, payload)
         values ('sandbox', 'evt_rls_test', 'payment_intent.succeeded', '{}'::jsonb)`,
      );
      await run(SERVICE, "insert into public.audit_log (actor_id, action) values ($1, 'user.suspend')", [w.admin.id]);
    });

    it("an active admin reads across accounts", async () => {
      const admin = user(w.admin);
      expect(await ids(admin, "select id from public.users where id = any($1)", [everyFan()])).toEqual(
        sorted(everyFan()),
      );
      expect(await ids(admin, "select distinct user_id as id from public.purchases")).toEqual(sorted(everyFan()));
      expect(await ids(admin, "select distinct user_id as id from public.medal_balances")).toEqual(sorted(everyFan()));
      expect(await ids(admin, "select id from public.campaigns where id = $1", [w.draftB.id])).toEqual([w.draftB.id]);
      expect(await ids(admin, "select id from public.content_files where id = $1", [w.fileB.id])).toEqual([w.fileB.id]);
    });

    it("a suspended admin reads only their own account", async () => {
      expect(await ids(user(w.suspendedAdmin), "select id from public.users")).toEqual([w.suspendedAdmin.id]);
    });

    it.each([
      "select id::text from public.purchases",
      "select user_id::text from public.medal_balances",
      "select id::text from public.medal_ledger",
      "select id::text from public.rewards",
      "select id::text from public.audit_log",
      "select id::text from public.webhook_events",
      "select id::text from public.content_files",
      "select id::text from public.campaigns where status = 'draft'",
      "select id::text from public.rate_tables where status = 'draft'",
    ])("%s: all rows for an active admin, none for a suspended one", async (sql) => {
      const [all] = (await run(SERVICE, `select count(*)::int as n from (${sql}) q`)) as { n: number }[];
      expect(all!.n).toBeGreaterThan(0);
      expect(await attempt(run(user(w.admin), sql))).toEqual({ rows: all!.n });
      expect(await attempt(run(user(w.suspendedAdmin), sql))).toEqual(NO_ROWS);
    });

    it("suspending an admin takes effect on the next statement, whatever the token says", async () => {
      const admin = await fx.createUser(db, { role: "admin" });
      const count = () => ids(user(admin), "select id from public.users where id = any($1)", [everyFan()]);
      expect(await count()).toHaveLength(2);
      await run(SERVICE, "update public.users set status = 'suspended' where id = $1", [admin.id]);
      expect(await count()).toEqual([]);
    });

    it.each([
      { who: "a fan", actor: () => user(w.fan1) },
      { who: "an admin", actor: () => user(w.admin) },
    ])("$who cannot read password_hash, not even their own", async ({ actor }) => {
      expect(
        await attempt(run(actor(), "select password_hash from public.users where id = $1", [w.fan1.id])),
      ).toMatchObject(DENIED);
      expect(await attempt(run(actor(), "select * from public.users where id = $1", [w.fan1.id]))).toMatchObject(
        DENIED,
      );
      expect(await attempt(run(actor(), "select id, email from public.users where id = $1", [w.fan1.id]))).toEqual({
        rows: 1,
      });
    });

    it("a fan reads and renames only their own account", async () => {
      const fan = user(w.fan1);
      expect(await ids(fan, "select id from public.users")).toEqual([w.fan1.id]);
      expect(
        await attempt(
          run(fan, "update public.users set display_name = 'renamed' where id = $1 returning id", [w.fan2.id]),
        ),
      ).toEqual(NO_ROWS);
      expect(
        await attempt(
          run(fan, "update public.users set display_name = 'renamed' where id = $1 returning id", [w.fan1.id]),
        ),
      ).toEqual({ rows: 1 });
    });
  });
});
