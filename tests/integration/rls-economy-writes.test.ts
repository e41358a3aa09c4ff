/**
 * Economy tables (medals, purchases, spend, pulls, rewards, roles and limits) are never
 * written by a signed-in user, not even their own rows.
 * Runs on PGlite, or on PostgreSQL when DATABASE_URL is set; actors, refusals and the
 * world are in tests/helpers/rls.ts.
 */
import { describe, expect, it } from "vitest";
import { attempt, DENIED, ENGINE, SERVICE, setUpRlsTests, user, type World } from "../helpers/rls";

let w: World;
const { run } = setUpRlsTests((_db, world) => {
  w = world;
});

describe(`row level security on ${ENGINE}`, () => {
  describe("economy tables are never written by a signed-in user, not even their own rows", () => {
    const CASES: [what: string, sql: string][] = [
      [
        "update their medal balance",
        "update public.medal_balances set balance = balance + 1000 where user_id = $1 returning 1",
      ],
      [
        "insert a medal balance",
        "insert into public.medal_balances (user_id, vtuber_id, balance) values ($1, $2, 1000) returning 1",
      ],
      ["delete their medal balance", "delete from public.medal_balances where user_id = $1 returning 1"],
      ["update a medal ledger row", "update public.medal_ledger set delta = 1000 where user_id = $1 returning 1"],
      [
        "insert a medal ledger row",
        "insert into public.medal_ledger (user_id, vtuber_id, delta, balance_after, reason) values ($1, $2, 1000, 1000, 'adjustment') returning 1",
      ],
      ["delete a medal ledger row", "delete from public.medal_ledger where user_id = $1 returning 1"],
      [
        "mark their purchase refunded",
        "update public.purchases set status = 'refunded', refunded_at = now() where user_id = $1 returning 1",
      ],
      [
        "insert a purchase",
        `insert into public.purchases (user_id, campaign_id, idempotency_key, request_hash, pull_count, amount_jpy, spend_month, status, provider)
         values ($1, (select id from public.campaigns limit 1), 'fan-made-key', repeat('a', 64), 1, 100, date '2026-11-01', 'fulfilled', 'sandbox') returning 1`,
      ],
      ["reset their monthly spend", "update public.monthly_spend set committed_jpy = 0 where user_id = $1 returning 1"],
      ["change a pull's medals", "update public.pulls set medals_earned = 99999 where user_id = $1 returning 1"],
      [
        "insert a reward",
        "insert into public.rewards (user_id, content_file_id, vtuber_id, title, kind, source) select $1, id, vtuber_id, 'x', kind, 'pull' from public.content_files returning 1",
      ],
      ["promote themselves", "update public.users set role = 'admin' where id = $1 returning 1"],
      [
        "lift their own limit",
        "update public.users set voluntary_monthly_limit_jpy = null, birthdate = '1970-01-01' where id = $1 returning 1",
      ],
    ];

    const attemptAsFan = (sql: string) =>
      attempt(run(user(w.fan1), sql, sql.includes("$2") ? [w.fan1.id, w.vtA.id] : [w.fan1.id]));

    /** The fan's economy rows, and what the fixtures made them. */
    async function economy() {
      const [row] = (await run(
        SERVICE,
        `select (select balance from public.medal_balances where user_id = $1 and vtuber_id = $2) as balance,
                (select count(*)::int from public.medal_ledger where user_id = $1) as ledger,
                (select status from public.purchases where id = $3) as status,
                (select role from public.users where id = $1) as role`,
        [w.fan1.id, w.vtA.id, w.pulls.fan1[0]!.purchase.id],
      )) as { balance: number; ledger: number; status: string; role: string }[];
      const asMade = { balance: w.pulls.fan1[0]!.medals.balance, ledger: 1, status: "fulfilled", role: "user" };
      return { row, asMade };
    }

    it.each(CASES)("cannot %s (permission denied)", async (_what, sql) => {
      expect(await attemptAsFan(sql)).toMatchObject(DENIED);
      const { row, asMade } = await economy();
      expect(row).toEqual(asMade);
    });

    it("left the fan's economy rows as they were, after every attempt", async () => {
      for (const [, sql] of CASES) await attemptAsFan(sql);
      const { row, asMade } = await economy();
      expect(row).toEqual(asMade);
    });
  });
});
