/**
 * An approved rate table is frozen for everyone: signed-in users are stopped by grants
 * and policies, service_role and the table owner by the immutability triggers.
 * Runs on PGlite, or on PostgreSQL when DATABASE_URL is set; actors, refusals and the
 * world are in tests/helpers/rls.ts.
 */
import { describe, expect, it } from "vitest";
import type { RateEntry } from "@/lib/gacha/rate-table";
import {
  attempt,
  canonicalHash,
  DENIED,
  ENGINE,
  IMMUTABLE,
  NO_ROWS,
  OWNER,
  REFUSED_APPROVAL,
  SERVICE,
  setUpRlsTests,
  sorted,
  user,
  type Actor,
  type World,
} from "../helpers/rls";

let w: World;
const { run } = setUpRlsTests((_db, world) => {
  w = world;
});

describe(`row level security on ${ENGINE}`, () => {
  describe("an approved rate table is frozen for everyone", () => {
    // Each statement returns a row per change, so "0 rows" is measurable.
    const OPS = {
      reopen: "update public.rate_tables set status = 'draft' where id = $1 returning id",
      rehash: "update public.rate_tables set content_hash = repeat('0', 64) where id = $1 returning id",
      delete: "delete from public.rate_tables where id = $1 returning id",
      addEntry:
        "insert into public.rate_table_entries (rate_table_id, slot, item_id, rarity, weight_ppm) values ($1, 'regular', $2, 'SR', 1) returning 1",
      reweigh: "update public.rate_table_entries set weight_ppm = weight_ppm + 1 where rate_table_id = $1 returning 1",
      clear: "delete from public.rate_table_entries where rate_table_id = $1 returning 1",
      truncateEntries: "truncate public.rate_table_entries",
      truncateTables: "truncate public.rate_tables cascade",
    } as const;
    type Op = keyof typeof OPS;

    // Signed-in users are stopped by grants and policies before the trigger runs;
    // service_role and the owner hold the privileges, so the trigger is what stops them.
    const AS_SIGNED_IN: Record<Op, object> = {
      reopen: DENIED,
      rehash: DENIED,
      delete: DENIED,
      // The row trigger runs before the INSERT policy is checked.
      addEntry: IMMUTABLE,
      reweigh: DENIED,
      clear: NO_ROWS,
      truncateEntries: DENIED,
      truncateTables: DENIED,
    };
    const AS_SERVICE: Record<Op, object> = {
      reopen: IMMUTABLE,
      rehash: IMMUTABLE,
      delete: IMMUTABLE,
      addEntry: IMMUTABLE,
      reweigh: IMMUTABLE,
      clear: IMMUTABLE,
      truncateEntries: DENIED,
      truncateTables: DENIED,
    };
    const AS_OWNER: Record<Op, object> = { ...AS_SERVICE, truncateEntries: IMMUTABLE, truncateTables: IMMUTABLE };

    const ACTORS: { who: string; actor: () => Actor; expected: Record<Op, object> }[] = [
      { who: "the owning VTuber", actor: () => user(w.vtA.user), expected: AS_SIGNED_IN },
      { who: "an admin", actor: () => user(w.admin), expected: AS_SIGNED_IN },
      { who: "service_role", actor: () => SERVICE, expected: AS_SERVICE },
      { who: "the table owner (no role switch)", actor: () => OWNER, expected: AS_OWNER },
    ];
    const CASES = ACTORS.flatMap(({ who, actor, expected }) =>
      (Object.keys(OPS) as Op[]).map((op) => ({ who, op, actor, expected: expected[op] })),
    );

    const stored = async (tableId: string) => {
      const [row] = (await run(SERVICE, "select status, content_hash from public.rate_tables where id = $1", [
        tableId,
      ])) as {
        status: string;
        content_hash: string;
      }[];
      const entries = (await run(
        SERVICE,
        `select slot, item_id as "itemId", rarity, weight_ppm as "weightPpm"
           from public.rate_table_entries where rate_table_id = $1 order by slot, item_id`,
        [tableId],
      )) as RateEntry[];
      return { ...row, entries };
    };

    it.each(CASES)("$who: $op is refused", async ({ op, actor, expected }) => {
      const table = w.liveA.rateTable;
      const before = await stored(table.id);
      const params = op.startsWith("truncate") ? [] : op === "addEntry" ? [table.id, w.spareItemA.id] : [table.id];
      expect(await attempt(run(actor(), OPS[op], params))).toMatchObject(expected);
      expect(await stored(table.id)).toEqual(before);
    });

    it("still holds exactly the approved entries, matching its hash", async () => {
      const now = await stored(w.liveA.rateTable.id);
      expect(now.status).toBe("approved");
      expect(sorted(now.entries.map((e) => JSON.stringify(e)))).toEqual(
        sorted(w.liveA.rateTable.entries.map((e) => JSON.stringify(e))),
      );
      expect(now.content_hash).toBe(canonicalHash(now.entries));
    });

    it.each([
      {
        who: "service_role",
        actor: () => SERVICE,
        expected: { ...REFUSED_APPROVAL, message: expect.stringMatching(/created as drafts/) },
      },
      {
        who: "the table owner",
        actor: () => OWNER,
        expected: { ...REFUSED_APPROVAL, message: expect.stringMatching(/created as drafts/) },
      },
      { who: "the owning VTuber", actor: () => user(w.vtA.user), expected: DENIED },
    ])("$who cannot insert a table that is already approved", async ({ actor, expected }) => {
      const sql = `insert into public.rate_tables (campaign_id, version, status, content_hash, approved_at)
                   values ($1, 99, 'approved', repeat('a', 64), now()) returning id`;
      expect(await attempt(run(actor(), sql, [w.draftA.id]))).toMatchObject(expected);
      expect(
        await attempt(
          run(SERVICE, "select id from public.rate_tables where campaign_id = $1 and version = 99", [w.draftA.id]),
        ),
      ).toEqual(NO_ROWS);
    });
  });
});
