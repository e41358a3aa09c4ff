import type { Queryable } from "../db/types";
import { drawPull, medalsFor, type DrawResult } from "../gacha/draw";
import type { MedalConfig } from "../gacha/types";
import { committedRandom } from "../gacha/hmac-random";
import { cryptoRandom, type RandomSource } from "../gacha/random";
import { openPurchaseSeed } from "../fairness/seeds";
import { loadApprovedRateTable, RateTableIntegrityError } from "../gacha/rate-table";
import { creditLockedBalance } from "../medals/grant-medals";
import { commitSpend } from "./monthly-spend";
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
}

export type FulfilOutcome =
  /** Drawn now. */
  | { kind: "fulfilled"; purchase: Purchase; pullId: string }
  /** Drawn before (a retry, or the webhook and the request racing): nothing new happened. */
  | { kind: "already_fulfilled"; purchase: Purchase }
  /** The purchase was released as failed earlier: a late success needs a refund, not a draw. */
  | { kind: "released"; purchase: Purchase }
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
  if (purchase.status === "fulfilled" || purchase.status === "refunded") return { kind: "already_fulfilled", purchase };
  if (purchase.status === "failed") return { kind: "released", purchase };

  const results = await draw(tx, purchase, options.rng ?? (await committedSource(purchase, sealedSeed)));
  const medals = medalsFor(results, campaign.medals);

  // Lock order shared with grantMedals and the exchange: the fan's balance row for this
  // VTuber before any reward row. It serialises one fan's fulfilments per VTuber, so two
  // of them never insert the same reward files in opposite orders (a deadlock).
  await tx.query(
    "insert into public.medal_balances (user_id, vtuber_id) values ($1, $2) on conflict (user_id, vtuber_id) do nothing",
    [purchase.userId, campaign.vtuberId],
  );
  const [locked] = await tx.query<Columns<"medal_balances", "balance">>(
    "select balance from public.medal_balances where user_id = $1 and vtuber_id = $2 for update",
    [purchase.userId, campaign.vtuberId],
  );
  const balanceAfter = locked!.balance + medals.total;

  const [pull] = await tx.query<{ id: string }>(
    `insert into public.pulls
       (purchase_id, user_id, campaign_id, rate_table_id, rate_table_hash, pull_count, medals_earned, medal_balance_after)
     values ($1, $2, $3, $4, $5, $6, $7, $8)
     returning id`,
    [
      purchase.id,
      purchase.userId,
      purchase.campaignId,
      purchase.rateTableId,
      purchase.rateTableHash,
      purchase.pullCount,
      medals.total,
      balanceAfter,
    ],
  );
  const pullId = pull!.id;
  await insertResults(tx, pullId, results, medals.perResult);

  // The balance row is locked above and the pull is new: credit it without locking again.
  // The lock is why the ledger's balance after equals the pull's `balanceAfter`.
  if (medals.total > 0) {
    await creditLockedBalance(tx, {
      userId: purchase.userId,
      vtuberId: campaign.vtuberId,
      amount: medals.total,
      pullId,
    });
  }

  await tx.query(
    `insert into public.rewards (user_id, content_file_id, vtuber_id, title, kind, source, pull_id)
     select $1, f.id, f.vtuber_id, i.name, f.kind, 'pull', $2
       from public.gacha_items i
       join public.content_files f on f.id = i.content_file_id
      where i.id = any($3::uuid[])
      order by f.id
     on conflict (user_id, content_file_id) do nothing`,
    [purchase.userId, pullId, [...new Set(results.map((r) => r.itemId))]],
  );

  await commitSpend(tx, { userId: purchase.userId, month: purchase.spendMonth, amountJpy: purchase.amountJpy });
  const [updated] = await tx.query<{ status: "fulfilled" }>(
    `update public.purchases
        set status = 'fulfilled', paid_at = coalesce(paid_at, now()), fulfilled_at = now(),
            provider_payment_id = coalesce($2, provider_payment_id), next_action_url = null
      where id = $1
      returning status`,
    [purchase.id, options.providerPaymentId ?? null],
  );
  return { kind: "fulfilled", purchase: { ...purchase, status: updated!.status }, pullId };
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

async function insertResults(tx: Queryable, pullId: string, results: DrawResult[], medals: number[]): Promise<void> {
  const params: unknown[] = [pullId];
  const rows = results.map((result, i) => {
    params.push(result.slot, result.itemId, result.rarity, result.guaranteed, medals[i]);
    const n = params.length;
    return `($1, $${n - 4}, $${n - 3}, $${n - 2}, $${n - 1}, $${n})`;
  });
  await tx.query(
    `insert into public.pull_results (pull_id, slot, item_id, rarity, guaranteed, medals) values ${rows.join(", ")}`,
    params,
  );
}
