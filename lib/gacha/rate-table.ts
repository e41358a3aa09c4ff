import { createHash } from "node:crypto";
import type { Queryable } from "@/lib/db";
import type { Columns, Narrow } from "@/lib/db/rows";
import { PPM_TOTAL, RARITIES, SLOTS, type Rarity, type Slot } from "./types";

/** One row of a rate table: an item's weight in one slot. */
export interface RateEntry {
  slot: Slot;
  itemId: string;
  rarity: Rarity;
  weightPpm: number;
}

/** An entry with the end of its range: it wins every r in [upperPpm − weightPpm, upperPpm). */
export interface CumulativeEntry extends RateEntry {
  upperPpm: number;
}

/**
 * An approved rate table, verified against its recorded hash and ready to draw from.
 * The draw and the odds disclosure both read this one object, so what the odds page
 * shows is what the draw does.
 */
export interface RateTable {
  id: string;
  campaignId: string;
  version: number;
  /** SHA-256 (hex) of `canonicalText(entries)`; recorded with every pull. */
  contentHash: string;
  /** Per slot, in canonical order, with cumulative upper bounds ending at 1,000,000. */
  slots: Readonly<Record<Slot, readonly CumulativeEntry[]>>;
}

/** The table row as stored, before verification. */
export interface RateTableRecord {
  id: string;
  campaignId: string;
  version: number;
  status: "draft" | "approved";
  contentHash: string | null;
}

/** A table that must not be drawn from: not approved, tampered with, or malformed. */
export class RateTableIntegrityError extends Error {
  constructor(
    readonly rateTableId: string,
    reason: string,
  ) {
    super(`rate table ${rateTableId}: ${reason}`);
    this.name = "RateTableIntegrityError";
  }
}

/** Byte-order comparison, as `collate "C"` sorts: UTF-16 code units equal bytes for this ASCII text. */
function compareC(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The text a table's hash is taken over, built exactly as `private.rate_table_canonical`
 * builds it in the database: one line `slot:item_id:rarity:weight_ppm` per entry,
 * ordered by slot then item id in byte order, joined with "\n" (no trailing newline).
 */
export function canonicalText(entries: readonly RateEntry[]): string {
  return [...entries]
    .sort((a, b) => compareC(a.slot, b.slot) || compareC(a.itemId, b.itemId))
    .map((e) => `${e.slot}:${e.itemId}:${e.rarity}:${e.weightPpm}`)
    .join("\n");
}

/** The canonical text of a verified table: the text its `contentHash` is the SHA-256 of. */
export function canonicalTextOf(table: RateTable): string {
  return canonicalText([...table.slots.regular, ...table.slots.guaranteed]);
}

/** SHA-256 of the canonical text, UTF-8 encoded, as lowercase hex (the database's `content_hash`). */
export function hashOf(entries: readonly RateEntry[]): string {
  return createHash("sha256").update(canonicalText(entries)).digest("hex");
}

/**
 * Verifies a stored table and builds the drawable form. Refuses (throws
 * `RateTableIntegrityError`) a table that is not approved, whose entries no longer hash
 * to the recorded `content_hash`, or that breaks the rules approval checked: integer
 * weights ≥ 1, each slot summing to exactly 1,000,000 ppm, the guaranteed slot holding
 * only SR and SSR with the same SSR total as the regular slot. The database enforces
 * all of this already; checking again here means a draw can never run on rows that
 * differ from what was approved, whatever happened below the application.
 */
export function verifyRateTable(record: RateTableRecord, entries: readonly RateEntry[]): RateTable {
  const fail = (reason: string): never => {
    throw new RateTableIntegrityError(record.id, reason);
  };
  if (record.status !== "approved" || record.contentHash === null) fail("is not approved");
  const actual = hashOf(entries);
  if (actual !== record.contentHash) fail(`entries hash to ${actual}, approved hash is ${record.contentHash}`);

  const slots = {} as Record<Slot, CumulativeEntry[]>;
  const ssrPpm = {} as Record<Slot, number>;
  for (const slot of SLOTS) {
    const ordered = entries.filter((e) => e.slot === slot).sort((a, b) => compareC(a.itemId, b.itemId));
    let upper = 0;
    ssrPpm[slot] = 0;
    slots[slot] = ordered.map((entry) => {
      if (!Number.isSafeInteger(entry.weightPpm) || entry.weightPpm < 1) fail(`weight of ${entry.itemId} is not ≥ 1`);
      if (!RARITIES.includes(entry.rarity)) fail(`unknown rarity ${entry.rarity}`);
      if (slot === "guaranteed" && entry.rarity !== "SR" && entry.rarity !== "SSR") {
        fail(`guaranteed slot holds ${entry.rarity} item ${entry.itemId}`);
      }
      // Stryker disable next-line EqualityOperator,AssignmentOperator: each slot sums to exactly 1,000,000 before the SSR sums are compared, so the non-SSR (or negated) sums are equal exactly when the SSR sums are
      if (entry.rarity === "SSR") ssrPpm[slot] += entry.weightPpm;
      upper += entry.weightPpm;
      return { ...entry, upperPpm: upper };
    });
    if (upper !== PPM_TOTAL) fail(`${slot} weights sum to ${upper} ppm, not ${PPM_TOTAL}`);
  }
  if (ssrPpm.regular !== ssrPpm.guaranteed) fail("SSR rate differs between the regular and guaranteed slots");

  return {
    id: record.id,
    campaignId: record.campaignId,
    version: record.version,
    contentHash: record.contentHash!,
    slots,
  };
}

type TableRow = Narrow<
  Columns<"rate_tables", "id" | "campaign_id" | "version" | "status" | "content_hash">,
  { status: "draft" | "approved" }
>;

type EntryRow = Narrow<
  Columns<"rate_table_entries", "slot" | "item_id" | "rarity" | "weight_ppm">,
  { slot: Slot; rarity: Rarity }
>;

/**
 * Reads a rate table and its entries and verifies them (`verifyRateTable`): the only
 * way the draw and the odds disclosure get a table. Throws when the table does not
 * exist for the caller (for `anon`, RLS shows only approved tables of active
 * campaigns) or fails verification. Reads only columns granted to `anon`.
 */
export async function loadRateTable(q: Queryable, rateTableId: string): Promise<RateTable> {
  const [table] = await q.query<TableRow>(
    `select id, campaign_id, version, status, content_hash
       from public.rate_tables
      where id = $1`,
    [rateTableId],
  );
  if (!table) throw new RateTableIntegrityError(rateTableId, "not found");
  const rows = await q.query<EntryRow>(
    `select slot, item_id, rarity, weight_ppm
       from public.rate_table_entries
      where rate_table_id = $1`,
    [rateTableId],
  );
  return verifyRateTable(
    {
      id: table.id,
      campaignId: table.campaign_id,
      version: table.version,
      status: table.status,
      contentHash: table.content_hash,
    },
    rows.map((row) => ({ slot: row.slot, itemId: row.item_id, rarity: row.rarity, weightPpm: row.weight_ppm })),
  );
}

/** Most verified tables kept; past it the oldest goes (a campaign has a handful of versions). */
const APPROVED_CACHE_MAX = 1_000;

/**
 * A `loadApprovedRateTable` with its own cache of at most `cacheMax` tables. The bound
 * is a parameter so a test can reach it with a few tables instead of a thousand.
 */
export function approvedRateTableLoader(cacheMax = APPROVED_CACHE_MAX) {
  const cache = new Map<string, RateTable>();
  return async (q: Queryable, rateTableId: string, contentHash: string): Promise<RateTable> => {
    const key = `${rateTableId}:${contentHash}`;
    const cached = cache.get(key);
    if (cached) return cached;
    const table = await loadRateTable(q, rateTableId);
    if (table.contentHash !== contentHash) {
      throw new RateTableIntegrityError(
        table.id,
        `hash ${table.contentHash} differs from ${contentHash} recorded at purchase`,
      );
    }
    if (cache.size >= cacheMax) cache.delete(cache.keys().next().value!);
    cache.set(key, table);
    return table;
  };
}

/**
 * The approved table `rateTableId` whose hash is `contentHash`, verified once per
 * process: an approved table can never change (the database refuses any write to it
 * or its entries), so a table verified under this (id, hash) stays exactly that. A
 * table whose stored hash differs is `RateTableIntegrityError`, never cached.
 */
export const loadApprovedRateTable = approvedRateTableLoader();
