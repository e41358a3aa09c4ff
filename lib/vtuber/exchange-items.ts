import type { Columns, Narrow } from "../db/rows";
import { asUser, type Claims } from "../db/session";
import type { Database, Queryable } from "../db/types";
import { DomainError } from "../domain-error";
import { UUID_PATTERN } from "../ids";
import { ownVtuberIdIn } from "./own-vtuber";

export type ExchangeItemStatus = "draft" | "in_review" | "active" | "rejected" | "archived";

/** What the console edits of an exchange item. */
export interface ExchangeItemDraft {
  fileId: string;
  name: string;
  description: string;
  costMedals: number;
  /** Set once, when the item is created; null: unlimited. Restocking is not the VTuber's to do. */
  stock: number | null;
  perUserLimit: number | null;
  /** ISO 8601 with an offset, or null for no bound. */
  availableFrom: string | null;
  availableUntil: string | null;
}

export interface ConsoleExchangeItem extends ExchangeItemDraft {
  id: string;
  status: ExchangeItemStatus;
  reviewNote: string | null;
}

/** Named rather than `*`: a prepared statement keeps its result type when a column is added. */
const ITEM_COLUMN_NAMES = [
  "id",
  "content_file_id",
  "name",
  "description",
  "cost_medals",
  "stock",
  "per_user_limit",
  "available_from",
  "available_until",
  "status",
  "review_note",
] as const;
const ITEM_COLUMNS = ITEM_COLUMN_NAMES.join(", ");

type Row = Narrow<Columns<"exchange_items", (typeof ITEM_COLUMN_NAMES)[number]>, { status: ExchangeItemStatus }>;

const toItem = (row: Row): ConsoleExchangeItem => ({
  id: row.id,
  fileId: row.content_file_id,
  name: row.name,
  description: row.description,
  costMedals: row.cost_medals,
  stock: row.stock,
  perUserLimit: row.per_user_limit,
  availableFrom: row.available_from?.toISOString() ?? null,
  availableUntil: row.available_until?.toISOString() ?? null,
  status: row.status,
  reviewNote: row.review_note,
});

export async function listExchangeItems(db: Database, claims: Claims): Promise<ConsoleExchangeItem[]> {
  return asUser(db, claims, async (tx) => {
    const vtuberId = await ownVtuberIdIn(tx, claims.sub);
    const rows = await tx.query<Row>(
      `select ${ITEM_COLUMNS} from public.exchange_items where vtuber_id = $1 order by created_at desc, id`,
      [vtuberId],
    );
    return rows.map(toItem);
  });
}

/**
 * A new exchange item, as a draft, for a file of the caller's own library.
 * @throws DomainError `validation_failed` (`not_in_library`, the window).
 */
export async function createExchangeItem(
  db: Database,
  claims: Claims,
  draft: ExchangeItemDraft,
): Promise<ConsoleExchangeItem> {
  assertWindow(draft);
  return asUser(db, claims, async (tx) => {
    const vtuberId = await ownVtuberIdIn(tx, claims.sub);
    await assertOwnFileIn(tx, vtuberId, draft.fileId);
    const [row] = await tx.query<Row>(
      `insert into public.exchange_items
         (vtuber_id, content_file_id, name, description, cost_medals, stock, per_user_limit, available_from, available_until)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       returning ${ITEM_COLUMNS}`,
      [
        vtuberId,
        draft.fileId,
        draft.name,
        draft.description,
        draft.costMedals,
        draft.stock,
        draft.perUserLimit,
        draft.availableFrom,
        draft.availableUntil,
      ],
    );
    return toItem(row!);
  });
}

/**
 * Edits an item back into a draft (a live item leaves the exchange until approved
 * again). The file and the stock stay as created.
 * @throws DomainError `exchange_item_not_found`, `exchange_item_not_editable` while in review.
 */
export async function saveExchangeItem(
  db: Database,
  claims: Claims,
  id: string,
  draft: Omit<ExchangeItemDraft, "fileId" | "stock">,
): Promise<ConsoleExchangeItem> {
  assertWindow(draft);
  return asUser(db, claims, async (tx) => {
    await ownItemIn(tx, claims, id);
    const [row] = await tx.query<Row>(
      `update public.exchange_items
          set name = $2, description = $3, cost_medals = $4, per_user_limit = $5,
              available_from = $6, available_until = $7, status = 'draft'
        where id = $1 and status in ('draft', 'rejected', 'active')
        returning ${ITEM_COLUMNS}`,
      [
        id,
        draft.name,
        draft.description,
        draft.costMedals,
        draft.perUserLimit,
        draft.availableFrom,
        draft.availableUntil,
      ],
    );
    if (!row) throw new DomainError("exchange_item_not_editable");
    return toItem(row);
  });
}

/** Sends a draft (or a rejected item) to review. */
export async function submitExchangeItem(db: Database, claims: Claims, id: string): Promise<ConsoleExchangeItem> {
  return asUser(db, claims, async (tx) => {
    await ownItemIn(tx, claims, id);
    const [row] = await tx.query<Row>(
      `update public.exchange_items set status = 'in_review'
        where id = $1 and status in ('draft', 'rejected')
        returning ${ITEM_COLUMNS}`,
      [id],
    );
    if (!row) throw new DomainError("exchange_item_not_editable");
    return toItem(row);
  });
}

async function ownItemIn(tx: Queryable, claims: Claims, id: string): Promise<Row> {
  if (!UUID_PATTERN.test(id)) throw new DomainError("exchange_item_not_found");
  const vtuberId = await ownVtuberIdIn(tx, claims.sub);
  const [row] = await tx.query<Row>(
    `select ${ITEM_COLUMNS} from public.exchange_items where id = $1 and vtuber_id = $2`,
    [id, vtuberId],
  );
  if (!row) throw new DomainError("exchange_item_not_found");
  return row;
}

async function assertOwnFileIn(tx: Queryable, vtuberId: string, fileId: string): Promise<void> {
  const [file] = await tx.query("select 1 from public.content_files where id = $1 and vtuber_id = $2", [
    fileId,
    vtuberId,
  ]);
  if (!file) throw new DomainError("validation_failed", [{ field: "fileId", reason: "not_in_library" }]);
}

function assertWindow(draft: { availableFrom: string | null; availableUntil: string | null }): void {
  if (
    draft.availableFrom &&
    draft.availableUntil &&
    Date.parse(draft.availableUntil) <= Date.parse(draft.availableFrom)
  ) {
    throw new DomainError("validation_failed", [{ field: "availableUntil", reason: "not_after_start" }]);
  }
}
