import "server-only";
/**
 * The review queues: what each submission will show the public once approved, read on
 * the service path for an admin. A campaign's odds are computed by `computeOdds` from
 * the table the draw would use, exactly as the fans' odds page computes them; its
 * items carry short-lived signed URLs so the reviewer can play or view each file, and
 * storage is asked (for the object's size, never its bytes) whether each file is really
 * there: a row whose object is missing or empty counts as an item without media.
 */
import { getConfig } from "../config";
import { asService } from "../db/session";
import type { Database, Queryable } from "../db/types";
import { computeOdds, type OddsDisclosure } from "../gacha/odds";
import { hashOf, RateTableIntegrityError, verifyRateTable, type RateEntry } from "../gacha/rate-table";
import type { ContentKind, Rarity, Slot } from "../gacha/types";
import type { ObjectStorage } from "../storage";
import { campaignWarnings, type ReviewWarning } from "./review-warnings";

/** A queue shows at most this many submissions, oldest first. */
const QUEUE_LIMIT = 50;

export interface QueueContext {
  storage: ObjectStorage;
  /** @default config.storage.signedUrlTtlSeconds */
  expiresInSeconds?: number;
}

export interface VtuberApplication {
  id: string;
  slug: string;
  name: string;
  bio: string;
  appliedAt: string;
  applicant: { id: string; email: string; displayName: string };
}

export async function listVtuberApplications(db: Database): Promise<VtuberApplication[]> {
  const rows = await asService(db, "admin-queue:vtubers", (tx) =>
    tx.query<{
      id: string;
      slug: string;
      name: string;
      bio: string;
      applied_at: Date;
      user_id: string;
      email: string;
      display_name: string;
    }>(
      `select v.id, v.slug, v.name, v.bio, v.applied_at, u.id as user_id, u.email, u.display_name
         from public.vtubers v join public.users u on u.id = v.user_id
        where v.status = 'applied' order by v.applied_at, v.id limit ${QUEUE_LIMIT}`,
    ),
  );
  return rows.map((r) => ({
    id: r.id,
    slug: r.slug,
    name: r.name,
    bio: r.bio,
    appliedAt: r.applied_at.toISOString(),
    applicant: { id: r.user_id, email: r.email, displayName: r.display_name },
  }));
}

export interface QueueItem {
  id: string;
  name: string;
  rarity: Rarity;
  kind: ContentKind;
  /** Null when the file's row exists but storage holds no object for it, or an empty one. */
  previewUrl: string | null;
  mediaMissing: boolean;
}

/**
 * The reviewer's preview of one file, or null when storage has no object at `key` or only
 * an empty one (nothing a fan could play). Asked first: Supabase refuses to sign a URL for
 * a missing object, and one lost file must not take the whole queue down.
 */
async function preview(storage: ObjectStorage, key: string, ttl: number, mime: string): Promise<string | null> {
  if (!((await storage.size(key)) ?? 0)) return null;
  return storage.signedUrl(key, { expiresInSeconds: ttl, contentType: mime });
}

export interface CampaignSubmission {
  id: string;
  title: string;
  description: string;
  vtuber: { id: string; name: string; slug: string; ownerId: string };
  startsAt: string;
  endsAt: string;
  submittedAt: string | null;
  singlePriceJpy: number;
  tenPriceJpy: number;
  medals: Record<Rarity, number>;
  items: QueueItem[];
  rateTable: { id: string; version: number } | null;
  /**
   * New rates for a campaign already on sale: the version fans draw with until this one
   * is approved. Null for a campaign's first review.
   */
  revisionOf: { version: number } | null;
  odds: OddsDisclosure | null;
  warnings: ReviewWarning[];
}

export async function listCampaignSubmissions(db: Database, context: QueueContext): Promise<CampaignSubmission[]> {
  const ttl = context.expiresInSeconds ?? getConfig().storage.signedUrlTtlSeconds;
  const read = await asService(db, "admin-queue:campaigns", async (tx) => {
    const campaigns = await tx.query<{
      id: string;
      title: string;
      description: string;
      vtuber_id: string;
      vtuber_name: string;
      vtuber_slug: string;
      owner_id: string;
      starts_at: Date;
      ends_at: Date;
      submitted_at: Date | null;
      single_price_jpy: number;
      ten_price_jpy: number;
      medals_n: number;
      medals_r: number;
      medals_sr: number;
      medals_ssr: number;
      current_rate_table_id: string | null;
      live_version: number | null;
    }>(
      `select c.id, c.title, c.description, v.id as vtuber_id, v.name as vtuber_name, v.slug as vtuber_slug,
              v.user_id as owner_id, c.starts_at, c.ends_at, c.submitted_at, c.single_price_jpy, c.ten_price_jpy,
              c.medals_n, c.medals_r, c.medals_sr, c.medals_ssr, c.current_rate_table_id,
              case when c.status = 'approved' then live.version end as live_version
         from public.campaigns c join public.vtubers v on v.id = c.vtuber_id
         left join public.rate_tables live on live.id = c.current_rate_table_id
        where c.status = 'in_review'
           -- New rates submitted for a campaign on sale (lib/vtuber/rate-revisions.ts).
           or (c.status = 'approved' and exists (
                 select 1 from public.rate_tables t
                  where t.campaign_id = c.id and t.status = 'draft' and t.submitted_at is not null))
        order by c.submitted_at nulls first, c.id limit ${QUEUE_LIMIT}`,
    );
    const out = [];
    for (const c of campaigns) {
      const items = await tx.query<{
        id: string;
        name: string;
        rarity: Rarity;
        kind: ContentKind;
        path: string;
        mime: string;
      }>(
        `select i.id, i.name, i.rarity, f.kind, f.storage_path as path, f.mime_type as mime
           from public.gacha_items i join public.content_files f on f.id = i.content_file_id
          where i.campaign_id = $1 order by i.rarity, i.name`,
        [c.id],
      );
      const [itemCount] = await tx.query<{ n: number }>(
        "select count(*)::int as n from public.gacha_items where campaign_id = $1",
        [c.id],
      );
      out.push({ c, items, itemCount: itemCount!.n, table: await tableUnderReview(tx, c.id, c.current_rate_table_id) });
    }
    return out;
  });

  const submissions: CampaignSubmission[] = [];
  for (const { c, items, itemCount, table } of read) {
    const medals = { N: c.medals_n, R: c.medals_r, SR: c.medals_sr, SSR: c.medals_ssr };
    let odds: OddsDisclosure | null = null;
    let invalidReason: string | null = null;
    if (table) {
      try {
        // Verified the way an approved table is, with the hash approval would give it.
        const verified = verifyRateTable(
          {
            id: table.id,
            campaignId: c.id,
            version: table.version,
            status: "approved",
            contentHash: hashOf(table.entries),
          },
          table.entries,
        );
        odds = computeOdds(verified, { singlePriceJpy: c.single_price_jpy, tenPriceJpy: c.ten_price_jpy, medals }, []);
      } catch (err) {
        if (!(err instanceof RateTableIntegrityError)) throw err;
        invalidReason = err.message;
      }
    }
    const shown: QueueItem[] = await Promise.all(
      items.map(async (i) => {
        const previewUrl = await preview(context.storage, i.path, ttl, i.mime);
        return {
          id: i.id,
          name: i.name,
          rarity: i.rarity,
          kind: i.kind,
          previewUrl,
          mediaMissing: previewUrl === null,
        };
      }),
    );
    submissions.push({
      id: c.id,
      title: c.title,
      description: c.description,
      vtuber: { id: c.vtuber_id, name: c.vtuber_name, slug: c.vtuber_slug, ownerId: c.owner_id },
      startsAt: c.starts_at.toISOString(),
      endsAt: c.ends_at.toISOString(),
      submittedAt: c.submitted_at?.toISOString() ?? null,
      singlePriceJpy: c.single_price_jpy,
      tenPriceJpy: c.ten_price_jpy,
      medals,
      items: shown,
      rateTable: table ? { id: table.id, version: table.version } : null,
      revisionOf: c.live_version === null ? null : { version: c.live_version },
      odds,
      warnings: campaignWarnings({
        startsAt: c.starts_at,
        endsAt: c.ends_at,
        // No file row at all, or a row whose object storage does not hold (or holds empty).
        itemsWithoutMedia: itemCount - items.length + shown.filter((i) => i.mediaMissing).length,
        itemCount,
        odds,
        invalidReason,
        previous: table?.previous ?? null,
      }),
    });
  }
  return submissions;
}

/**
 * The table approval would approve (the newest draft, else the current approved one,
 * as `reviewCampaign` decides) and the regular-slot rates of the last approved version.
 */
async function tableUnderReview(tx: Queryable, campaignId: string, currentId: string | null) {
  const [draft] = await tx.query<{ id: string; version: number }>(
    "select id, version from public.rate_tables where campaign_id = $1 and status = 'draft' order by version desc limit 1",
    [campaignId],
  );
  const [approved] = await tx.query<{ id: string; version: number }>(
    `select id, version from public.rate_tables where campaign_id = $1 and status = 'approved'
      order by (id = $2) desc, version desc limit 1`,
    [campaignId, currentId],
  );
  const table = draft ?? approved;
  if (!table) return null;
  const entries = await entriesOf(tx, table.id);
  const previous =
    draft && approved
      ? (await entriesOf(tx, approved.id))
          .filter((e) => e.slot === "regular")
          .reduce<Partial<Record<Rarity, number>>>(
            (acc, e) => ({ ...acc, [e.rarity]: (acc[e.rarity] ?? 0) + e.weightPpm }),
            {},
          )
      : null;
  return { ...table, entries, previous };
}

async function entriesOf(tx: Queryable, rateTableId: string): Promise<RateEntry[]> {
  const rows = await tx.query<{ slot: Slot; item_id: string; rarity: Rarity; weight_ppm: number }>(
    "select slot, item_id, rarity, weight_ppm from public.rate_table_entries where rate_table_id = $1",
    [rateTableId],
  );
  return rows.map((r) => ({ slot: r.slot, itemId: r.item_id, rarity: r.rarity, weightPpm: r.weight_ppm }));
}

export interface ExchangeItemSubmission {
  id: string;
  name: string;
  description: string;
  vtuber: { id: string; name: string; slug: string; ownerId: string };
  costMedals: number;
  stock: number | null;
  perUserLimit: number | null;
  availableFrom: string | null;
  availableUntil: string | null;
  kind: ContentKind;
  /** As for a campaign's items: null when the file's object is missing or empty in storage. */
  previewUrl: string | null;
  mediaMissing: boolean;
}

export async function listExchangeItemSubmissions(
  db: Database,
  context: QueueContext,
): Promise<ExchangeItemSubmission[]> {
  const ttl = context.expiresInSeconds ?? getConfig().storage.signedUrlTtlSeconds;
  const rows = await asService(db, "admin-queue:exchange-items", (tx) =>
    tx.query<{
      id: string;
      name: string;
      description: string;
      vtuber_id: string;
      vtuber_name: string;
      vtuber_slug: string;
      owner_id: string;
      cost_medals: number;
      stock: number | null;
      per_user_limit: number | null;
      available_from: Date | null;
      available_until: Date | null;
      kind: ContentKind;
      path: string;
      mime: string;
    }>(
      `select e.id, e.name, e.description, v.id as vtuber_id, v.name as vtuber_name, v.slug as vtuber_slug,
              v.user_id as owner_id, e.cost_medals, e.stock, e.per_user_limit, e.available_from, e.available_until,
              f.kind, f.storage_path as path, f.mime_type as mime
         from public.exchange_items e
         join public.vtubers v on v.id = e.vtuber_id
         join public.content_files f on f.id = e.content_file_id
        where e.status = 'in_review' order by e.submitted_at nulls first, e.id limit ${QUEUE_LIMIT}`,
    ),
  );
  return Promise.all(
    rows.map(async (r) => {
      const previewUrl = await preview(context.storage, r.path, ttl, r.mime);
      return {
        id: r.id,
        name: r.name,
        description: r.description,
        vtuber: { id: r.vtuber_id, name: r.vtuber_name, slug: r.vtuber_slug, ownerId: r.owner_id },
        costMedals: r.cost_medals,
        stock: r.stock,
        perUserLimit: r.per_user_limit,
        availableFrom: r.available_from?.toISOString() ?? null,
        availableUntil: r.available_until?.toISOString() ?? null,
        kind: r.kind,
        previewUrl,
        mediaMissing: previewUrl === null,
      };
    }),
  );
}
