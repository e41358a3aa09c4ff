import type { Queryable } from "../db/types";
import { drawPull, medalsFor, type DrawResult } from "../gacha/draw";
import type { MedalConfig } from "../gacha/types";
import { committedRandom } from "../gacha/hmac-random";
import { cryptoRandom, type RandomSource } from "../gacha/random";
import { openPurchaseSeed } from "../fairness/seeds";
import { loadApprovedRateTable, RateTableIntegrityError } from "../gacha/rate-table";
import { PURCHASE_COLUMNS_OF_P, toPurchase, type Purchase, type PurchaseRow } from "./purchase";
import type { Columns, Prefixed } from "../db/rows";

export interface FulfilOptions {
  /**
   * Replaces the committed draw: for tests and simulations that need a chosen sequence.
   * Production passes nothing, and each purchase is drawn from the seed, nonce and client
   * seed it was pinned to at reserve (`cryptoRandom` for a purchase from before those).
   */
  rng?: RandomSource;
  /** The provider's id of the payment that succeeded, when known (webhook, reconciliation). */
  providerPaymentId?: string | null;
  /**
   * What the provider says was paid. A purchase it does not match (another amount, or not
   * yen) is left as it is and answered `amount_mismatch`; checked under the lock, before
   * anything else, so one read serves the check and the fulfilment.
   */
  paid?: { amountJpy: number; currency: string };
}

export type FulfilOutcome =
  /** Drawn now. */
  | { kind: "fulfilled"; purchase: Purchase; pullId: string }
  /** Drawn before (a retry, or the webhook and the request racing): nothing new happened. */
  | { kind: "already_fulfilled"; purchase: Purchase }
  /** The purchase was released as failed earlier: a late success needs a refund, not a draw. */
  | { kind: "released"; purchase: Purchase }
  /** The payment named in `paid` is not this purchase's: nothing changed. */
  | { kind: "amount_mismatch"; purchase: Purchase }
  | { kind: "not_found" };

/**
 * Step 3 of the saga, inside the caller's service transaction: marks the purchase paid
 * and fulfilled, draws with the rate table and the seed, nonce and client seed pinned
 * at reserve, records the pull and its
 * results, grants the medals, puts each drawn file in the reward box and moves the yen
 * from pending to committed.
 *
 * Idempotent on the purchase: the purchase row is locked first, and a purchase found
 * fulfilled is returned as it is, so a retry (or the webhook racing the request) never
 * draws again; `pulls.purchase_id` being unique is the backstop.
 */
export async function fulfilIn(tx: Queryable, purchaseId: string, options: FulfilOptions): Promise<FulfilOutcome> {
  const read = await readPurchaseWithSeed(tx, purchaseId);
  if (!read) return { kind: "not_found" };
  const { purchase, sealedSeed, campaign } = read;
  const { paid } = options;
  if (paid && (paid.currency.toLowerCase() !== "jpy" || paid.amountJpy !== purchase.amountJpy)) {
    return { kind: "amount_mismatch", purchase };
  }
  if (purchase.status === "fulfilled" || purchase.status === "refunded") return { kind: "already_fulfilled", purchase };
  if (purchase.status === "failed") return { kind: "released", purchase };

  const results = await draw(tx, purchase, options.rng ?? (await committedSource(purchase, sealedSeed)));
  const medals = medalsFor(results, campaign.medals);

  // Lock order shared with grantMedals and the exchange: the fan's balance row for this
  // VTuber before any reward row. It serialises one fan's fulfilments per VTuber, so two
  // of them never insert the same reward files in opposite orders (a deadlock). The
  // upsert takes the row lock and credits the medals at once; the ledger row that
  // explains the credit is written with the pull below, in the same transaction.
  const [credited] = await tx.query<Columns<"medal_balances", "balance">>(
    `insert into public.medal_balances (user_id, vtuber_id, balance) values ($1, $2, $3)
     on conflict (user_id, vtuber_id) do update set balance = medal_balances.balance + excluded.balance
     returning balance`,
    [purchase.userId, campaign.vtuberId, medals.total],
  );
  const pullId = await recordPull(tx, purchase, {
    vtuberId: campaign.vtuberId,
    results,
    medals: medals.perResult,
    medalsTotal: medals.total,
    balanceAfter: credited!.balance,
    providerPaymentId: options.providerPaymentId ?? null,
  });
  return { kind: "fulfilled", purchase: { ...purchase, status: "fulfilled" }, pullId };
}

/**
 * Everything the fulfilment writes after the balance, in one statement: the pull, its
 * results, the ledger row of its medals, each drawn file in the reward box (in file
 * order, the lock order the exchange shares), the yen moved from pending to committed
 * and the purchase marked fulfilled. One round trip instead of six keeps the purchase
 * and balance locks held for as short a time as possible. The CHECK on
 * `monthly_spend.pending_jpy` refuses moving more than was reserved; a missing spend
 * row means the purchase was never reserved, which nothing may paper over.
 */
async function recordPull(
  tx: Queryable,
  purchase: Purchase,
  pull: {
    vtuberId: string;
    results: DrawResult[];
    medals: number[];
    medalsTotal: number;
    balanceAfter: number;
    providerPaymentId: string | null;
  },
): Promise<string> {
  const [row] = await tx.query<{ pull_id: string; spend_moved: number }>(
    `with pull as (
       insert into public.pulls
         (purchase_id, user_id, campaign_id, rate_table_id, rate_table_hash, pull_count, medals_earned, medal_balance_after)
       values ($1, $2, $3, $4, $5, $6, $7, $8)
       returning id
     ), results as (
       insert into public.pull_results (pull_id, slot, item_id, rarity, guaranteed, medals)
       select pull.id, r.slot, r.item_id, r.rarity, r.guaranteed, r.medals
         from pull, unnest($9::smallint[], $10::uuid[], $11::text[], $12::boolean[], $13::integer[])
                      as r (slot, item_id, rarity, guaranteed, medals)
     ), ledger as (
       insert into public.medal_ledger (user_id, vtuber_id, delta, balance_after, reason, pull_id)
       select $2, $14, $7, $8, 'pull', pull.id from pull where $7::integer > 0
     ), rewards as (
       insert into public.rewards (user_id, content_file_id, vtuber_id, title, kind, source, pull_id)
       select $2, f.id, f.vtuber_id, i.name, f.kind, 'pull', pull.id
         from pull, public.gacha_items i
         join public.content_files f on f.id = i.content_file_id
        where i.id = any($10::uuid[])
        order by f.id
       on conflict (user_id, content_file_id) do nothing
     ), spend as (
       update public.monthly_spend
          set pending_jpy = pending_jpy - $15, committed_jpy = committed_jpy + $15
        where user_id = $2 and month = $16
        returning 1
     ), fulfilled as (
       update public.purchases
          set status = 'fulfilled', paid_at = coalesce(paid_at, now()), fulfilled_at = now(),
              provider_payment_id = coalesce($17, provider_payment_id), next_action_url = null
        where id = $1
     )
     select pull.id as pull_id, (select count(*) from spend)::integer as spend_moved from pull`,
    [
      purchase.id,
      purchase.userId,
      purchase.campaignId,
      purchase.rateTableId,
      purchase.rateTableHash,
      purchase.pullCount,
      pull.medalsTotal,
      pull.balanceAfter,
      pull.results.map((r) => r.slot),
      pull.results.map((r) => r.itemId),
      pull.results.map((r) => r.rarity),
      pull.results.map((r) => r.guaranteed),
      pull.medals,
      pull.vtuberId,
      purchase.amountJpy,
      purchase.spendMonth,
      pull.providerPaymentId,
    ],
  );
  if (row!.spend_moved === 0) {
    throw new Error(`monthly_spend: no row for user ${purchase.userId} in ${purchase.spendMonth}`);
  }
  return row!.pull_id;
}

/**
 * Draws with the version recorded at reserve. The table's entries are verified against
 * its approved hash, which must also be the one the purchase recorded, so the draw runs
 * on exactly the odds the fan paid for (verified once per process: it cannot change).
 */
async function draw(tx: Queryable, purchase: Purchase, rng: RandomSource): Promise<DrawResult[]> {
  if (!purchase.rateTableId || !purchase.rateTableHash) {
    throw new RateTableIntegrityError("(none)", `purchase ${purchase.id} has no rate table recorded`);
  }
  const table = await loadApprovedRateTable(tx, purchase.rateTableId, purchase.rateTableHash);
  return drawPull(table, purchase.pullCount, rng);
}

/**
 * The purchase, locked, with its pinned seed's sealed bytes and its campaign's medal
 * settings in the same statement (the lock covers the purchase row only).
 */
async function readPurchaseWithSeed(
  tx: Queryable,
  purchaseId: string,
): Promise<{ purchase: Purchase; sealedSeed: string | null; campaign: CampaignMedals } | null> {
  const [row] = await tx.query<
    PurchaseRow & { seed_ciphertext: string | null } & Prefixed<
        "campaign_",
        Columns<"campaigns", "vtuber_id" | "medals_n" | "medals_r" | "medals_sr" | "medals_ssr">
      >
  >(
    `select ${PURCHASE_COLUMNS_OF_P}, s.seed_ciphertext, c.vtuber_id as campaign_vtuber_id,
            c.medals_n as campaign_medals_n, c.medals_r as campaign_medals_r,
            c.medals_sr as campaign_medals_sr, c.medals_ssr as campaign_medals_ssr
       from public.purchases p
       join public.campaigns c on c.id = p.campaign_id
       left join public.fairness_seeds s on s.id = p.fairness_seed_id
      where p.id = $1
        for update of p`,
    [purchaseId],
  );
  if (!row) return null;
  return {
    purchase: toPurchase(row),
    sealedSeed: row.seed_ciphertext,
    campaign: {
      vtuberId: row.campaign_vtuber_id,
      medals: {
        N: row.campaign_medals_n,
        R: row.campaign_medals_r,
        SR: row.campaign_medals_sr,
        SSR: row.campaign_medals_ssr,
      },
    },
  };
}

/** Whose medals a pull of the campaign earns, and how many per rarity. */
interface CampaignMedals {
  vtuberId: string;
  medals: MedalConfig;
}

/** The committed draw of a pinned purchase; the CSPRNG for one reserved before pinning existed. */
async function committedSource(purchase: Purchase, sealedSeed: string | null): Promise<RandomSource> {
  if (!purchase.fairness) return cryptoRandom;
  // Stryker disable next-line all: purchases_fairness_seed_fkey keeps a seed while a purchase names it; only a broken database reaches this
  if (sealedSeed === null) throw new Error(`purchase ${purchase.id}: its seed ${purchase.fairness.seedId} is missing`);
  const seed = await openPurchaseSeed(purchase.fairness.seedId, sealedSeed);
  return committedRandom(seed, purchase.fairness.clientSeed, purchase.fairness.nonce);
}
