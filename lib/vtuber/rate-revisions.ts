/**
 * New rates for an approved campaign. The approved table never changes; "propose new
 * rates" drafts the next version as a copy of the live one, over the same items. The
 * VTuber edits its weights with the builder and its lint while fans keep drawing with
 * the live version, then submits it; an admin's approval (lib/admin/review-campaign.ts)
 * makes it the version new pulls use. A purchase reserved earlier keeps the version it
 * pinned. Items stay as they are: the approved table's entries refer to them.
 */
import { asUser, type Claims } from "../db/session";
import type { Database, Queryable } from "../db/types";
import { DomainError } from "../domain-error";
import { lintRateTable } from "../gacha/rate-lint";
import type { Rarity } from "../gacha/types";
import { ownCampaignIn, readCampaignIn, type CampaignRow, type ConsoleCampaign } from "./campaigns";

export interface RateDraft {
  items: { itemId: string; regularPpm: number; guaranteedPpm: number }[];
}

/** The advisory lock class of rate proposals (the other int is the campaign id's hash). */
const PROPOSAL_LOCK = 20_261_216;

/**
 * Opens the next version of an approved campaign's table, a copy of the live one; the
 * draft already open is answered as it is, so there is one draft per campaign at most.
 * @throws DomainError `campaign_not_found`, `rates_not_open` (not approved, or over).
 */
export async function proposeRates(db: Database, claims: Claims, id: string, now: Date): Promise<ConsoleCampaign> {
  return asUser(db, claims, async (tx) => {
    const campaign = await approvedCampaignIn(tx, claims, id);
    if (campaign.ends_at <= now) throw new DomainError("rates_not_open", [{ reason: "ended" }]);
    // One proposal per campaign at a time, until this transaction ends: a second one
    // then finds the draft. Without it, both see no draft, and the later insert, a new
    // statement with a new snapshot, counts the first one's version and opens another.
    await tx.query("select pg_advisory_xact_lock($1, hashtext($2))", [PROPOSAL_LOCK, campaign.id]);
    if (!(await draftIn(tx, campaign.id))) {
      const [created] = await tx.query<{ id: string }>(
        `insert into public.rate_tables (campaign_id, version)
         select $1, max(version) + 1 from public.rate_tables where campaign_id = $1
         returning id`,
        [campaign.id],
      );
      await tx.query(
        `insert into public.rate_table_entries (rate_table_id, slot, item_id, rarity, weight_ppm)
         select $1, slot, item_id, rarity, weight_ppm from public.rate_table_entries where rate_table_id = $2`,
        [created!.id, campaign.current_rate_table_id],
      );
    }
    return readCampaignIn(tx, campaign);
  });
}

/**
 * Replaces the weights of the proposed draft (a weight of 0 leaves the item out of that
 * slot). Sums may still be off while editing, as in any draft.
 * @throws DomainError `campaign_not_found`, `rates_not_open` (none proposed, or in
 *   review), `validation_failed` (an item not of this campaign, or twice),
 *   `rate_table_invalid` (a rarity the guaranteed slot cannot hold).
 */
export async function saveRates(db: Database, claims: Claims, id: string, draft: RateDraft): Promise<ConsoleCampaign> {
  return asUser(db, claims, async (tx) => {
    const campaign = await approvedCampaignIn(tx, claims, id);
    const table = await openDraftIn(tx, campaign.id);
    const items = new Map(
      (
        await tx.query<{ id: string; rarity: Rarity }>(
          "select id, rarity from public.gacha_items where campaign_id = $1",
          [campaign.id],
        )
      ).map((item) => [item.id, item.rarity]),
    );
    const seen = new Set<string>();
    draft.items.forEach((item, i) => {
      if (!items.has(item.itemId)) {
        throw new DomainError("validation_failed", [{ field: `items.${i}.itemId`, reason: "not_in_campaign" }]);
      }
      if (seen.has(item.itemId)) {
        throw new DomainError("validation_failed", [{ field: `items.${i}.itemId`, reason: "duplicate_item" }]);
      }
      seen.add(item.itemId);
    });
    const rates = draft.items.map((item) => ({ ...item, key: item.itemId, rarity: items.get(item.itemId)! }));
    const unstorable = lintRateTable(rates).filter((p) => p.code === "guaranteed_rarity");
    if (unstorable.length > 0) {
      throw new DomainError(
        "rate_table_invalid",
        unstorable.map((p) => ({ reason: p.code, ...p })),
      );
    }
    await tx.query("delete from public.rate_table_entries where rate_table_id = $1", [table.id]);
    for (const rate of rates) {
      for (const [slot, ppm] of [
        ["regular", rate.regularPpm],
        ["guaranteed", rate.guaranteedPpm],
      ] as const) {
        if (ppm === 0) continue;
        await tx.query(
          `insert into public.rate_table_entries (rate_table_id, slot, item_id, rarity, weight_ppm) values ($1, $2, $3, $4, $5)`,
          [table.id, slot, rate.itemId, rate.rarity, ppm],
        );
      }
    }
    return readCampaignIn(tx, campaign);
  });
}

/**
 * Sends the proposed rates to review; refused while the lint finds a problem (the rules
 * approval applies). From then on the draft is frozen until an admin decides.
 * @throws DomainError `campaign_not_found`, `rates_not_open`, `rate_table_invalid`.
 */
export async function submitRates(db: Database, claims: Claims, id: string, now: Date): Promise<ConsoleCampaign> {
  return asUser(db, claims, async (tx) => {
    const campaign = await approvedCampaignIn(tx, claims, id);
    const table = await openDraftIn(tx, campaign.id);
    const current = await readCampaignIn(tx, campaign);
    if (current.problems.length > 0) {
      throw new DomainError(
        "rate_table_invalid",
        current.problems.map((p) => ({ reason: p.code, ...p })),
      );
    }
    const [submitted] = await tx.query(
      "update public.rate_tables set submitted_at = $2 where id = $1 and submitted_at is null returning id",
      [table.id, now],
    );
    if (!submitted) throw new DomainError("rates_not_open", [{ reason: "in_review" }]);
    return readCampaignIn(tx, campaign);
  });
}

async function approvedCampaignIn(tx: Queryable, claims: Claims, id: string): Promise<CampaignRow> {
  const campaign = await ownCampaignIn(tx, claims, id);
  if (campaign.status !== "approved" || !campaign.current_rate_table_id) {
    throw new DomainError("rates_not_open", [{ reason: "not_approved", status: campaign.status }]);
  }
  return campaign;
}

async function draftIn(tx: Queryable, campaignId: string) {
  const [draft] = await tx.query<{ id: string; submitted_at: Date | null }>(
    "select id, submitted_at from public.rate_tables where campaign_id = $1 and status = 'draft'",
    [campaignId],
  );
  return draft ?? null;
}

/** The proposed draft, while it may still change (not in review). */
async function openDraftIn(tx: Queryable, campaignId: string) {
  const draft = await draftIn(tx, campaignId);
  if (!draft) throw new DomainError("rates_not_open", [{ reason: "not_proposed" }]);
  if (draft.submitted_at) throw new DomainError("rates_not_open", [{ reason: "in_review" }]);
  return draft;
}
