/**
 * The medal ledger and the audit log are append-only, for service_role and the table
 * owner alike.
 * Runs on PGlite, or on PostgreSQL when DATABASE_URL is set; actors, refusals and the
 * world are in tests/helpers/rls.ts.
 */
import { beforeAll, describe, expect, it } from "vitest";
import type { Database } from "@/lib/db/types";
import * as fx from "../helpers/fixtures";
import { APPEND_ONLY, attempt, DENIED, ENGINE, OWNER, SERVICE, setUpRlsTests, type World } from "../helpers/rls";

let db: Database;
let w: World;
const { run } = setUpRlsTests((fresh, world) => {
  db = fresh;
  w = world;
});

describe(`row level security on ${ENGINE}`, () => {
  describe("ledgers are append-only, privileged or not", () => {
    let auditId: number;
    beforeAll(async () => {
      const [row] = (await run(
        SERVICE,
        "insert into public.audit_log (actor_id, action, target_type, target_id) values ($1, 'campaign.approve', 'campaign', $2) returning id",
        [w.admin.id, w.liveA.campaign.id],
      )) as { id: number }[];
      auditId = row!.id;
    });

    const TABLES = [
      {
        table: "medal_ledger",
        update: "update public.medal_ledger set delta = delta + 1 where user_id = $1 returning id",
        delete: "delete from public.medal_ledger where user_id = $1 returning id",
        param: () => w.fan1.id,
      },
      {
        table: "audit_log",
        update: "update public.audit_log set action = 'campaign.reject' where id = $1 returning id",
        delete: "delete from public.audit_log where id = $1 returning id",
        param: () => auditId,
      },
    ];
    const CASES = TABLES.flatMap((t) => [
      { ...t, who: "service_role", actor: SERVICE, op: "update" as const, expected: DENIED },
      { ...t, who: "service_role", actor: SERVICE, op: "delete" as const, expected: DENIED },
      { ...t, who: "service_role", actor: SERVICE, op: "truncate" as const, expected: DENIED },
      { ...t, who: "the table owner", actor: OWNER, op: "update" as const, expected: APPEND_ONLY },
      { ...t, who: "the table owner", actor: OWNER, op: "delete" as const, expected: APPEND_ONLY },
      { ...t, who: "the table owner", actor: OWNER, op: "truncate" as const, expected: APPEND_ONLY },
    ]);

    it.each(CASES)("$table: $who cannot $op", async ({ table, op, actor, expected, param, ...sql }) => {
      const all = `select json_agg(x order by x.id) as rows from public.${table} x`;
      const before = await run(SERVICE, all);
      const statement = op === "truncate" ? `truncate public.${table}` : sql[op];
      expect(await attempt(run(actor, statement, op === "truncate" ? [] : [param()]))).toMatchObject(expected);
      expect(await run(SERVICE, all)).toEqual(before);
    });

    it("service_role can append", async () => {
      expect(
        await attempt(run(SERVICE, "insert into public.audit_log (action) values ('user.suspend') returning id")),
      ).toEqual({ rows: 1 });
      expect((await fx.grantMedals(db, w.fan1, w.vtA, 5)).balance).toBe(w.pulls.fan1[0]!.medals.balance + 5);
    });
  });
});
