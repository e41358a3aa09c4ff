import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { API_ERRORS } from "@/lib/api/errors";
import { asService } from "@/lib/db/session";
import { DomainError } from "@/lib/domain-error";
import { exchangeItem, type ExchangeRequest } from "@/lib/exchange/exchange-item";
import { createTestDatabase, type TestDatabase } from "../helpers/database";
import {
  createApprovedCampaign,
  createExchangeItem,
  createFulfilledPull,
  createUser,
  createVtuber,
  grantMedals as giveMedals,
  type ExchangeItemFixture,
  type UserFixture,
  type VtuberFixture,
} from "../helpers/fixtures";
import { transactionNamesWriting } from "../helpers/transaction-names";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(() => t.close());

const now = new Date("2026-12-01T12:00:00Z");
const engine = process.env.DATABASE_URL ? "PostgreSQL" : "PGlite";
let keySeq = 0;

function exchange(user: { id: string }, item: { id: string }, overrides: Partial<ExchangeRequest> = {}) {
  return exchangeItem(t.db, {
    userId: user.id,
    itemId: item.id,
    idempotencyKey: `rules-key-${++keySeq}`,
    now,
    ...overrides,
  });
}

async function refusal(promise: Promise<unknown>): Promise<{ code: string; status: number; details: unknown[] }> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof DomainError)
      return { code: err.code, status: API_ERRORS[err.code].status, details: err.details };
    throw err;
  }
  throw new Error("expected the exchange to be refused");
}

/** Everything an exchange may change, for "nothing changed" checks. */
async function snapshot(user: { id: string }, item: ExchangeItemFixture) {
  const [row] = await t.db.query<Record<string, unknown>>(
    `select (select balance from public.medal_balances where user_id = $1 and vtuber_id = $3) as balance,
            (select stock from public.exchange_items where id = $2) as stock,
            (select count(*)::int from public.medal_ledger where user_id = $1) as ledger_rows,
            (select count(*)::int from public.exchanges where user_id = $1) as exchanges,
            (select count(*)::int from public.rewards where user_id = $1) as rewards`,
    [user.id, item.id, item.vtuberId],
  );
  return row;
}

async function fanWithMedals(vtuber: VtuberFixture, medals: number): Promise<UserFixture> {
  const fan = await createUser(t.db);
  if (medals > 0) await giveMedals(t.db, fan, vtuber, medals);
  return fan;
}

describe(`exchange rules on ${engine}`, () => {
  it("spends medals, takes one from stock, records the ledger and puts the file in the reward box", async () => {
    const vtuber = await createVtuber(t.db);
    const item = await createExchangeItem(t.db, vtuber, { name: "限定ボイス", stock: 3, costMedals: 300 });
    const fan = await fanWithMedals(vtuber, 1000);

    const outcome = await exchange(fan, item, { idempotencyKey: "first-exchange" });

    expect(outcome.created).toBe(true);
    expect(outcome.exchange).toEqual({
      id: expect.any(String),
      itemId: item.id,
      costMedals: 300,
      medalBalance: 700,
      reward: { id: expect.any(String), title: "限定ボイス", kind: "voice" },
    });
    expect(await snapshot(fan, item)).toEqual({ balance: 700, stock: 2, ledger_rows: 2, exchanges: 1, rewards: 1 });
    const [ledger] = await t.db.query(
      "select delta, balance_after, reason, exchange_id, pull_id from public.medal_ledger where exchange_id = $1",
      [outcome.exchange.id],
    );
    expect(ledger).toEqual({
      delta: -300,
      balance_after: 700,
      reason: "exchange",
      exchange_id: outcome.exchange.id,
      pull_id: null,
    });
    const [reward] = await t.db.query(
      "select id, user_id, content_file_id, vtuber_id, source, exchange_id from public.rewards where exchange_id = $1",
      [outcome.exchange.id],
    );
    expect(reward).toEqual({
      id: outcome.exchange.reward.id,
      user_id: fan.id,
      content_file_id: item.contentFileId,
      vtuber_id: vtuber.id,
      source: "exchange",
      exchange_id: outcome.exchange.id,
    });
  });

  it("leaves unlimited stock unlimited", async () => {
    const vtuber = await createVtuber(t.db);
    const item = await createExchangeItem(t.db, vtuber, { stock: null, costMedals: 10 });
    const fan = await fanWithMedals(vtuber, 10);
    await exchange(fan, item);
    expect(await snapshot(fan, item)).toMatchObject({ balance: 0, stock: null });
  });

  it("refuses insufficient medals with 422 and changes nothing, counting only this VTuber's medals", async () => {
    const vtuber = await createVtuber(t.db);
    const other = await createVtuber(t.db);
    const item = await createExchangeItem(t.db, vtuber, { stock: 1, costMedals: 300 });
    const fan = await fanWithMedals(vtuber, 299);
    await giveMedals(t.db, fan, other, 10_000);
    const before = await snapshot(fan, item);

    const refused = await refusal(exchange(fan, item));

    expect(refused).toEqual({
      code: "insufficient_medals",
      status: 422,
      details: [{ reason: "insufficient_medals", required: 300, balance: 299 }],
    });
    expect(await snapshot(fan, item)).toEqual(before);
  });

  it("refuses a fan who never earned this VTuber's medals", async () => {
    const vtuber = await createVtuber(t.db);
    const item = await createExchangeItem(t.db, vtuber, { costMedals: 1 });
    const fan = await createUser(t.db);
    expect((await refusal(exchange(fan, item))).code).toBe("insufficient_medals");
  });

  it("judges the availability window at the injected instant: from inclusive, until exclusive", async () => {
    const vtuber = await createVtuber(t.db);
    const window = {
      availableFrom: new Date("2026-12-01T00:00:00Z"),
      availableUntil: new Date("2026-12-08T00:00:00Z"),
    };
    const fan = await fanWithMedals(vtuber, 10_000);
    const at = (iso: string) => ({ now: new Date(iso) });

    const early = await createExchangeItem(t.db, vtuber, { ...window, costMedals: 10 });
    expect(await refusal(exchange(fan, early, at("2026-11-30T23:59:59Z")))).toEqual({
      code: "exchange_not_available",
      status: 422,
      details: [{ reason: "not_started", availableFrom: window.availableFrom }],
    });
    await expect(exchange(fan, early, at("2026-12-01T00:00:00Z"))).resolves.toMatchObject({ created: true });

    const late = await createExchangeItem(t.db, vtuber, { ...window, costMedals: 10 });
    expect(await refusal(exchange(fan, late, at("2026-12-08T00:00:00Z")))).toEqual({
      code: "exchange_not_available",
      status: 422,
      details: [{ reason: "ended", availableUntil: window.availableUntil }],
    });
    await expect(exchange(fan, late, at("2026-12-07T23:59:59Z"))).resolves.toMatchObject({ created: true });
  });

  it("refuses archived items and items of a VTuber no longer listed, with the reason", async () => {
    const vtuber = await createVtuber(t.db);
    const fan = await fanWithMedals(vtuber, 10_000);
    const archived = await createExchangeItem(t.db, vtuber, { status: "archived", costMedals: 10 });
    const before = await snapshot(fan, archived);
    expect(await refusal(exchange(fan, archived))).toMatchObject({
      code: "exchange_not_available",
      details: [{ reason: "archived" }],
    });
    expect(await snapshot(fan, archived)).toEqual(before);

    const suspended = await createVtuber(t.db);
    const item = await createExchangeItem(t.db, suspended, { costMedals: 10 });
    const fanOfSuspended = await fanWithMedals(suspended, 100);
    await asService(t.db, "test", (tx) =>
      tx.query("update public.vtubers set status = 'suspended' where id = $1", [suspended.id]),
    );
    expect(await refusal(exchange(fanOfSuspended, item))).toMatchObject({
      code: "exchange_not_available",
      details: [{ reason: "vtuber_unavailable" }],
    });
  });

  it.each(["draft", "in_review", "rejected"] as const)("answers a %s item as not found", async (status) => {
    const vtuber = await createVtuber(t.db);
    const item = await createExchangeItem(t.db, vtuber, { status, costMedals: 10 });
    const fan = await fanWithMedals(vtuber, 100);
    expect(await refusal(exchange(fan, item))).toMatchObject({ code: "exchange_item_not_found", status: 404 });
  });

  it("takes an item id in capitals for the same item, its key's replay included", async () => {
    const vtuber = await createVtuber(t.db);
    const item = await createExchangeItem(t.db, vtuber, { costMedals: 100 });
    const fan = await fanWithMedals(vtuber, 100);
    const upper = { id: item.id.toUpperCase() };
    const first = await exchange(fan, upper, { idempotencyKey: "capitals-key" });
    expect(first).toMatchObject({ created: true, exchange: { itemId: item.id, medalBalance: 0 } });
    for (const id of [upper, item]) {
      expect(await exchange(fan, id, { idempotencyKey: "capitals-key" })).toEqual({
        created: false,
        exchange: first.exchange,
      });
    }
  });

  it("answers unknown and malformed item ids as not found", async () => {
    const fan = await createUser(t.db);
    for (const id of ["00000000-0000-4000-8000-000000000000", "not-a-uuid", "'; drop table x; --"]) {
      expect((await refusal(exchange(fan, { id }))).code).toBe("exchange_item_not_found");
    }
  });

  it("refuses a file already in the reward box before spending anything", async () => {
    const vtuber = await createVtuber(t.db);
    const gacha = await createApprovedCampaign(t.db, vtuber);
    const fan = await fanWithMedals(vtuber, 1000);
    const pulled = await createFulfilledPull(t.db, fan, gacha, { results: [gacha.items[0]!] });
    const file = gacha.items[0]!.file;
    const item = await createExchangeItem(t.db, vtuber, { file, costMedals: 100, perUserLimit: null });
    const before = await snapshot(fan, item);

    expect(await refusal(exchange(fan, item))).toMatchObject({ code: "already_owned", status: 422 });
    expect(await snapshot(fan, item)).toEqual(before);
    expect(pulled.rewards).toHaveLength(1);
  });

  it("refuses a file already in the reward box as already owned, even when the medals would not have been enough", async () => {
    const vtuber = await createVtuber(t.db);
    const gacha = await createApprovedCampaign(t.db, vtuber);
    const fan = await fanWithMedals(vtuber, 10);
    await createFulfilledPull(t.db, fan, gacha, { results: [gacha.items[0]!] });
    const item = await createExchangeItem(t.db, vtuber, {
      file: gacha.items[0]!.file,
      costMedals: 100,
      perUserLimit: null,
    });

    // The reward box is read before the balance: what the fan lacks is not medals.
    expect(await refusal(exchange(fan, item))).toEqual({ code: "already_owned", status: 422, details: [] });
  });

  it("refuses the exchange past the item's per-fan limit, naming the limit", async () => {
    const vtuber = await createVtuber(t.db);
    const item = await createExchangeItem(t.db, vtuber, { costMedals: 100, perUserLimit: 1 });
    const fan = await fanWithMedals(vtuber, 1000);
    await exchange(fan, item);
    const before = await snapshot(fan, item);

    expect(await refusal(exchange(fan, item))).toEqual({
      code: "exchange_limit_reached",
      status: 422,
      details: [{ reason: "per_user_limit", limit: 1 }],
    });
    expect(await snapshot(fan, item)).toEqual(before);
  });

  it("names its transactions for the database's activity view (pg_stat_activity)", async () => {
    const vtuber = await createVtuber(t.db);
    const item = await createExchangeItem(t.db, vtuber, { costMedals: 100, perUserLimit: null });
    const fan = await fanWithMedals(vtuber, 1000);
    expect(await transactionNamesWriting(t.db, "exchanges", "insert", () => exchange(fan, item))).toEqual([
      "koepon:exchange",
    ]);
  });

  it("answers a repeated key with the first receipt, even after the item was archived, and charges once", async () => {
    const vtuber = await createVtuber(t.db);
    const item = await createExchangeItem(t.db, vtuber, { stock: 2, costMedals: 100 });
    const fan = await fanWithMedals(vtuber, 500);
    const first = await exchange(fan, item, { idempotencyKey: "replayed-key" });
    await asService(t.db, "test", (tx) =>
      tx.query("update public.exchange_items set status = 'archived' where id = $1", [item.id]),
    );
    await giveMedals(t.db, fan, vtuber, 50);

    const again = await exchange(fan, item, { idempotencyKey: "replayed-key" });

    expect(again).toEqual({ created: false, exchange: first.exchange });
    expect(await snapshot(fan, item)).toMatchObject({ balance: 450, stock: 1, exchanges: 1 });
  });

  it("refuses a key reused for another item with 409 and changes nothing", async () => {
    const vtuber = await createVtuber(t.db);
    const first = await createExchangeItem(t.db, vtuber, { costMedals: 100 });
    const second = await createExchangeItem(t.db, vtuber, { stock: 4, costMedals: 100 });
    const fan = await fanWithMedals(vtuber, 500);
    await exchange(fan, first, { idempotencyKey: "used-once-key" });
    const before = await snapshot(fan, second);

    expect(await refusal(exchange(fan, second, { idempotencyKey: "used-once-key" }))).toMatchObject({
      code: "idempotency_key_reused",
      status: 409,
    });
    expect(await snapshot(fan, second)).toEqual(before);
  });

  it("keeps keys per fan: another fan's key is theirs alone", async () => {
    const vtuber = await createVtuber(t.db);
    const item = await createExchangeItem(t.db, vtuber, { costMedals: 100 });
    const [a, b] = [await fanWithMedals(vtuber, 100), await fanWithMedals(vtuber, 100)];
    const first = await exchange(a, item, { idempotencyKey: "same-key-two-fans" });
    const second = await exchange(b, item, { idempotencyKey: "same-key-two-fans" });
    expect(second.created).toBe(true);
    expect(second.exchange.id).not.toBe(first.exchange.id);
  });

  it("is all or nothing: a failure at the last write leaves balance, stock and reward box untouched", async () => {
    const vtuber = await createVtuber(t.db);
    const item = await createExchangeItem(t.db, vtuber, { stock: 1, costMedals: 100 });
    const fan = await fanWithMedals(vtuber, 100);
    const before = await snapshot(fan, item);
    await t.db.exec(`
      create function public.test_fail_reward() returns trigger language plpgsql as
      $$ begin raise exception 'reward box unavailable'; end $$;
      create trigger test_fail_reward before insert on public.rewards
        for each row execute function public.test_fail_reward();`);
    try {
      await expect(exchange(fan, item)).rejects.toThrow(/reward box unavailable/);
    } finally {
      await t.db.exec("drop trigger test_fail_reward on public.rewards; drop function public.test_fail_reward();");
    }
    expect(await snapshot(fan, item)).toEqual(before);
    expect(before).toMatchObject({ balance: 100, stock: 1 });
  });
});

/**
 * What PostgreSQL's unique indexes answer when a parallel transaction wrote first: the
 * exchange must map it to the same answer the rules give. A trigger raises exactly that
 * error (code 23505 and the constraint's name) at the insert, as the index would have;
 * PGlite runs one transaction at a time and never meets the real race.
 */
describe(`exchange answers to a unique index a parallel write reached first, on ${engine}`, () => {
  async function raiseAtInsert(table: "exchanges" | "rewards", constraint: string, when: string, body = "") {
    await t.db.exec(`
      create function public.test_unique_race() returns trigger language plpgsql as $$
      begin
        ${body}
        if ${when} then
          raise unique_violation using constraint = '${constraint}',
            message = 'duplicate key value violates unique constraint "${constraint}"';
        end if;
        return new;
      end $$;
      create trigger test_unique_race before insert on public.${table}
        for each row execute function public.test_unique_race();`);
  }
  const dropTrigger = (table: string) =>
    t.db.exec(`drop trigger test_unique_race on public.${table}; drop function public.test_unique_race();`);

  it("answers idempotency_key_reused when the same key was committed for another VTuber's item meanwhile", async () => {
    const fan = await createUser(t.db);
    const [mio, rin] = [await createVtuber(t.db), await createVtuber(t.db)];
    const mine = await createExchangeItem(t.db, mio, { costMedals: 100 });
    const theirs = await createExchangeItem(t.db, rin, { costMedals: 100 });
    await giveMedals(t.db, fan, mio, 100);
    await giveMedals(t.db, fan, rin, 100);
    // The exchange of `mine` meets the key at its insert. On PostgreSQL it waits there
    // until the other exchange is visible and the real index answers; PGlite, which has
    // queued the other exchange behind this one, gets the index's error at once.
    const waits = engine === "PGlite" ? 0 : 250;
    const taken = `exists (select 1 from public.exchanges
                            where user_id = new.user_id and idempotency_key = new.idempotency_key)`;
    await raiseAtInsert(
      "exchanges",
      "exchanges_user_idempotency_key",
      `new.exchange_item_id = '${mine.id}' and not ${taken}`,
      `if new.exchange_item_id = '${mine.id}' then
         for i in 1..${waits} loop exit when ${taken}; perform pg_sleep(0.02); end loop;
       end if;`,
    );
    try {
      const [lost, won] = await Promise.allSettled([
        exchange(fan, mine, { idempotencyKey: "key-in-flight" }),
        exchange(fan, theirs, { idempotencyKey: "key-in-flight" }),
      ]);
      expect(won).toMatchObject({ status: "fulfilled", value: { created: true, exchange: { itemId: theirs.id } } });
      expect(lost.status === "rejected" && lost.reason).toMatchObject({ code: "idempotency_key_reused" });
    } finally {
      await dropTrigger("exchanges");
    }
    expect(await snapshot(fan, mine)).toMatchObject({ balance: 100, exchanges: 1, rewards: 1 });
  });

  it("answers already_owned when a pull put the same file in the reward box meanwhile, and spends nothing", async () => {
    const vtuber = await createVtuber(t.db);
    const item = await createExchangeItem(t.db, vtuber, { stock: 2, costMedals: 100 });
    const fan = await fanWithMedals(vtuber, 100);
    const before = await snapshot(fan, item);
    await raiseAtInsert("rewards", "rewards_user_file_key", `new.user_id = '${fan.id}'`);
    try {
      expect(await refusal(exchange(fan, item))).toEqual({ code: "already_owned", status: 422, details: [] });
    } finally {
      await dropTrigger("rewards");
    }
    expect(await snapshot(fan, item)).toEqual(before);
  });

  it("fails loudly, spending nothing, when the key's index fires but no exchange holds the key", async () => {
    const vtuber = await createVtuber(t.db);
    const item = await createExchangeItem(t.db, vtuber, { costMedals: 100 });
    const fan = await fanWithMedals(vtuber, 100);
    const before = await snapshot(fan, item);
    await raiseAtInsert("exchanges", "exchanges_user_idempotency_key", `new.user_id = '${fan.id}'`);
    try {
      await expect(exchange(fan, item)).rejects.toThrow("exchange: idempotency key taken but no receipt found");
    } finally {
      await dropTrigger("exchanges");
    }
    expect(await snapshot(fan, item)).toEqual(before);
  });
});
