/**
 * Builders for realistic rows, for integration tests. Each builder is one
 * `asService` transaction, so rows go in the way the privileged app path writes
 * them (grants and triggers apply, RLS does not), and builders compose: pass what
 * one returns to the next.
 */
import { randomBytes, randomUUID } from "node:crypto";
import type { AppRole } from "@/lib/auth/caller";
import { asService, type Claims } from "@/lib/db/session";
import type { Database, Queryable } from "@/lib/db/types";

export type Rarity = "N" | "R" | "SR" | "SSR";
export type Slot = "regular" | "guaranteed";
export type UserStatus = "active" | "suspended";
export type VtuberStatus = "applied" | "approved" | "rejected" | "suspended";
export type CampaignStatus = "draft" | "in_review" | "approved" | "rejected" | "ended";
export type ContentKind = "voice" | "image" | "video";
export type PurchaseStatus = "pending" | "paid" | "fulfilled" | "failed" | "refunded";

export const RARITIES: readonly Rarity[] = ["N", "R", "SR", "SSR"];

/**
 * Campaign windows far from any plausible test-run clock, so "active", "ended"
 * and "upcoming" stay true whenever the suite runs.
 */
export const WINDOWS = {
  active: { startsAt: new Date("2000-01-01T00:00:00Z"), endsAt: new Date("2999-12-31T00:00:00Z") },
  ended: { startsAt: new Date("2000-01-01T00:00:00Z"), endsAt: new Date("2000-12-31T00:00:00Z") },
  upcoming: { startsAt: new Date("2999-01-01T00:00:00Z"), endsAt: new Date("2999-12-31T00:00:00Z") },
} as const satisfies Record<string, CampaignWindow>;

export interface CampaignWindow {
  startsAt: Date;
  endsAt: Date;
}

/** Eight items, like the demo catalog: enough for every rarity in both slots. */
export const STANDARD_LINEUP: readonly Rarity[] = ["N", "N", "N", "R", "R", "SR", "SR", "SSR"];

/** Total ppm per rarity; the guaranteed slot keeps the regular SSR rate. */
export const STANDARD_RATES: Record<Slot, Partial<Record<Rarity, number>>> = {
  regular: { N: 700_000, R: 220_000, SR: 70_000, SSR: 10_000 },
  guaranteed: { SR: 990_000, SSR: 10_000 },
};

const service = <T>(db: Database, fn: (tx: Queryable) => Promise<T>) => asService(db, "test-fixtures", fn);

/** Short random suffix: fixtures never collide, however many a test file makes. */
const tag = () => randomBytes(4).toString("hex");
const sha256Hex = () => randomBytes(32).toString("hex");

async function single<Row>(rows: Promise<Row[]>, what: string): Promise<Row> {
  const [row] = await rows;
  if (row === undefined) throw new Error(`fixture: ${what} returned no row`);
  return row;
}

// ---------------------------------------------------------------------------
// Accounts and VTubers

export interface UserFixture {
  id: string;
  email: string;
  role: AppRole;
  status: UserStatus;
  birthdate: string;
  /** Ready for `asUser(db, user.claims, …)`. */
  claims: Claims;
}

export async function createUser(
  db: Database,
  options: {
    role?: AppRole;
    status?: UserStatus;
    email?: string;
    displayName?: string;
    /** YYYY-MM-DD. @default "1995-05-05" (an adult) */
    birthdate?: string;
    voluntaryMonthlyLimitJpy?: number | null;
  } = {},
): Promise<UserFixture> {
  const role = options.role ?? "user";
  const status = options.status ?? "active";
  const birthdate = options.birthdate ?? "1995-05-05";
  const email = options.email ?? `${role}-${tag()}@test.koepon.invalid`;
  const row = await single(
    service(db, (tx) =>
      tx.query<{ id: string }>(
        `insert into public.users
           (email, password_hash, display_name, birthdate, role, status, terms_version, terms_accepted_at,
            voluntary_monthly_limit_jpy)
         values ($1, $2, $3, $4, $5, $6, '2026-11-01', now(), $7)
         returning id`,
        [
          email,
          // Never verified in these tests; the auth tests hash real passwords.
          "$2b$04$fixturefixturefixturefixtureOfixturefixturefixturefix",
          options.displayName ?? `${role} ${tag()}`,
          birthdate,
          role,
          status,
          options.voluntaryMonthlyLimitJpy ?? null,
        ],
      ),
    ),
    "insert user",
  );
  return { id: row.id, email, role, status, birthdate, claims: { sub: row.id, appRole: role } };
}

export interface VtuberFixture {
  id: string;
  slug: string;
  name: string;
  status: VtuberStatus;
  user: UserFixture;
}

/** A VTuber profile; by default approved, with a fresh account holding the `vtuber` role. */
export async function createVtuber(
  db: Database,
  options: { status?: VtuberStatus; user?: UserFixture; slug?: string; name?: string; reviewer?: UserFixture } = {},
): Promise<VtuberFixture> {
  const status = options.status ?? "approved";
  const user = options.user ?? (await createUser(db, { role: status === "approved" ? "vtuber" : "user" }));
  const slug = options.slug ?? `vt-${tag()}`;
  const name = options.name ?? `VTuber ${slug}`;
  const reviewed = status !== "applied";
  const row = await single(
    service(db, (tx) =>
      tx.query<{ id: string }>(
        `insert into public.vtubers (user_id, slug, name, bio, status, reviewed_at, reviewed_by)
         values ($1, $2, $3, 'fixture', $4, case when $5 then now() end, $6)
         returning id`,
        [user.id, slug, name, status, reviewed, reviewed ? (options.reviewer?.id ?? null) : null],
      ),
    ),
    "insert vtuber",
  );
  return { id: row.id, slug, name, status, user };
}

export interface ContentFileFixture {
  id: string;
  vtuberId: string;
  kind: ContentKind;
  title: string;
  storagePath: string;
}

const MEDIA: Record<ContentKind, { mime: string; ext: string; duration: number | null; size: number | null }> = {
  voice: { mime: "audio/ogg", ext: "ogg", duration: 12_000, size: null },
  image: { mime: "image/png", ext: "png", duration: null, size: 1024 },
  video: { mime: "video/mp4", ext: "mp4", duration: 30_000, size: 1080 },
};

export async function createContentFile(
  db: Database,
  vtuber: { id: string },
  options: { kind?: ContentKind; title?: string } = {},
): Promise<ContentFileFixture> {
  const kind = options.kind ?? "voice";
  const media = MEDIA[kind];
  const title = options.title ?? `${kind} ${tag()}`;
  const storagePath = `vtubers/${vtuber.id}/${tag()}${tag()}.${media.ext}`;
  const row = await single(
    service(db, (tx) =>
      tx.query<{ id: string }>(
        `insert into public.content_files
           (vtuber_id, kind, title, storage_path, mime_type, size_bytes, sha256, duration_ms, width, height)
         values ($1, $2, $3, $4, $5, 4096, $6, $7, $8, $8)
         returning id`,
        [vtuber.id, kind, title, storagePath, media.mime, sha256Hex(), media.duration, media.size],
      ),
    ),
    "insert content file",
  );
  return { id: row.id, vtuberId: vtuber.id, kind, title, storagePath };
}

// ---------------------------------------------------------------------------
// Campaigns, items and rate tables

export interface CampaignFixture {
  id: string;
  vtuberId: string;
  title: string;
  status: CampaignStatus;
  startsAt: Date;
  endsAt: Date;
  singlePriceJpy: number;
  tenPriceJpy: number;
  medals: Record<Rarity, number>;
  currentRateTableId: string | null;
}

/**
 * A campaign before approval (draft, in review or rejected). Approved and ended
 * campaigns need an approved rate table first: use `createApprovedCampaign`.
 */
export async function createCampaign(
  db: Database,
  vtuber: { id: string },
  options: {
    status?: "draft" | "in_review" | "rejected";
    title?: string;
    window?: CampaignWindow;
    singlePriceJpy?: number;
    tenPriceJpy?: number;
    medals?: Partial<Record<Rarity, number>>;
  } = {},
): Promise<CampaignFixture> {
  const status = options.status ?? "draft";
  const window = options.window ?? WINDOWS.active;
  const medals = { N: 10, R: 20, SR: 50, SSR: 100, ...options.medals };
  const title = options.title ?? `Campaign ${tag()}`;
  const singlePriceJpy = options.singlePriceJpy ?? 100;
  const tenPriceJpy = options.tenPriceJpy ?? 1000;
  const row = await single(
    service(db, (tx) =>
      tx.query<{ id: string }>(
        `insert into public.campaigns
           (vtuber_id, title, description, status, starts_at, ends_at, single_price_jpy, ten_price_jpy,
            medals_n, medals_r, medals_sr, medals_ssr, submitted_at)
         values ($1, $2, 'fixture campaign', $3, $4, $5, $6, $7, $8, $9, $10, $11,
                 case when $3 <> 'draft' then now() end)
         returning id`,
        [
          vtuber.id,
          title,
          status,
          window.startsAt,
          window.endsAt,
          singlePriceJpy,
          tenPriceJpy,
          medals.N,
          medals.R,
          medals.SR,
          medals.SSR,
        ],
      ),
    ),
    "insert campaign",
  );
  return {
    id: row.id,
    vtuberId: vtuber.id,
    title,
    status,
    startsAt: window.startsAt,
    endsAt: window.endsAt,
    singlePriceJpy,
    tenPriceJpy,
    medals,
    currentRateTableId: null,
  };
}

export interface GachaItemFixture {
  id: string;
  campaignId: string;
  contentFileId: string;
  name: string;
  rarity: Rarity;
  file: ContentFileFixture;
}

/** Adds one item per rarity given, each with its own new content file of the campaign's VTuber. */
export async function addGachaItems(
  db: Database,
  campaign: { id: string; vtuberId: string },
  lineup: readonly (Rarity | { rarity: Rarity; name?: string; kind?: ContentKind })[] = STANDARD_LINEUP,
): Promise<GachaItemFixture[]> {
  const items: GachaItemFixture[] = [];
  for (const spec of lineup) {
    const { rarity, name, kind } = typeof spec === "string" ? { rarity: spec, name: undefined, kind: undefined } : spec;
    const itemName = name ?? `${rarity} item ${tag()}`;
    const file = await createContentFile(db, { id: campaign.vtuberId }, { kind, title: itemName });
    const row = await single(
      service(db, (tx) =>
        tx.query<{ id: string }>(
          `insert into public.gacha_items (campaign_id, content_file_id, name, rarity)
           values ($1, $2, $3, $4) returning id`,
          [campaign.id, file.id, itemName, rarity],
        ),
      ),
      "insert gacha item",
    );
    items.push({ id: row.id, campaignId: campaign.id, contentFileId: file.id, name: itemName, rarity, file });
  }
  return items;
}

export interface RateEntry {
  slot: Slot;
  itemId: string;
  rarity: Rarity;
  weightPpm: number;
}

/**
 * Entries that split each rarity's total evenly over that rarity's items (the first
 * items take the remainder), so each slot sums to exactly 1,000,000.
 */
export function standardRates(
  items: readonly { id: string; rarity: Rarity }[],
  rates: Record<Slot, Partial<Record<Rarity, number>>> = STANDARD_RATES,
): RateEntry[] {
  const entries: RateEntry[] = [];
  for (const slot of ["regular", "guaranteed"] as const) {
    for (const rarity of RARITIES) {
      const total = rates[slot][rarity] ?? 0;
      if (total === 0) continue;
      const ofRarity = items.filter((item) => item.rarity === rarity);
      if (ofRarity.length === 0)
        throw new Error(`fixture: ${slot} rates give ${rarity} ${total} ppm but no item has it`);
      const base = Math.floor(total / ofRarity.length);
      const remainder = total - base * ofRarity.length;
      ofRarity.forEach((item, i) =>
        entries.push({ slot, itemId: item.id, rarity, weightPpm: base + (i < remainder ? 1 : 0) }),
      );
    }
  }
  return entries;
}

export interface RateTableFixture {
  id: string;
  campaignId: string;
  version: number;
  status: "draft" | "approved";
  contentHash: string | null;
  entries: RateEntry[];
}

/** A draft rate table holding `entries`, approved afterwards unless `approve` is false. */
export async function createRateTable(
  db: Database,
  campaign: { id: string },
  entries: readonly RateEntry[],
  options: { approve?: boolean; version?: number; approvedBy?: UserFixture } = {},
): Promise<RateTableFixture> {
  const id = await service(db, async (tx) => {
    const table = await single(
      tx.query<{ id: string }>(
        `insert into public.rate_tables (campaign_id, version)
         values ($1, coalesce($2, (select coalesce(max(version), 0) + 1 from public.rate_tables where campaign_id = $1)))
         returning id`,
        [campaign.id, options.version ?? null],
      ),
      "insert rate table",
    );
    await insertRateEntries(tx, table.id, entries);
    return table.id;
  });
  const draft = await readRateTable(db, id, entries);
  return options.approve === false ? draft : approveRateTable(db, draft, options.approvedBy);
}

export async function insertRateEntries(
  tx: Queryable,
  rateTableId: string,
  entries: readonly RateEntry[],
): Promise<void> {
  for (const e of entries) {
    await tx.query(
      `insert into public.rate_table_entries (rate_table_id, slot, item_id, rarity, weight_ppm)
       values ($1, $2, $3, $4, $5)`,
      [rateTableId, e.slot, e.itemId, e.rarity, e.weightPpm],
    );
  }
}

/** Approval is a status change: the database checks the sums and computes the hash. */
export async function approveRateTable(
  db: Database,
  table: RateTableFixture,
  approvedBy?: UserFixture,
): Promise<RateTableFixture> {
  await service(db, (tx) =>
    tx.query("update public.rate_tables set status = 'approved', approved_by = $2 where id = $1", [
      table.id,
      approvedBy?.id ?? null,
    ]),
  );
  return readRateTable(db, table.id, table.entries);
}

async function readRateTable(db: Database, id: string, entries: readonly RateEntry[]): Promise<RateTableFixture> {
  const row = await single(
    service(db, (tx) =>
      tx.query<{ campaign_id: string; version: number; status: "draft" | "approved"; content_hash: string | null }>(
        "select campaign_id, version, status, content_hash from public.rate_tables where id = $1",
        [id],
      ),
    ),
    "read rate table",
  );
  return {
    id,
    campaignId: row.campaign_id,
    version: row.version,
    status: row.status,
    contentHash: row.content_hash,
    entries: [...entries],
  };
}

/** Points the campaign at an approved table and approves it, as an admin's review does. */
export async function approveCampaign(
  db: Database,
  campaign: CampaignFixture,
  rateTable: RateTableFixture,
  options: { reviewer?: UserFixture; status?: "approved" | "ended" } = {},
): Promise<CampaignFixture> {
  const status = options.status ?? "approved";
  await service(db, (tx) =>
    tx.query(
      `update public.campaigns
          set status = $2, current_rate_table_id = $3, submitted_at = coalesce(submitted_at, now()),
              reviewed_at = now(), reviewed_by = $4
        where id = $1`,
      [campaign.id, status, rateTable.id, options.reviewer?.id ?? null],
    ),
  );
  return { ...campaign, status, currentRateTableId: rateTable.id };
}

export interface GachaFixture {
  campaign: CampaignFixture;
  items: GachaItemFixture[];
  rateTable: RateTableFixture;
}

/**
 * A campaign with items and an approved rate table, approved itself. With the
 * default window it is live; pass `WINDOWS.ended` or `WINDOWS.upcoming` for the others.
 */
export async function createApprovedCampaign(
  db: Database,
  vtuber: { id: string },
  options: {
    window?: CampaignWindow;
    title?: string;
    lineup?: readonly Rarity[];
    rates?: Record<Slot, Partial<Record<Rarity, number>>>;
    medals?: Partial<Record<Rarity, number>>;
    singlePriceJpy?: number;
    tenPriceJpy?: number;
    reviewer?: UserFixture;
    status?: "approved" | "ended";
  } = {},
): Promise<GachaFixture> {
  const draft = await createCampaign(db, vtuber, {
    window: options.window,
    title: options.title,
    medals: options.medals,
    singlePriceJpy: options.singlePriceJpy,
    tenPriceJpy: options.tenPriceJpy,
  });
  const items = await addGachaItems(db, draft, options.lineup ?? STANDARD_LINEUP);
  const rateTable = await createRateTable(db, draft, standardRates(items, options.rates), {
    approvedBy: options.reviewer,
  });
  const campaign = await approveCampaign(db, draft, rateTable, { reviewer: options.reviewer, status: options.status });
  return { campaign, items, rateTable };
}

// ---------------------------------------------------------------------------
// Purchases, pulls, medals, rewards

export interface PurchaseFixture {
  id: string;
  userId: string;
  campaignId: string;
  pullCount: 1 | 10;
  amountJpy: number;
  spendMonth: string;
  status: PurchaseStatus;
  idempotencyKey: string;
}

/** First day of the JST month of `at`, as the purchases table stores it. */
export function jstMonth(at: Date): string {
  const jst = new Date(at.getTime() + 9 * 3_600_000);
  return `${jst.getUTCFullYear()}-${String(jst.getUTCMonth() + 1).padStart(2, "0")}-01`;
}

export async function createPurchase(
  db: Database,
  user: { id: string },
  campaign: Pick<CampaignFixture, "id" | "singlePriceJpy" | "tenPriceJpy">,
  options: { pullCount?: 1 | 10; status?: PurchaseStatus; spendMonth?: string; idempotencyKey?: string } = {},
): Promise<PurchaseFixture> {
  const pullCount = options.pullCount ?? 1;
  const status = options.status ?? "fulfilled";
  const amountJpy = pullCount === 10 ? campaign.tenPriceJpy : campaign.singlePriceJpy;
  const spendMonth = options.spendMonth ?? jstMonth(new Date());
  const idempotencyKey = options.idempotencyKey ?? randomUUID();
  const paid = status === "paid" || status === "fulfilled" || status === "refunded";
  const row = await single(
    service(db, (tx) =>
      tx.query<{ id: string }>(
        `insert into public.purchases
           (user_id, campaign_id, idempotency_key, request_hash, pull_count, amount_jpy, spend_month, status,
            provider, provider_payment_id, paid_at, fulfilled_at, failed_at, refunded_at, failure_code)
         values ($1, $2, $3, $4, $5, $6, $7, $8, 'sandbox', $9,
                 case when $10 then now() end,
                 case when $8 in ('fulfilled', 'refunded') then now() end,
                 case when $8 = 'failed' then now() end,
                 case when $8 = 'refunded' then now() end,
                 case when $8 = 'failed' then 'card_declined' end)
         returning id`,
        [
          user.id,
          campaign.id,
          idempotencyKey,
          sha256Hex(),
          pullCount,
          amountJpy,
          spendMonth,
          status,
          status === "pending" ? null : `pi_fixture_${tag()}${tag()}`,
          paid,
        ],
      ),
    ),
    "insert purchase",
  );
  return {
    id: row.id,
    userId: user.id,
    campaignId: campaign.id,
    pullCount,
    amountJpy,
    spendMonth,
    status,
    idempotencyKey,
  };
}

export interface PullResultFixture {
  slot: number;
  itemId: string;
  rarity: Rarity;
  guaranteed: boolean;
  medals: number;
}

export interface PullFixture {
  id: string;
  purchaseId: string;
  userId: string;
  campaignId: string;
  medalsEarned: number;
  results: PullResultFixture[];
}

/**
 * The pull a fulfilled purchase bought, with chosen results (no draw: tests want
 * known outcomes). By default the regular slots cycle through the non-guaranteed
 * items and a 10-pull's last slot takes the first SR/SSR item.
 */
export async function createPull(
  db: Database,
  purchase: PurchaseFixture,
  gacha: GachaFixture,
  results?: readonly GachaItemFixture[],
): Promise<PullFixture> {
  const drawn = results ?? defaultResults(gacha.items, purchase.pullCount);
  if (drawn.length !== purchase.pullCount) {
    throw new Error(`fixture: a ${purchase.pullCount}-pull needs ${purchase.pullCount} results, got ${drawn.length}`);
  }
  const rows: PullResultFixture[] = drawn.map((item, slot) => ({
    slot,
    itemId: item.id,
    rarity: item.rarity,
    guaranteed: purchase.pullCount === 10 && slot === 9,
    medals: gacha.campaign.medals[item.rarity],
  }));
  const medalsEarned = rows.reduce((sum, r) => sum + r.medals, 0);
  const id = await service(db, async (tx) => {
    const pull = await single(
      tx.query<{ id: string }>(
        `insert into public.pulls
           (purchase_id, user_id, campaign_id, rate_table_id, rate_table_hash, pull_count, medals_earned)
         values ($1, $2, $3, $4, $5, $6, $7) returning id`,
        [
          purchase.id,
          purchase.userId,
          purchase.campaignId,
          gacha.rateTable.id,
          gacha.rateTable.contentHash,
          purchase.pullCount,
          medalsEarned,
        ],
      ),
      "insert pull",
    );
    for (const r of rows) {
      await tx.query(
        `insert into public.pull_results (pull_id, slot, item_id, rarity, guaranteed, medals)
         values ($1, $2, $3, $4, $5, $6)`,
        [pull.id, r.slot, r.itemId, r.rarity, r.guaranteed, r.medals],
      );
    }
    return pull.id;
  });
  return {
    id,
    purchaseId: purchase.id,
    userId: purchase.userId,
    campaignId: purchase.campaignId,
    medalsEarned,
    results: rows,
  };
}

function defaultResults(items: readonly GachaItemFixture[], count: 1 | 10): GachaItemFixture[] {
  if (items.length === 0) throw new Error("fixture: the campaign has no items");
  const regular = Array.from({ length: count === 10 ? 9 : count }, (_, i) => items[i % items.length]!);
  if (count === 1) return regular;
  const high = items.find((item) => item.rarity === "SR" || item.rarity === "SSR");
  if (!high) throw new Error("fixture: a 10-pull needs an SR or SSR item for its guaranteed slot");
  return [...regular, high];
}

export interface MedalGrantFixture {
  ledgerId: number;
  balance: number;
}

/** Changes a balance and appends the ledger row explaining it, in one transaction. */
export async function grantMedals(
  db: Database,
  user: { id: string },
  vtuber: { id: string },
  delta: number,
  options: { reason?: "pull" | "adjustment" | "refund"; pullId?: string; note?: string } = {},
): Promise<MedalGrantFixture> {
  const reason = options.reason ?? (options.pullId ? "pull" : "adjustment");
  return service(db, async (tx) => {
    const { balance } = await single(
      tx.query<{ balance: number }>(
        `insert into public.medal_balances (user_id, vtuber_id, balance) values ($1, $2, $3)
         on conflict (user_id, vtuber_id) do update set balance = public.medal_balances.balance + excluded.balance
         returning balance`,
        [user.id, vtuber.id, delta],
      ),
      "upsert medal balance",
    );
    const { id } = await single(
      tx.query<{ id: number }>(
        `insert into public.medal_ledger (user_id, vtuber_id, delta, balance_after, reason, pull_id, note)
         values ($1, $2, $3, $4, $5, $6, $7) returning id`,
        [user.id, vtuber.id, delta, balance, reason, options.pullId ?? null, options.note ?? null],
      ),
      "insert medal ledger row",
    );
    return { ledgerId: id, balance };
  });
}

export async function addMonthlySpend(
  db: Database,
  user: { id: string },
  amounts: { committedJpy?: number; pendingJpy?: number; month?: string } = {},
): Promise<{ month: string }> {
  const month = amounts.month ?? jstMonth(new Date());
  await service(db, (tx) =>
    tx.query(
      `insert into public.monthly_spend (user_id, month, committed_jpy, pending_jpy) values ($1, $2, $3, $4)
       on conflict (user_id, month) do update
         set committed_jpy = public.monthly_spend.committed_jpy + excluded.committed_jpy,
             pending_jpy = public.monthly_spend.pending_jpy + excluded.pending_jpy`,
      [user.id, month, amounts.committedJpy ?? 0, amounts.pendingJpy ?? 0],
    ),
  );
  return { month };
}

export interface RewardFixture {
  id: string;
  userId: string;
  contentFileId: string;
}

/** Puts a file in a fan's reward box; owning it already keeps the first acquisition. */
export async function grantReward(
  db: Database,
  user: { id: string },
  item: { contentFileId: string; name: string },
  source: { pullId: string } | { exchangeId: string },
): Promise<RewardFixture> {
  const pullId = "pullId" in source ? source.pullId : null;
  const exchangeId = "exchangeId" in source ? source.exchangeId : null;
  const row = await single(
    service(db, (tx) =>
      tx.query<{ id: string }>(
        `with added as (
           insert into public.rewards (user_id, content_file_id, vtuber_id, title, kind, source, pull_id, exchange_id)
           select $1, f.id, f.vtuber_id, $3, f.kind, $4, $5, $6 from public.content_files f where f.id = $2
           on conflict (user_id, content_file_id) do nothing
           returning id
         )
         select id from added
         union all
         select id from public.rewards where user_id = $1 and content_file_id = $2`,
        [user.id, item.contentFileId, item.name, pullId ? "pull" : "exchange", pullId, exchangeId],
      ),
    ),
    "insert reward",
  );
  return { id: row.id, userId: user.id, contentFileId: item.contentFileId };
}

export interface FulfilledPullFixture {
  purchase: PurchaseFixture;
  pull: PullFixture;
  medals: MedalGrantFixture;
  rewards: RewardFixture[];
}

/**
 * Everything one paid pull leaves behind: the fulfilled purchase, the pull and its
 * results, the medals (balance and ledger), the reward box entries and the month's spend.
 */
export async function createFulfilledPull(
  db: Database,
  user: { id: string },
  gacha: GachaFixture,
  options: { pullCount?: 1 | 10; results?: readonly GachaItemFixture[] } = {},
): Promise<FulfilledPullFixture> {
  const purchase = await createPurchase(db, user, gacha.campaign, { pullCount: options.pullCount });
  const pull = await createPull(db, purchase, gacha, options.results);
  const medals = await grantMedals(db, user, { id: gacha.campaign.vtuberId }, pull.medalsEarned, { pullId: pull.id });
  const rewards: RewardFixture[] = [];
  for (const result of pull.results) {
    const item = gacha.items.find((i) => i.id === result.itemId)!;
    rewards.push(await grantReward(db, user, item, { pullId: pull.id }));
  }
  await addMonthlySpend(db, user, { committedJpy: purchase.amountJpy, month: purchase.spendMonth });
  return { purchase, pull, medals, rewards: [...new Map(rewards.map((r) => [r.id, r])).values()] };
}

export interface ExchangeItemFixture {
  id: string;
  vtuberId: string;
  contentFileId: string;
  costMedals: number;
  stock: number | null;
  perUserLimit: number | null;
  status: ExchangeItemStatus;
}

export type ExchangeItemStatus = "draft" | "in_review" | "active" | "rejected" | "archived";

/** An exchange item of a VTuber; creates the file it hands out unless one is given. Active by default. */
export async function createExchangeItem(
  db: Database,
  vtuber: { id: string },
  options: {
    file?: ContentFileFixture;
    name?: string;
    costMedals?: number;
    stock?: number | null;
    perUserLimit?: number | null;
    availableFrom?: Date | null;
    availableUntil?: Date | null;
    status?: ExchangeItemStatus;
  } = {},
): Promise<ExchangeItemFixture> {
  const file = options.file ?? (await createContentFile(db, vtuber, { title: options.name }));
  const costMedals = options.costMedals ?? 300;
  const stock = options.stock === undefined ? null : options.stock;
  const perUserLimit = options.perUserLimit === undefined ? 1 : options.perUserLimit;
  const status = options.status ?? "active";
  const row = await single(
    service(db, (tx) =>
      tx.query<{ id: string }>(
        `insert into public.exchange_items
           (vtuber_id, content_file_id, name, description, cost_medals, stock, per_user_limit,
            available_from, available_until, status)
         values ($1, $2, $3, 'fixture exchange item', $4, $5, $6, $7, $8, $9)
         returning id`,
        [
          vtuber.id,
          file.id,
          options.name ?? `Exchange ${tag()}`,
          costMedals,
          stock,
          perUserLimit,
          options.availableFrom ?? null,
          options.availableUntil ?? null,
          status,
        ],
      ),
    ),
    "insert exchange item",
  );
  return { id: row.id, vtuberId: vtuber.id, contentFileId: file.id, costMedals, stock, perUserLimit, status };
}
