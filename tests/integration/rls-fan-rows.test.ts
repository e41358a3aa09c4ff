/**
 * A fan's purchases, pulls, medals and rewards: each fan sees exactly their own rows.
 * Runs on PGlite, or on PostgreSQL when DATABASE_URL is set; actors, refusals and the
 * world are in tests/helpers/rls.ts.
 */
import { describe, expect, it } from "vitest";
import { ENGINE, SERVICE, setUpRlsTests, sorted, user, type Actor, type World } from "../helpers/rls";

let w: World;
const { run, ids } = setUpRlsTests((_db, world) => {
  w = world;
});

describe(`row level security on ${ENGINE}`, () => {
  describe("a fan's purchases, pulls, medals and rewards are theirs alone", () => {
    // `owner` finds the fan a row belongs to, for the service-side expectation.
    const FAN_TABLES = [
      { table: "purchases", key: "id::text", owner: "user_id" },
      { table: "monthly_spend", key: "user_id::text || '/' || month", owner: "user_id" },
      { table: "pulls", key: "id::text", owner: "user_id" },
      {
        table: "pull_results",
        key: "pull_id::text || '/' || slot",
        owner: "(select p.user_id from public.pulls p where p.id = pull_id)",
      },
      { table: "medal_balances", key: "user_id::text || '/' || vtuber_id", owner: "user_id" },
      { table: "medal_ledger", key: "id::text", owner: "user_id" },
      { table: "rewards", key: "id::text", owner: "user_id" },
    ];

    it.each(FAN_TABLES)("$table: each fan sees exactly their own rows", async ({ table, key, owner }) => {
      const keysOf = async (actor: Actor, where = "", params: unknown[] = []) =>
        sorted(
          ((await run(actor, `select ${key} as k from public.${table} ${where}`, params)) as { k: string }[]).map(
            (r) => r.k,
          ),
        );

      const fans = [w.fan1, w.fan2, w.newcomer];
      const expected = await Promise.all(fans.map((f) => keysOf(SERVICE, `where ${owner} = $1`, [f.id])));
      // Both fans have rows, so "sees none of the other's" is not vacuous.
      expect(expected[0]!.length).toBeGreaterThan(0);
      expect(expected[1]!.length).toBeGreaterThan(0);
      expect(expected[2]).toEqual([]);

      for (const [i, fan] of fans.entries()) {
        expect(await keysOf(user(fan))).toEqual(expected[i]);
      }
      // Asking for another fan's rows by id does not help either.
      expect(await keysOf(user(w.fan1), `where ${owner} = $1`, [w.fan2.id])).toEqual([]);
    });

    it("lets a fan see the items they drew, even outside the public catalog", async () => {
      // fan1 drew liveA items: visible through the "drawn" policy as well as the catalog.
      const drawn = w.pulls.fan1[0]!.pull.results.map((r) => r.itemId);
      expect(await ids(user(w.fan1), "select id from public.gacha_items where id = any($1)", [drawn])).toEqual(
        sorted([...new Set(drawn)]),
      );
    });
  });
});
