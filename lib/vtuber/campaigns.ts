import type { Columns, Narrow } from "../db/rows";
import { asUser, type Claims } from "../db/session";
import type { Database, Queryable } from "../db/types";
import { DomainError, type ErrorDetail } from "../domain-error";
import { lintRateTable, type DraftItemRates, type LintProblem } from "../gacha/rate-lint";
import type { MedalConfig, Rarity } from "../gacha/types";
import { UUID_PATTERN } from "../ids";
import { ownVtuberIdIn } from "./own-vtuber";

export type CampaignStatus = "draft" | "in_review" | "approved" | "rejected" | "ended";

/** What the builder edits: the campaign, its items and their rates, as one document. */
export interface CampaignDraft {
  title: string;
  description: string;
  /** ISO 8601 with an offset (the builder sends JST, +09:00); stored in UTC. */
  startsAt: string;
  endsAt: string;
  singlePriceJpy: number;
  tenPriceJpy: number;
  medals: MedalConfig;
  items: { fileId: string; name: string; rarity: Rarity; regularPpm: number; guaranteedPpm: number }[];
}

export interface ConsoleCampaign {
  id: string;
  status: CampaignStatus;
  title: string;
  description: string;
  startsAt: string;
  endsAt: string;
  singlePriceJpy: number;
  tenPriceJpy: number;
  medals: MedalConfig;
  /** The reviewer's reason from the last review, if any. */
  reviewNote: string | null;
  items: { id: string; fileId: string; name: string; rarity: Rarity; regularPpm: number; guaranteedPpm: number }[];
  /** The table being edited or reviewed, or the approved one. */
  rateTable: { id: string; version: number; status: "draft" | "approved"; contentHash: string | null } | null;
  /**
   * New rates proposed for an approved campaign: `rateTable` and the items' rates are
   * that draft, while fans still draw with `liveVersion`. Null when there is none.
   */
  rateRevision: { version: number; liveVersion: number | null; submittedAt: string | null } | null;
  /** What keeps the table from going to review; empty when it may be submitted. */
  problems: LintProblem[];
}

export interface CampaignSummary {
  id: string;
  status: CampaignStatus;
  title: string;
  startsAt: string;
  endsAt: string;
  reviewNote: string | null;
}

const EDITABLE: readonly CampaignStatus[] = ["draft", "rejected"];

/**
 * The campaign columns the console reads, named rather than `*`: a prepared statement
 * keeps its result type when a migration adds a column, where `*` would fail it.
 */
const CAMPAIGN_COLUMN_NAMES = [
  "id",
  "vtuber_id",
  "status",
  "title",
  "description",
  "starts_at",
  "ends_at",
  "single_price_jpy",
  "ten_price_jpy",
  "medals_n",
  "medals_r",
  "medals_sr",
  "medals_ssr",
  "review_note",
  "current_rate_table_id",
] as const;
const CAMPAIGN_COLUMNS = CAMPAIGN_COLUMN_NAMES.join(", ");

export type CampaignRow = Narrow<
  Columns<"campaigns", (typeof CAMPAIGN_COLUMN_NAMES)[number]>,
  { status: CampaignStatus }
>;

export async function listCampaigns(db: Database, claims: Claims): Promise<CampaignSummary[]> {
  return asUser(db, claims, async (tx) => {
    const vtuberId = await ownVtuberIdIn(tx, claims.sub);
    const rows = await tx.query<CampaignRow>(
      `select ${CAMPAIGN_COLUMNS} from public.campaigns where vtuber_id = $1 order by created_at desc, id`,
      [vtuberId],
    );
    return rows.map((row) => ({
      id: row.id,
      status: row.status,
      title: row.title,
      startsAt: row.starts_at.toISOString(),
      endsAt: row.ends_at.toISOString(),
      reviewNote: row.review_note,
    }));
  });
}

export async function getCampaign(db: Database, claims: Claims, id: string): Promise<ConsoleCampaign> {
  return asUser(db, claims, async (tx) => readCampaignIn(tx, await ownCampaignIn(tx, claims, id)));
}

/** Creates a draft campaign with its items and a first draft rate table (version 1). */
export async function createCampaign(db: Database, claims: Claims, draft: CampaignDraft): Promise<ConsoleCampaign> {
  assertPrices(draft);
  return asUser(db, claims, async (tx) => {
    const vtuberId = await ownVtuberIdIn(tx, claims.sub);
    const [row] = await tx.query<CampaignRow>(
      `insert into public.campaigns
         (vtuber_id, title, description, starts_at, ends_at, single_price_jpy, ten_price_jpy,
          medals_n, medals_r, medals_sr, medals_ssr)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
       returning ${CAMPAIGN_COLUMNS}`,
      [vtuberId, ...campaignValues(draft)],
    );
    await replaceItemsIn(tx, vtuberId, row!.id, draft);
    return readCampaignIn(tx, row!);
  });
}

/**
 * Saves the builder's document over a draft (or a rejected campaign, which goes back to
 * draft). Items and rates are replaced as a whole in the campaign's draft table. Sums
 * may still be off in a draft (the builder explains them); a rarity the guaranteed slot
 * cannot hold is refused at once because the database cannot even store it.
 * @throws DomainError `campaign_not_found`, `campaign_not_editable`, `rate_table_invalid`.
 */
export async function saveCampaign(
  db: Database,
  claims: Claims,
  id: string,
  draft: CampaignDraft,
): Promise<ConsoleCampaign> {
  assertPrices(draft);
  return asUser(db, claims, async (tx) => {
    const current = await ownCampaignIn(tx, claims, id);
    if (!EDITABLE.includes(current.status)) throw new DomainError("campaign_not_editable");
    const [row] = await tx.query<CampaignRow>(
      `update public.campaigns
          set title = $2, description = $3, starts_at = $4, ends_at = $5, single_price_jpy = $6, ten_price_jpy = $7,
              medals_n = $8, medals_r = $9, medals_sr = $10, medals_ssr = $11, status = 'draft'
        where id = $1 and status in ('draft', 'rejected')
        returning ${CAMPAIGN_COLUMNS}`,
      [current.id, ...campaignValues(draft)],
    );
    if (!row) throw new DomainError("campaign_not_editable");
    await replaceItemsIn(tx, row.vtuber_id, row.id, draft);
    return readCampaignIn(tx, row);
  });
}

/**
 * Sends a draft to review. Refused while the builder's lint finds a problem (the same
 * rules approval applies), without items, or when the window is already over.
 * @throws DomainError `campaign_not_editable`, `rate_table_invalid` (details: the problems),
 *   `validation_failed`.
 */
export async function submitCampaign(db: Database, claims: Claims, id: string, now: Date): Promise<ConsoleCampaign> {
  return asUser(db, claims, async (tx) => {
    const current = await ownCampaignIn(tx, claims, id);
    if (!EDITABLE.includes(current.status)) throw new DomainError("campaign_not_editable");
    const campaign = await readCampaignIn(tx, current);
    if (campaign.items.length === 0) {
      throw new DomainError("validation_failed", [{ field: "items", reason: "array.min" }]);
    }
    if (campaign.problems.length > 0) {
      throw new DomainError(
        "rate_table_invalid",
        campaign.problems.map((p) => ({ reason: p.code, ...p })),
      );
    }
    if (current.ends_at <= now) throw new DomainError("validation_failed", [{ field: "endsAt", reason: "in_past" }]);
    const [row] = await tx.query<CampaignRow>(
      `update public.campaigns set status = 'in_review' where id = $1 and status in ('draft', 'rejected')
     returning ${CAMPAIGN_COLUMNS}`,
      [current.id],
    );
    if (!row) throw new DomainError("campaign_not_editable");
    return { ...campaign, status: row.status };
  });
}

function assertPrices(draft: CampaignDraft): void {
  const details: ErrorDetail[] = [];
  if (draft.tenPriceJpy > draft.singlePriceJpy * 10)
    details.push({ field: "tenPriceJpy", reason: "above_ten_singles" });
  if (Date.parse(draft.endsAt) <= Date.parse(draft.startsAt))
    details.push({ field: "endsAt", reason: "not_after_start" });
  if (details.length > 0) throw new DomainError("validation_failed", details);
}

function campaignValues(draft: CampaignDraft): unknown[] {
  return [
    draft.title,
    draft.description,
    new Date(draft.startsAt),
    new Date(draft.endsAt),
    draft.singlePriceJpy,
    draft.tenPriceJpy,
    draft.medals.N,
    draft.medals.R,
    draft.medals.SR,
    draft.medals.SSR,
  ];
}

// Not locked FOR UPDATE: that would also apply the edit policy's filter and turn a
// campaign in review into "not found". The writes below re-check the status instead.
export async function ownCampaignIn(tx: Queryable, claims: Claims, id: string): Promise<CampaignRow> {
  if (!UUID_PATTERN.test(id)) throw new DomainError("campaign_not_found");
  const vtuberId = await ownVtuberIdIn(tx, claims.sub);
  const [row] = await tx.query<CampaignRow>(
    `select ${CAMPAIGN_COLUMNS} from public.campaigns where id = $1 and vtuber_id = $2`,
    [id, vtuberId],
  );
  if (!row) throw new DomainError("campaign_not_found");
  return row;
}

async function replaceItemsIn(tx: Queryable, vtuberId: string, campaignId: string, draft: CampaignDraft) {
  const fileIds = [...new Set(draft.items.map((item) => item.fileId))];
  if (fileIds.length !== draft.items.length) {
    throw new DomainError("validation_failed", [{ field: "items", reason: "duplicate_file" }]);
  }
  const owned = await tx.query<{ id: string }>(
    "select id from public.content_files where vtuber_id = $1 and id = any($2::uuid[])",
    [vtuberId, fileIds],
  );
  const ownedIds = new Set(owned.map((row) => row.id));
  const foreign = draft.items.findIndex((item) => !ownedIds.has(item.fileId));
  if (foreign >= 0) {
    throw new DomainError("validation_failed", [{ field: `items.${foreign}.fileId`, reason: "not_in_library" }]);
  }
  const unstorable = lintRateTable(draft.items.map((item) => ({ ...item, key: item.fileId }))).filter(
    (p) => p.code === "guaranteed_rarity",
  );
  if (unstorable.length > 0) {
    throw new DomainError(
      "rate_table_invalid",
      unstorable.map((p) => ({ reason: p.code, ...p })),
    );
  }

  const tableId = await draftTableIdIn(tx, campaignId);
  await tx.query("delete from public.rate_table_entries where rate_table_id = $1", [tableId]);
  await tx.query("delete from public.gacha_items where campaign_id = $1", [campaignId]);
  for (const [position, item] of draft.items.entries()) {
    const [inserted] = await tx.query<{ id: string }>(
      `insert into public.gacha_items (campaign_id, content_file_id, name, rarity, position)
       values ($1, $2, $3, $4, $5) returning id`,
      [campaignId, item.fileId, item.name, item.rarity, position],
    );
    for (const [slot, ppm] of [
      ["regular", item.regularPpm],
      ["guaranteed", item.guaranteedPpm],
    ] as const) {
      if (ppm === 0) continue;
      await tx.query(
        `insert into public.rate_table_entries (rate_table_id, slot, item_id, rarity, weight_ppm) values ($1, $2, $3, $4, $5)`,
        [tableId, slot, inserted!.id, item.rarity, ppm],
      );
    }
  }
}

/** The campaign's draft table; a new version when every earlier one is approved. */
async function draftTableIdIn(tx: Queryable, campaignId: string): Promise<string> {
  const [draft] = await tx.query<{ id: string }>(
    "select id from public.rate_tables where campaign_id = $1 and status = 'draft' order by version desc limit 1",
    [campaignId],
  );
  if (draft) return draft.id;
  const [created] = await tx.query<{ id: string }>(
    `insert into public.rate_tables (campaign_id, version)
     select $1, coalesce(max(version), 0) + 1 from public.rate_tables where campaign_id = $1
     returning id`,
    [campaignId],
  );
  return created!.id;
}

export async function readCampaignIn(tx: Queryable, row: CampaignRow): Promise<ConsoleCampaign> {
  // The newest table: the draft being edited, or the approved one once reviewed.
  const [table] = await tx.query<{
    id: string;
    version: number;
    status: "draft" | "approved";
    content_hash: string | null;
    submitted_at: Date | null;
    live_version: number | null;
  }>(
    `select t.id, t.version, t.status, t.content_hash, t.submitted_at,
            (select l.version from public.rate_tables l where l.id = $2) as live_version
       from public.rate_tables t where t.campaign_id = $1 order by t.version desc limit 1`,
    [row.id, row.current_rate_table_id],
  );
  const items = await tx.query<{
    id: string;
    content_file_id: string;
    name: string;
    rarity: Rarity;
    regular: number;
    guaranteed: number;
  }>(
    `select i.id, i.content_file_id, i.name, i.rarity,
            coalesce(max(e.weight_ppm) filter (where e.slot = 'regular'), 0)::int as regular,
            coalesce(max(e.weight_ppm) filter (where e.slot = 'guaranteed'), 0)::int as guaranteed
       from public.gacha_items i
       left join public.rate_table_entries e on e.item_id = i.id and e.rate_table_id = $2
      where i.campaign_id = $1
      group by i.id, i.content_file_id, i.name, i.rarity, i.position, i.created_at
      order by i.position, i.created_at, i.id`,
    [row.id, table?.id ?? null],
  );
  const consoleItems = items.map((item) => ({
    id: item.id,
    fileId: item.content_file_id,
    name: item.name,
    rarity: item.rarity,
    regularPpm: item.regular,
    guaranteedPpm: item.guaranteed,
  }));
  const rates: DraftItemRates[] = consoleItems.map((item) => ({ ...item, key: item.id }));
  return {
    id: row.id,
    status: row.status,
    title: row.title,
    description: row.description,
    startsAt: row.starts_at.toISOString(),
    endsAt: row.ends_at.toISOString(),
    singlePriceJpy: row.single_price_jpy,
    tenPriceJpy: row.ten_price_jpy,
    medals: { N: row.medals_n, R: row.medals_r, SR: row.medals_sr, SSR: row.medals_ssr },
    reviewNote: row.review_note,
    items: consoleItems,
    rateTable: table
      ? { id: table.id, version: table.version, status: table.status, contentHash: table.content_hash }
      : null,
    rateRevision:
      row.status === "approved" && table?.status === "draft"
        ? {
            version: table.version,
            liveVersion: table.live_version,
            submittedAt: table.submitted_at?.toISOString() ?? null,
          }
        : null,
    problems: lintRateTable(rates),
  };
}
