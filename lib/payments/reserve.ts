import type { Columns, Narrow, Prefixed, Row } from "../db/rows";
import { asService } from "../db/session";
import type { Database, Queryable } from "../db/types";
import { assertLiveAccount, sessionCheckSql } from "../auth/authenticate";
import { DomainError } from "../domain-error";
import { assertPullable, type CampaignWindow } from "../gacha/campaign-window";
import { currentSeedIn } from "../fairness/seeds";
import { reserveSpend } from "./monthly-spend";
import { PURCHASE_COLUMNS, readPurchaseByKey, toPurchase, type Purchase, type PurchaseRow } from "./purchase";
import type { ProviderName } from "./providers/types";
import { requestHashOf } from "./request-hash";
import { spendingCapFor } from "./spending-cap";

export interface PullRequest {
  userId: string;
  /**
   * The access token's session, from a route that left the account check to this
   * transaction (`access: "token"`): the facts read then refuses a deleted or suspended
   * account and an unknown or revoked session first, as the route's own check would have.
   * Unset where the account was checked already or there is no request (the DR drill's
   * load, tests).
   */
  sessionId?: string;
  campaignId: string;
  count: 1 | 10;
  paymentMethodId: string;
  idempotencyKey: string;
}

export interface Reservation {
  /** False: the key was used before for this very request, and `purchase` is that one. */
  created: boolean;
  purchase: Purchase;
}

/**
 * Step 1 of the saga, one service transaction: a pending purchase for the request, with
 * its price and the rate-table version it will be drawn with, and its yen reserved
 * against the fan's monthly cap.
 *
 * The idempotency key is looked up first, so a replay answers whatever the first
 * request came to, even once the campaign has ended. A key already used for another
 * request is `idempotency_key_reused` (409). Two requests racing with one key meet at
 * the unique (user_id, idempotency_key) index: the second waits for the first to
 * commit and then finds its purchase.
 *
 * Refuses, writing nothing: `campaign_not_found`, `campaign_not_active` (by `now`, the
 * server clock), `account_suspended`, `email_unverified` (paying needs a confirmed address, so
 * receipts and account mail reach the payer), `spending_cap_exceeded`.
 *
 * The purchase is pinned to the fan's current seed, its next nonce and client seed in
 * the insert itself (`insertPinned`), so the draw is fixed before any money moves.
 */
export async function reserve(
  db: Database,
  request: PullRequest,
  options: { now: Date; provider: ProviderName },
): Promise<Reservation> {
  const requestHash = requestHashOf(request);
  return asService(db, "pay-and-pull:reserve", async (tx) => {
    const { earlier, campaignRow, buyerRow } = await readReservationFacts(tx, request);
    if (earlier) return replayOf(earlier, requestHash);

    const campaign = pullableCampaign(campaignRow, options.now);
    const buyer = checkedBuyer(buyerRow);
    const cap = spendingCapFor(buyer, options.now);
    const amountJpy = request.count === 10 ? campaign.tenPriceJpy : campaign.singlePriceJpy;

    const values = [
      request.userId,
      campaign.id,
      request.idempotencyKey,
      requestHash,
      request.count,
      amountJpy,
      cap.month,
      options.provider,
      campaign.rateTableId,
      campaign.rateTableHash,
    ];
    let inserted = await insertPinned(tx, values);
    // Stryker disable next-line LogicalOperator: `||` differs only after losing the key to a racing request, where it inserts once more, conflicts again and leaves one more nonce unused (allowed; none is used twice)
    if (!inserted && !(await readPurchaseByKey(tx, request.userId, request.idempotencyKey))) {
      // No row and no earlier purchase: the fan has no committed seed yet (their first pull).
      await currentSeedIn(tx, request.userId);
      inserted = await insertPinned(tx, values);
    }
    if (!inserted) {
      // Lost the race for this key: the winner has committed, so its purchase is visible now.
      const raced = await readPurchaseByKey(tx, request.userId, request.idempotencyKey);
      return replayOf(raced!, requestHash);
    }
    await reserveSpend(tx, { userId: request.userId, month: cap.month, amountJpy, capJpy: cap.capJpy });
    return { created: true, purchase: toPurchase(inserted) };
  });
}

/**
 * The purchase insert, pinned in the same statement to the fan's current seed: its nonce
 * counter moves on by one under the seed row's lock, so parallel pulls of one fan take
 * distinct nonces and a purchase never exists without its (seed, nonce, client seed).
 * Nothing is inserted when the fan has no current seed or the key is taken; a key lost
 * to a racing request may leave one nonce unused, never one used twice.
 */
async function insertPinned(tx: Queryable, values: unknown[]): Promise<PurchaseRow | undefined> {
  const [row] = await tx.query<PurchaseRow>(
    `with seed as (
       update public.fairness_seeds set next_nonce = next_nonce + 1
        where user_id = $1::uuid and revealed_at is null
        returning id, next_nonce - 1 as nonce, client_seed
     )
     insert into public.purchases
       (user_id, campaign_id, idempotency_key, request_hash, pull_count, amount_jpy, spend_month, provider,
        rate_table_id, rate_table_hash, fairness_seed_id, fairness_nonce, client_seed)
     select $1::uuid, $2::uuid, $3::text, $4::text, $5::smallint, $6::integer, $7::date, $8::text,
            $9::uuid, $10::text, seed.id, seed.nonce, seed.client_seed
       from seed
     on conflict (user_id, idempotency_key) do nothing
     returning ${PURCHASE_COLUMNS}`,
    values,
  );
  return row;
}

function replayOf(purchase: Purchase, requestHash: string): Reservation {
  if (purchase.requestHash !== requestHash) throw new DomainError("idempotency_key_reused");
  return { created: false, purchase };
}

interface PullableCampaign {
  id: string;
  singlePriceJpy: number;
  tenPriceJpy: number;
  rateTableId: string;
  rateTableHash: string;
}

type CampaignRow = Narrow<
  Columns<"campaigns", "id" | "status" | "starts_at" | "ends_at" | "single_price_jpy" | "ten_price_jpy">,
  { status: CampaignWindow["status"] }
> &
  Prefixed<"vtuber_", Columns<"vtubers", "status">> & {
    rate_table_id: Row<"rate_tables">["id"] | null;
    rate_table_hash: Row<"rate_tables">["content_hash"];
  };

type BuyerRow = Columns<"users", "birthdate" | "voluntary_monthly_limit_jpy" | "status" | "email_verified_at">;

// Each part of the one row reads null when its side found nothing (no earlier purchase,
// no such campaign); the rate table's columns also when the campaign points at none.
type FactsRow = Prefixed<"buyer_", BuyerRow> &
  Nullable<Prefixed<"campaign_", CampaignRow>> &
  Nullable<Prefixed<"earlier_", PurchaseRow>> & { session_live: boolean };
type Nullable<R> = { [K in keyof R]: R[K] | null };

/** The purchase's columns as read from the lateral `e`, each named `earlier_<column>`. */
function earlierColumns(): string {
  return PURCHASE_COLUMNS.split(", ")
    .map((name) => `e.${name} as earlier_${name}`)
    .join(", ");
}

/**
 * What reserve decides on, in one statement: the purchase already made under the key,
 * the campaign with its current rate table, and the buyer, read `for share`, with the
 * session the request came with (when the route left that check here).
 *
 * The buyer's lock: a limit change (lib/auth/voluntary-limit.ts) or a suspension holds
 * the row `for update`, so a reservation that starts meanwhile waits and is judged by
 * what they commit, and they in turn wait for reservations in flight. Reservations of
 * one buyer share the lock and do not wait for each other (their race is settled on the
 * monthly-spend row). An email change confirmed meanwhile (lib/account/verify-email.ts)
 * updates the row too, so the verified address is judged under the same lock. A replay
 * takes the shared lock as well, which only ever makes it wait for such a change.
 */
async function readReservationFacts(tx: Queryable, request: PullRequest) {
  const session = sessionCheckSql("b", 4);
  const [row] = await tx.query<FactsRow>(
    `select b.birthdate as buyer_birthdate, b.voluntary_monthly_limit_jpy as buyer_voluntary_monthly_limit_jpy,
            b.status as buyer_status, b.email_verified_at as buyer_email_verified_at,
            c.id as campaign_id, c.status as campaign_status, c.starts_at as campaign_starts_at,
            c.ends_at as campaign_ends_at, c.single_price_jpy as campaign_single_price_jpy,
            c.ten_price_jpy as campaign_ten_price_jpy, c.rate_table_id as campaign_rate_table_id,
            c.rate_table_hash as campaign_rate_table_hash, c.vtuber_status as campaign_vtuber_status,
            ${earlierColumns()}, ${session.live}
       from public.users b
       ${session.join}
       left join lateral (
         select ${PURCHASE_COLUMNS} from public.purchases where user_id = b.id and idempotency_key = $2
       ) e on true
       left join lateral (
         select c.id, c.status, c.starts_at, c.ends_at, c.single_price_jpy, c.ten_price_jpy,
                t.id as rate_table_id, t.content_hash as rate_table_hash, v.status as vtuber_status
           from public.campaigns c
           join public.vtubers v on v.id = c.vtuber_id
           left join public.rate_tables t on t.id = c.current_rate_table_id
          where c.id = $3
       ) c on true
      where b.id = $1
        for share of b`,
    [request.userId, request.idempotencyKey, request.campaignId, request.sessionId ?? null],
  );
  // Before anything is answered, a replay included: the route's account check.
  if (request.sessionId !== undefined) {
    assertLiveAccount(row && { status: row.buyer_status, session_live: row.session_live });
  }
  // Signed in a moment ago, so the account was there: it is gone now.
  if (!row) throw new DomainError("unauthenticated");
  return {
    earlier: row.earlier_id === null ? null : toPurchase(unprefixed<PurchaseRow>(row, "earlier_")),
    campaignRow: row.campaign_id === null ? null : unprefixed<CampaignRow>(row, "campaign_"),
    buyerRow: unprefixed<BuyerRow>(row, "buyer_"),
  };
}

/** The columns of `row` named `<prefix>…`, without the prefix. */
function unprefixed<R>(row: object, prefix: string): R {
  return Object.fromEntries(
    Object.entries(row)
      .filter(([name]) => name.startsWith(prefix))
      .map(([name, value]) => [name.slice(prefix.length), value]),
  ) as R;
}

/**
 * The campaign, if it may be pulled at `now`: approved, of an approved VTuber, inside
 * its window. Its current rate table is the version this purchase is pinned to.
 */
function pullableCampaign(row: CampaignRow | null, now: Date): PullableCampaign {
  // Drafts and campaigns in review are not public: they do not exist for a buyer.
  if (!row || row.status === "draft" || row.status === "in_review" || row.status === "rejected") {
    throw new DomainError("campaign_not_found");
  }
  if (row.vtuber_status !== "approved") throw new DomainError("campaign_not_active", [{ reason: "not_approved" }]);
  assertPullable({ status: row.status, startsAt: row.starts_at, endsAt: row.ends_at }, now);
  if (!row.rate_table_id || !row.rate_table_hash) {
    // The schema forbids an approved campaign without an approved table; this is a broken row.
    // Stryker disable next-line StringLiteral: only a broken database reaches this message
    throw new Error(`campaign ${row.id} is approved without an approved rate table`);
  }
  return {
    id: row.id,
    singlePriceJpy: row.single_price_jpy,
    tenPriceJpy: row.ten_price_jpy,
    rateTableId: row.rate_table_id,
    rateTableHash: row.rate_table_hash,
  };
}

/** The buyer's cap inputs, if they may pay. */
function checkedBuyer(row: BuyerRow) {
  if (row.status !== "active") throw new DomainError("account_suspended");
  if (row.email_verified_at === null) throw new DomainError("email_unverified");
  return { birthdate: row.birthdate, voluntaryMonthlyLimitJpy: row.voluntary_monthly_limit_jpy };
}
