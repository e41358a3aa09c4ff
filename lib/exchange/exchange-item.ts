import type { Columns, Narrow, Prefixed } from "../db/rows";
import { asService } from "../db/session";
import type { Database, Queryable } from "../db/types";
import { DomainError } from "../domain-error";
import { UUID_PATTERN } from "../ids";
import { assertExchangeable, type ItemState } from "./availability";
import { findReceipt, type ExchangeReceipt } from "./exchange-receipt";
import { isUniqueViolation } from "../db/unique-violation";

export interface ExchangeRequest {
  userId: string;
  itemId: string;
  idempotencyKey: string;
  /** The server's clock; the availability window is judged at this instant. */
  now: Date;
}

export interface ExchangeOutcome {
  /** False when the key had been used for this item before: nothing new happened. */
  created: boolean;
  exchange: ExchangeReceipt;
}

/**
 * Spends a fan's oshi medals on an exchange item, in one service-path transaction:
 * the item must be live and inside its window, in stock, under the fan's limit, not
 * already in their reward box, and affordable; then stock, balance (with its ledger
 * row), the exchange and the reward box change together or not at all.
 *
 * Idempotent per fan and key: the same key for the same item answers the first
 * receipt again (`created: false`) and charges nothing; for another item it is
 * `idempotency_key_reused`.
 *
 * A file the fan already owns is refused with `already_owned` before anything is
 * spent: the reward box holds a file once, so charging for it again would buy nothing.
 */
export async function exchangeItem(db: Database, request: ExchangeRequest): Promise<ExchangeOutcome> {
  const itemId = request.itemId.toLowerCase();
  if (!UUID_PATTERN.test(itemId)) throw new DomainError("exchange_item_not_found");
  const normalised = { ...request, itemId };
  try {
    return await asService(db, "exchange", (tx) => exchangeIn(tx, normalised));
  } catch (err) {
    // The same key raced in through another VTuber's balance lock and committed first.
    if (isUniqueViolation(err, "exchanges_user_idempotency_key")) {
      // Stryker disable next-line StringLiteral: the name only labels this read-only replay in pg_stat_activity; no answer or row depends on it
      return asService(db, "exchange-replay", async (tx) => replayOrThrow(await findReceiptOf(tx, normalised), itemId));
    }
    // A pull put the same file in the reward box while this exchange ran.
    if (isUniqueViolation(err, "rewards_user_file_key")) throw new DomainError("already_owned");
    throw err;
  }
}

async function exchangeIn(tx: Queryable, request: ExchangeRequest): Promise<ExchangeOutcome> {
  const { userId, itemId, now } = request;
  const earlier = await findReceiptOf(tx, request);
  if (earlier) return replay(earlier, itemId);

  const [owner] = await tx.query<Columns<"exchange_items", "vtuber_id">>(
    "select vtuber_id from public.exchange_items where id = $1",
    [itemId],
  );
  if (!owner) throw new DomainError("exchange_item_not_found");

  // Lock order, here and in grantMedals: the fan's balance row first, then the item.
  // Holding the balance row serialises one fan's exchanges with one VTuber, so the
  // per-user count and a replay of the same key are both read after the other commits.
  const [balanceRow] = await tx.query<Columns<"medal_balances", "balance">>(
    "select balance from public.medal_balances where user_id = $1 and vtuber_id = $2 for update",
    [userId, owner.vtuber_id],
  );
  const raced = await findReceiptOf(tx, request);
  if (raced) return replay(raced, itemId);

  const item = await lockItem(tx, itemId);
  assertExchangeable(itemState(item), now);
  if (item.stock !== null && item.stock <= 0) throw new DomainError("out_of_stock");
  await assertUnderLimit(tx, userId, itemId, item.per_user_limit);
  const [owned] = await tx.query("select 1 from public.rewards where user_id = $1 and content_file_id = $2", [
    userId,
    item.content_file_id,
  ]);
  if (owned) throw new DomainError("already_owned");
  const balance = balanceRow?.balance ?? 0;
  if (balance < item.cost_medals) {
    throw new DomainError("insufficient_medals", [
      { reason: "insufficient_medals", required: item.cost_medals, balance },
    ]);
  }

  await spend(tx, request, owner.vtuber_id, item);
  const receipt = await findReceiptOf(tx, request);
  return { created: true, exchange: receipt! };
}

type ItemRow = Narrow<
  Columns<
    "exchange_items",
    | "name"
    | "content_file_id"
    | "cost_medals"
    | "stock"
    | "per_user_limit"
    | "status"
    | "available_from"
    | "available_until"
  >,
  { status: ItemState["status"] }
> &
  Prefixed<"vtuber_", Narrow<Columns<"vtubers", "status">, { status: ItemState["vtuberStatus"] }>> &
  Narrow<Columns<"content_files", "kind">, { kind: ExchangeReceipt["reward"]["kind"] }>;

/** The item as it is now, locked against other exchanges until this transaction ends. */
async function lockItem(tx: Queryable, itemId: string): Promise<ItemRow> {
  const [item] = await tx.query<ItemRow>(
    `select i.name, i.content_file_id, i.cost_medals, i.stock, i.per_user_limit, i.status,
            i.available_from, i.available_until, v.status as vtuber_status, f.kind
       from public.exchange_items i
       join public.vtubers v on v.id = i.vtuber_id
       join public.content_files f on f.id = i.content_file_id
      where i.id = $1
        for no key update of i`,
    [itemId],
  );
  if (!item) throw new DomainError("exchange_item_not_found");
  return item;
}

function itemState(row: ItemRow): ItemState {
  return {
    status: row.status,
    vtuberStatus: row.vtuber_status,
    availableFrom: row.available_from,
    availableUntil: row.available_until,
  };
}

async function assertUnderLimit(tx: Queryable, userId: string, itemId: string, limit: number | null): Promise<void> {
  if (limit === null) return;
  const [{ count } = { count: 0 }] = await tx.query<{ count: number }>(
    "select count(*)::int as count from public.exchanges where user_id = $1 and exchange_item_id = $2",
    [userId, itemId],
  );
  if (count >= limit) throw new DomainError("exchange_limit_reached", [{ reason: "per_user_limit", limit }]);
}

/** Every write of an exchange; the caller has checked all the rules under the locks. */
async function spend(tx: Queryable, request: ExchangeRequest, vtuberId: string, item: ItemRow): Promise<void> {
  const { userId, itemId, idempotencyKey } = request;
  // Stryker disable next-line ConditionalExpression: unlimited stock is null, and null - 1 is null again, so updating it anyway changes nothing
  if (item.stock !== null) {
    await tx.query("update public.exchange_items set stock = stock - 1 where id = $1", [itemId]);
  }
  const [exchange] = await tx.query<{ id: string }>(
    `insert into public.exchanges (user_id, exchange_item_id, vtuber_id, cost_medals, idempotency_key)
     values ($1, $2, $3, $4, $5) returning id`,
    [userId, itemId, vtuberId, item.cost_medals, idempotencyKey],
  );
  const [debited] = await tx.query<Columns<"medal_balances", "balance">>(
    `update public.medal_balances set balance = balance - $3
      where user_id = $1 and vtuber_id = $2
      returning balance`,
    [userId, vtuberId, item.cost_medals],
  );
  await tx.query(
    `insert into public.medal_ledger (user_id, vtuber_id, delta, balance_after, reason, exchange_id)
     values ($1, $2, $3, $4, 'exchange', $5)`,
    [userId, vtuberId, -item.cost_medals, debited!.balance, exchange!.id],
  );
  await tx.query(
    `insert into public.rewards (user_id, content_file_id, vtuber_id, title, kind, source, exchange_id)
     values ($1, $2, $3, $4, $5, 'exchange', $6)`,
    [userId, item.content_file_id, vtuberId, item.name, item.kind, exchange!.id],
  );
}

function findReceiptOf(tx: Queryable, request: ExchangeRequest): Promise<ExchangeReceipt | null> {
  return findReceipt(tx, request.userId, request.idempotencyKey);
}

function replay(receipt: ExchangeReceipt, itemId: string): ExchangeOutcome {
  if (receipt.itemId !== itemId) throw new DomainError("idempotency_key_reused");
  return { created: false, exchange: receipt };
}

function replayOrThrow(receipt: ExchangeReceipt | null, itemId: string): ExchangeOutcome {
  // The unique violation proves a row exists under this key, so it is there to read.
  if (!receipt) throw new Error("exchange: idempotency key taken but no receipt found");
  return replay(receipt, itemId);
}
