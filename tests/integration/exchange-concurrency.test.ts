/**
 * The exchange under real concurrency (PostgreSQL runs these transactions in parallel;
 * PGlite queues them, which must give the same answers). Below the rate limiter: these
 * call the domain function directly, as twenty requests that passed the gate would.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DomainError } from "@/lib/domain-error";
import { exchangeItem, type ExchangeOutcome } from "@/lib/exchange/exchange-item";
import { createTestDatabase, type TestDatabase } from "../helpers/database";
import { createExchangeItem, createUser, createVtuber, grantMedals as giveMedals } from "../helpers/fixtures";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(() => t.close());

const now = new Date("2026-12-01T12:00:00Z");
const engine = process.env.DATABASE_URL ? "PostgreSQL" : "PGlite";

function settle(results: PromiseSettledResult<ExchangeOutcome>[]) {
  const successes = results.flatMap((r) => (r.status === "fulfilled" ? [r.value] : []));
  const codes = results.flatMap((r) => {
    if (r.status === "fulfilled") return [];
    if (r.reason instanceof DomainError) return [r.reason.code];
    throw r.reason;
  });
  return { successes, codes };
}

async function balanceOf(userId: string, vtuberId: string): Promise<number | undefined> {
  const [row] = await t.db.query<{ balance: number }>(
    "select balance from public.medal_balances where user_id = $1 and vtuber_id = $2",
    [userId, vtuberId],
  );
  return row?.balance;
}

async function count(sql: string, params: unknown[]): Promise<number> {
  const [row] = await t.db.query<{ n: number }>(`select count(*)::int as n from (${sql}) counted`, params);
  return row!.n;
}

describe(`exchange concurrency on ${engine}`, () => {
  it("stock 1 and 20 fans exchanging at once: exactly one success, 19 out_of_stock", async () => {
    const vtuber = await createVtuber(t.db);
    const item = await createExchangeItem(t.db, vtuber, { stock: 1, costMedals: 300, perUserLimit: 1 });
    const fans = [];
    for (let i = 0; i < 20; i++) {
      const fan = await createUser(t.db);
      await giveMedals(t.db, fan, vtuber, 500);
      fans.push(fan);
    }

    const { successes, codes } = settle(
      await Promise.allSettled(
        fans.map((fan, i) =>
          exchangeItem(t.db, { userId: fan.id, itemId: item.id, idempotencyKey: `stock-race-${i}`, now }),
        ),
      ),
    );

    expect(successes).toHaveLength(1);
    expect(codes).toEqual(Array(19).fill("out_of_stock"));
    const [stock] = await t.db.query<{ stock: number }>("select stock from public.exchange_items where id = $1", [
      item.id,
    ]);
    expect(stock!.stock).toBe(0);

    const rewards = await t.db.query<{ user_id: string; exchange_id: string }>(
      "select user_id, exchange_id from public.rewards where content_file_id = $1",
      [item.contentFileId],
    );
    expect(rewards).toHaveLength(1);
    expect(rewards[0]!.exchange_id).toBe(successes[0]!.exchange.id);
    const winner = rewards[0]!.user_id;
    expect(await count("select 1 from public.exchanges where exchange_item_id = $1", [item.id])).toBe(1);

    for (const fan of fans) {
      expect(await balanceOf(fan.id, vtuber.id)).toBe(fan.id === winner ? 200 : 500);
    }
    expect(successes[0]!.exchange.medalBalance).toBe(200);
  });

  it("one fan, 20 parallel exchanges with distinct keys of a once-per-fan item: exactly one success", async () => {
    const vtuber = await createVtuber(t.db);
    const item = await createExchangeItem(t.db, vtuber, { stock: null, costMedals: 100, perUserLimit: 1 });
    const fan = await createUser(t.db);
    await giveMedals(t.db, fan, vtuber, 100 * 20);

    const { successes, codes } = settle(
      await Promise.allSettled(
        Array.from({ length: 20 }, (_, i) =>
          exchangeItem(t.db, { userId: fan.id, itemId: item.id, idempotencyKey: `limit-race-${i}`, now }),
        ),
      ),
    );

    expect(successes).toHaveLength(1);
    expect(codes).toEqual(Array(19).fill("exchange_limit_reached"));
    expect(await balanceOf(fan.id, vtuber.id)).toBe(1900);
    expect(await count("select 1 from public.exchanges where user_id = $1", [fan.id])).toBe(1);
    expect(await count("select 1 from public.medal_ledger where user_id = $1 and reason = 'exchange'", [fan.id])).toBe(
      1,
    );
    expect(await count("select 1 from public.rewards where user_id = $1", [fan.id])).toBe(1);
  });

  it("20 parallel requests sharing one key: one exchange, one debit, 20 identical bodies", async () => {
    const vtuber = await createVtuber(t.db);
    const item = await createExchangeItem(t.db, vtuber, { stock: 5, costMedals: 250 });
    const fan = await createUser(t.db);
    await giveMedals(t.db, fan, vtuber, 1000);

    const outcomes = await Promise.all(
      Array.from({ length: 20 }, () =>
        exchangeItem(t.db, { userId: fan.id, itemId: item.id, idempotencyKey: "one-key-for-all-20", now }),
      ),
    );

    expect(outcomes.filter((o) => o.created)).toHaveLength(1);
    const bodies = outcomes.map((o) => JSON.stringify({ exchange: o.exchange }));
    expect(new Set(bodies).size).toBe(1);
    expect(outcomes[0]!.exchange).toMatchObject({ itemId: item.id, costMedals: 250, medalBalance: 750 });
    expect(await balanceOf(fan.id, vtuber.id)).toBe(750);
    expect(await count("select 1 from public.exchanges where user_id = $1", [fan.id])).toBe(1);
    expect(await count("select 1 from public.medal_ledger where user_id = $1 and reason = 'exchange'", [fan.id])).toBe(
      1,
    );
    const [stock] = await t.db.query<{ stock: number }>("select stock from public.exchange_items where id = $1", [
      item.id,
    ]);
    expect(stock!.stock).toBe(4);
  });

  it("one key sent at once for items of different VTubers: one exchange, the others are a reused key", async () => {
    const fan = await createUser(t.db);
    const vtubers = [];
    const items = [];
    for (let i = 0; i < 5; i++) {
      const vtuber = await createVtuber(t.db);
      items.push(await createExchangeItem(t.db, vtuber, { costMedals: 100 }));
      await giveMedals(t.db, fan, vtuber, 100);
      vtubers.push(vtuber);
    }
    // Each holds a different balance lock, so nothing serialises them before the insert:
    // the slow insert keeps the first key in flight while the others reach theirs, and
    // they meet at the unique index (on PostgreSQL; PGlite runs them one by one).
    await t.db.exec(`
      create function public.test_slow_exchange() returns trigger language plpgsql as
      $$ begin perform pg_sleep(0.3); return new; end $$;
      create trigger test_slow_exchange before insert on public.exchanges
        for each row execute function public.test_slow_exchange();`);
    try {
      const { successes, codes } = settle(
        await Promise.allSettled(
          items.map((item) =>
            exchangeItem(t.db, { userId: fan.id, itemId: item.id, idempotencyKey: "shared-across-vtubers", now }),
          ),
        ),
      );

      expect(successes).toHaveLength(1);
      expect(codes).toEqual(Array(4).fill("idempotency_key_reused"));
      const spentOn = items.findIndex((item) => item.id === successes[0]!.exchange.itemId);
      for (const [i, vtuber] of vtubers.entries()) {
        expect(await balanceOf(fan.id, vtuber.id)).toBe(i === spentOn ? 0 : 100);
      }
    } finally {
      await t.db.exec(
        "drop trigger test_slow_exchange on public.exchanges; drop function public.test_slow_exchange();",
      );
    }
  });

  it("two items handing out the same file, exchanged at once: one reward, the other already_owned", async () => {
    const fan = await createUser(t.db);
    const [a, b] = [await createVtuber(t.db), await createVtuber(t.db)];
    const itemA = await createExchangeItem(t.db, a, { costMedals: 100 });
    // A file listed twice (here under two VTubers, so no balance lock orders them): the
    // reward box's unique (user, file) is what stops the second.
    const file = { id: itemA.contentFileId, vtuberId: a.id, kind: "voice" as const, title: "x", storagePath: "x" };
    const itemB = await createExchangeItem(t.db, b, { file, costMedals: 100 });
    await giveMedals(t.db, fan, a, 100);
    await giveMedals(t.db, fan, b, 100);
    await t.db.exec(`
      create function public.test_slow_exchange() returns trigger language plpgsql as
      $$ begin perform pg_sleep(0.3); return new; end $$;
      create trigger test_slow_exchange before insert on public.exchanges
        for each row execute function public.test_slow_exchange();`);
    try {
      const { successes, codes } = settle(
        await Promise.allSettled(
          [itemA, itemB].map((item, i) =>
            exchangeItem(t.db, { userId: fan.id, itemId: item.id, idempotencyKey: `same-file-${i}`, now }),
          ),
        ),
      );
      expect(successes).toHaveLength(1);
      expect(codes).toEqual(["already_owned"]);
    } finally {
      await t.db.exec(
        "drop trigger test_slow_exchange on public.exchanges; drop function public.test_slow_exchange();",
      );
    }
    const spent = (await balanceOf(fan.id, a.id))! + (await balanceOf(fan.id, b.id))!;
    expect(spent).toBe(100);
    expect(await count("select 1 from public.rewards where user_id = $1", [fan.id])).toBe(1);
  });

  it("leaves every balance equal to the sum of its ledger, and every last ledger row agreeing", async () => {
    const rows = await t.db.query<{ balance: number; total: number; last_after: number }>(
      `select b.balance,
              coalesce((select sum(l.delta) from public.medal_ledger l
                         where l.user_id = b.user_id and l.vtuber_id = b.vtuber_id), 0)::int as total,
              (select l.balance_after from public.medal_ledger l
                where l.user_id = b.user_id and l.vtuber_id = b.vtuber_id
                order by l.id desc limit 1) as last_after
         from public.medal_balances b`,
    );
    expect(rows.length).toBe(29);
    for (const row of rows) {
      expect(row.total).toBe(row.balance);
      expect(row.last_after).toBe(row.balance);
    }
  });
});
