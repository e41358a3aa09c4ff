/**
 * Who may read and change what, enforced by the database itself: grants, RLS
 * policies and triggers. Runs on PGlite, or on PostgreSQL when DATABASE_URL is set.
 *
 * How a refusal shows depends on the layer that refuses, and each case names it:
 * a missing GRANT raises "permission denied", an INSERT failing a policy's WITH
 * CHECK raises a row-level security violation, an UPDATE or DELETE whose rows a
 * policy hides affects 0 rows, and the immutability triggers raise KP001/KP002/KP003.
 */
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getConfig } from "@/lib/config";
import { asAnon, asService, asUser, type Claims } from "@/lib/db/session";
import type { Database, Queryable } from "@/lib/db/types";
import { createTestDatabase, type TestDatabase } from "../helpers/database";
import * as fx from "../helpers/fixtures";

const onPostgres = getConfig().database.kind === "postgres";

/**
 * PGlite has one connection, so a race between two transactions cannot even be staged
 * there: these tests are registered only where they can run (and fail), not skipped.
 */
function describeOnPostgres(name: string, fn: () => void): void {
  if (onPostgres) describe(name, fn);
}

const DENIED = { code: "42501", message: expect.stringMatching(/^permission denied for table /) };
const RLS_VIOLATION = { code: "42501", message: expect.stringMatching(/violates row-level security policy/) };
const NO_ROWS = { rows: 0 };
const IMMUTABLE = { code: "KP001" };
const APPEND_ONLY = { code: "KP002", message: expect.stringMatching(/is append-only/) };
const REFUSED_APPROVAL = { code: "KP003" };

type Outcome = { rows: number } | { code: string; message: string };

/** What a statement did: how many rows it returned, or the SQLSTATE it failed with. */
async function attempt(run: Promise<readonly unknown[]>): Promise<Outcome> {
  try {
    return { rows: (await run).length };
  } catch (err) {
    const { code, message } = err as { code?: string; message: string };
    return { code: code ?? "no sqlstate", message };
  }
}

type Actor = { as: "user"; claims: Claims } | { as: "anon" } | { as: "service" } | { as: "owner" };

let t: TestDatabase;
let db: Database;
let w: World;

/** Runs one statement as the actor, in its own transaction (the owner: outside any role switch). */
function run(actor: Actor, sql: string, params: unknown[] = []): Promise<unknown[]> {
  switch (actor.as) {
    case "user":
      return asUser(db, actor.claims, (tx) => tx.query(sql, params));
    case "anon":
      return asAnon(db, (tx) => tx.query(sql, params));
    case "service":
      return asService(db, "rls-test", (tx) => tx.query(sql, params));
    case "owner":
      return db.query(sql, params);
  }
}

const user = (u: { claims: Claims }): Actor => ({ as: "user", claims: u.claims });
const ANON: Actor = { as: "anon" };
const SERVICE: Actor = { as: "service" };
const OWNER: Actor = { as: "owner" };

async function ids(actor: Actor, sql: string, params: unknown[] = []): Promise<string[]> {
  const rows = (await run(actor, sql, params)) as { id: string }[];
  return rows.map((r) => r.id).sort();
}

const sorted = (values: readonly string[]) => [...values].sort();

/** The hash the app computes from the rows it draws with; must equal the one the database stored. */
function canonicalHash(entries: readonly fx.RateEntry[]): string {
  const byte = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  const text = [...entries]
    .sort((a, b) => byte(a.slot, b.slot) || byte(a.itemId, b.itemId))
    .map((e) => `${e.slot}:${e.itemId}:${e.rarity}:${e.weightPpm}`)
    .join("\n");
  return createHash("sha256").update(text, "utf8").digest("hex");
}

interface World {
  admin: fx.UserFixture;
  suspendedAdmin: fx.UserFixture;
  fan1: fx.UserFixture;
  fan2: fx.UserFixture;
  newcomer: fx.UserFixture;
  vtA: fx.VtuberFixture;
  vtB: fx.VtuberFixture;
  vtApplied: fx.VtuberFixture;
  vtSuspended: fx.VtuberFixture;
  /** An admin account that also runs a VTuber profile, so it can read every file. */
  vtAdmin: fx.VtuberFixture;
  liveA: fx.GachaFixture;
  liveB: fx.GachaFixture;
  endedA: fx.GachaFixture;
  upcomingA: fx.GachaFixture;
  closedA: fx.GachaFixture;
  liveOfApplied: fx.GachaFixture;
  liveOfSuspended: fx.GachaFixture;
  draftA: fx.CampaignFixture;
  inReviewA: fx.CampaignFixture;
  draftB: fx.CampaignFixture;
  draftItemsB: fx.GachaItemFixture[];
  draftRatesB: fx.RateTableFixture;
  spareItemA: fx.GachaItemFixture;
  fileA: fx.ContentFileFixture;
  fileB: fx.ContentFileFixture;
  exchangeA: fx.ExchangeItemFixture;
  exchangeDraftA: fx.ExchangeItemFixture;
  exchangeB: fx.ExchangeItemFixture;
  exchangeOfApplied: fx.ExchangeItemFixture;
  pulls: { fan1: fx.FulfilledPullFixture[]; fan2: fx.FulfilledPullFixture[] };
}

async function buildWorld(): Promise<World> {
  const admin = await fx.createUser(db, { role: "admin" });
  const suspendedAdmin = await fx.createUser(db, { role: "admin", status: "suspended" });
  const [fan1, fan2, newcomer] = [await fx.createUser(db), await fx.createUser(db), await fx.createUser(db)];
  const vtA = await fx.createVtuber(db, { reviewer: admin });
  const vtB = await fx.createVtuber(db, { reviewer: admin });
  const vtApplied = await fx.createVtuber(db, { status: "applied" });
  const vtSuspended = await fx.createVtuber(db, { status: "suspended", reviewer: admin });
  const vtAdmin = await fx.createVtuber(db, { user: await fx.createUser(db, { role: "admin" }) });

  const liveA = await fx.createApprovedCampaign(db, vtA, { reviewer: admin });
  const liveB = await fx.createApprovedCampaign(db, vtB, { reviewer: admin });
  const endedA = await fx.createApprovedCampaign(db, vtA, { window: fx.WINDOWS.ended });
  const upcomingA = await fx.createApprovedCampaign(db, vtA, { window: fx.WINDOWS.upcoming });
  const closedA = await fx.createApprovedCampaign(db, vtA, { status: "ended" });
  const liveOfApplied = await fx.createApprovedCampaign(db, vtApplied);
  const liveOfSuspended = await fx.createApprovedCampaign(db, vtSuspended);
  // Not in the rate table: lets the immutability tests try to add an entry.
  const [spareItemA] = await fx.addGachaItems(db, liveA.campaign, ["SR"]);

  const draftA = await fx.createCampaign(db, vtA);
  await fx.createRateTable(db, draftA, fx.standardRates(await fx.addGachaItems(db, draftA)), { approve: false });
  const inReviewA = await fx.createCampaign(db, vtA, { status: "in_review" });
  const draftB = await fx.createCampaign(db, vtB);
  const draftItemsB = await fx.addGachaItems(db, draftB);
  const draftRatesB = await fx.createRateTable(db, draftB, fx.standardRates(draftItemsB), { approve: false });

  const pulls = {
    fan1: [await fx.createFulfilledPull(db, fan1, liveA, { pullCount: 10 })],
    fan2: [await fx.createFulfilledPull(db, fan2, liveA), await fx.createFulfilledPull(db, fan2, liveB)],
  };

  return {
    admin,
    suspendedAdmin,
    fan1,
    fan2,
    newcomer,
    vtA,
    vtB,
    vtApplied,
    vtSuspended,
    vtAdmin,
    liveA,
    liveB,
    endedA,
    upcomingA,
    closedA,
    liveOfApplied,
    liveOfSuspended,
    draftA,
    inReviewA,
    draftB,
    draftItemsB,
    draftRatesB,
    spareItemA: spareItemA!,
    fileA: await fx.createContentFile(db, vtA),
    fileB: await fx.createContentFile(db, vtB),
    exchangeA: await fx.createExchangeItem(db, vtA),
    exchangeDraftA: await fx.createExchangeItem(db, vtA, { status: "draft" }),
    exchangeB: await fx.createExchangeItem(db, vtB),
    exchangeOfApplied: await fx.createExchangeItem(db, vtApplied),
    pulls,
  };
}

beforeAll(async () => {
  t = await createTestDatabase();
  db = t.db;
  w = await buildWorld();
});
afterAll(() => t?.close());

describe(`row level security on ${onPostgres ? "PostgreSQL" : "PGlite"}`, () => {
  // Kept first: later tests add rows, and these assertions name the exact visible set.
  describe("a signed-out visitor (anon) reads only the public catalog", () => {
    it("sees only campaigns that are approved, inside their window and of an approved VTuber", async () => {
      const visible = await ids(ANON, "select id from public.campaigns");
      expect(visible).toEqual(sorted([w.liveA.campaign.id, w.liveB.campaign.id]));
      // The same rows the test hides exist: the service path sees them.
      const hidden = [
        w.endedA.campaign.id,
        w.upcomingA.campaign.id,
        w.closedA.campaign.id,
        w.liveOfApplied.campaign.id,
        w.liveOfSuspended.campaign.id,
        w.draftA.id,
        w.inReviewA.id,
        w.draftB.id,
      ];
      expect(await ids(SERVICE, "select id from public.campaigns where id = any($1)", [hidden])).toEqual(
        sorted(hidden),
      );
    });

    it("sees approved VTubers only", async () => {
      expect(await ids(ANON, "select id from public.vtubers")).toEqual(sorted([w.vtA.id, w.vtB.id, w.vtAdmin.id]));
    });

    it("sees the items and the approved odds of active campaigns only", async () => {
      const live = [w.liveA, w.liveB];
      expect(await ids(ANON, "select id from public.gacha_items")).toEqual(
        sorted([...live.flatMap((g) => g.items.map((i) => i.id)), w.spareItemA.id]),
      );
      expect(await ids(ANON, "select id from public.rate_tables")).toEqual(sorted(live.map((g) => g.rateTable.id)));

      const odds = (await run(
        ANON,
        `select rate_table_id as id, slot, count(*)::int as entries, sum(weight_ppm)::int as total
           from public.rate_table_entries group by rate_table_id, slot order by rate_table_id, slot`,
      )) as { id: string; slot: string; entries: number; total: number }[];
      const expected = live
        .flatMap((g) =>
          (["guaranteed", "regular"] as const).map((slot) => ({
            id: g.rateTable.id,
            slot,
            entries: g.rateTable.entries.filter((e) => e.slot === slot).length,
            total: 1_000_000,
          })),
        )
        .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      expect(odds).toEqual(expected);
    });

    it("learns item kinds only for campaigns anyone may see", async () => {
      const kinds = (id: string) => run(ANON, "select item_id, kind from private.public_item_kinds($1)", [id]);
      const items = await ids(ANON, "select id from public.gacha_items where campaign_id = $1", [w.liveA.campaign.id]);
      expect(items.length).toBeGreaterThan(0);
      const visible = (await kinds(w.liveA.campaign.id)) as { item_id: string; kind: string }[];
      expect(sorted(visible.map((k) => k.item_id))).toEqual(items);
      expect(visible.every((k) => ["voice", "image", "video"].includes(k.kind))).toBe(true);
      expect(await kinds(w.draftA.id)).toEqual([]);
    });

    it("sees active exchange items of approved VTubers only", async () => {
      expect(await ids(ANON, "select id from public.exchange_items")).toEqual(sorted([w.exchangeA.id, w.exchangeB.id]));
    });

    it.each([
      { column: "user_id", table: "vtubers" },
      { column: "content_file_id", table: "gacha_items" },
      { column: "content_file_id", table: "exchange_items" },
      { column: "reviewed_by", table: "campaigns" },
      { column: "approved_by", table: "rate_tables" },
    ])("cannot read the private column $table.$column", async ({ table, column }) => {
      expect(await attempt(run(ANON, `select ${column} from public.${table}`))).toMatchObject(DENIED);
    });

    it.each([
      "users",
      "refresh_token_families",
      "refresh_tokens",
      "content_files",
      "purchases",
      "monthly_spend",
      "pulls",
      "pull_results",
      "medal_balances",
      "medal_ledger",
      "exchanges",
      "rewards",
      "webhook_events",
      "audit_log",
    ])("cannot read %s at all", async (table) => {
      expect(await attempt(run(ANON, `select 1 from public.${table}`))).toMatchObject(DENIED);
    });

    it.each([
      [
        "campaigns",
        `insert into public.campaigns (vtuber_id, title, starts_at, ends_at) values ($1, 'x', now(), now() + interval '1 day') returning id`,
      ],
      ["vtubers", `insert into public.vtubers (user_id, slug, name) values ($1, 'anon-slug', 'x') returning id`],
      ["campaigns", `update public.campaigns set title = 'defaced' where vtuber_id = $1 returning id`],
    ])("cannot write to %s", async (_table, sql) => {
      expect(await attempt(run(ANON, sql, [w.vtA.id]))).toMatchObject(DENIED);
    });

    it("shows a signed-in fan the same catalog, without drafts or ended campaigns", async () => {
      expect(await ids(user(w.newcomer), "select id from public.campaigns")).toEqual(
        sorted([w.liveA.campaign.id, w.liveB.campaign.id]),
      );
      expect(await ids(user(w.newcomer), "select id from public.rate_tables")).toEqual(
        sorted([w.liveA.rateTable.id, w.liveB.rateTable.id]),
      );
      expect(await attempt(run(user(w.newcomer), "select id from public.content_files"))).toEqual(NO_ROWS);
    });
  });

  describe("a fan's purchases, pulls, medals and rewards are theirs alone", () => {
    // `owner` finds the fan a row belongs to, for the service-side expectation.
    const FAN_TABLES = [
      { table: "purchases", key: "id::text", owner: "user_id" },
      { table: "monthly_spend", key: "user_id::text || '/' || month", owner: "user_id" },
      { table: "pulls", key: "id::text", owner: "user_id" },
      {
        table: "pull_results",
        key: "pull_id::text || '/' || slot",
        owner: "(select p.user_id from public.pulls p where p.id = pull_id)",
      },
      { table: "medal_balances", key: "user_id::text || '/' || vtuber_id", owner: "user_id" },
      { table: "medal_ledger", key: "id::text", owner: "user_id" },
      { table: "rewards", key: "id::text", owner: "user_id" },
    ];

    it.each(FAN_TABLES)("$table: each fan sees exactly their own rows", async ({ table, key, owner }) => {
      const keysOf = async (actor: Actor, where = "", params: unknown[] = []) =>
        sorted(
          ((await run(actor, `select ${key} as k from public.${table} ${where}`, params)) as { k: string }[]).map(
            (r) => r.k,
          ),
        );

      const fans = [w.fan1, w.fan2, w.newcomer];
      const expected = await Promise.all(fans.map((f) => keysOf(SERVICE, `where ${owner} = $1`, [f.id])));
      // Both fans have rows, so "sees none of the other's" is not vacuous.
      expect(expected[0]!.length).toBeGreaterThan(0);
      expect(expected[1]!.length).toBeGreaterThan(0);
      expect(expected[2]).toEqual([]);

      for (const [i, fan] of fans.entries()) {
        expect(await keysOf(user(fan))).toEqual(expected[i]);
      }
      // Asking for another fan's rows by id does not help either.
      expect(await keysOf(user(w.fan1), `where ${owner} = $1`, [w.fan2.id])).toEqual([]);
    });

    it("lets a fan see the items they drew, even outside the public catalog", async () => {
      // fan1 drew liveA items: visible through the "drawn" policy as well as the catalog.
      const drawn = w.pulls.fan1[0]!.pull.results.map((r) => r.itemId);
      expect(await ids(user(w.fan1), "select id from public.gacha_items where id = any($1)", [drawn])).toEqual(
        sorted([...new Set(drawn)]),
      );
    });
  });

  describe("economy tables are never written by a signed-in user, not even their own rows", () => {
    const CASES: [what: string, sql: string][] = [
      [
        "update their medal balance",
        "update public.medal_balances set balance = balance + 1000 where user_id = $1 returning 1",
      ],
      [
        "insert a medal balance",
        "insert into public.medal_balances (user_id, vtuber_id, balance) values ($1, $2, 1000) returning 1",
      ],
      ["delete their medal balance", "delete from public.medal_balances where user_id = $1 returning 1"],
      ["update a medal ledger row", "update public.medal_ledger set delta = 1000 where user_id = $1 returning 1"],
      [
        "insert a medal ledger row",
        "insert into public.medal_ledger (user_id, vtuber_id, delta, balance_after, reason) values ($1, $2, 1000, 1000, 'adjustment') returning 1",
      ],
      ["delete a medal ledger row", "delete from public.medal_ledger where user_id = $1 returning 1"],
      [
        "mark their purchase refunded",
        "update public.purchases set status = 'refunded', refunded_at = now() where user_id = $1 returning 1",
      ],
      [
        "insert a purchase",
        `insert into public.purchases (user_id, campaign_id, idempotency_key, request_hash, pull_count, amount_jpy, spend_month, status, provider)
         values ($1, (select id from public.campaigns limit 1), 'fan-made-key', repeat('a', 64), 1, 100, date '2026-11-01', 'fulfilled', 'sandbox') returning 1`,
      ],
      ["reset their monthly spend", "update public.monthly_spend set committed_jpy = 0 where user_id = $1 returning 1"],
      ["change a pull's medals", "update public.pulls set medals_earned = 99999 where user_id = $1 returning 1"],
      [
        "insert a reward",
        "insert into public.rewards (user_id, content_file_id, vtuber_id, title, kind, source) select $1, id, vtuber_id, 'x', kind, 'pull' from public.content_files returning 1",
      ],
      ["promote themselves", "update public.users set role = 'admin' where id = $1 returning 1"],
      [
        "lift their own limit",
        "update public.users set voluntary_monthly_limit_jpy = null, birthdate = '1970-01-01' where id = $1 returning 1",
      ],
    ];

    it.each(CASES)("cannot %s (permission denied)", async (_what, sql) => {
      const params = sql.includes("$2") ? [w.fan1.id, w.vtA.id] : [w.fan1.id];
      expect(await attempt(run(user(w.fan1), sql, params))).toMatchObject(DENIED);
    });

    it("left the fan's economy rows as they were", async () => {
      const [row] = (await run(
        SERVICE,
        `select (select balance from public.medal_balances where user_id = $1 and vtuber_id = $2) as balance,
                (select count(*)::int from public.medal_ledger where user_id = $1) as ledger,
                (select status from public.purchases where id = $3) as status,
                (select role from public.users where id = $1) as role`,
        [w.fan1.id, w.vtA.id, w.pulls.fan1[0]!.purchase.id],
      )) as { balance: number; ledger: number; status: string; role: string }[];
      expect(row).toEqual({ balance: w.pulls.fan1[0]!.medals.balance, ledger: 1, status: "fulfilled", role: "user" });
    });
  });

  describe("a VTuber cannot touch another VTuber's campaigns or content", () => {
    const snapshotB = () =>
      run(
        SERVICE,
        `select json_build_object(
           'vtuber', (select row_to_json(v) from public.vtubers v where v.id = $1),
           'campaigns', (select json_agg(c order by c.id) from public.campaigns c where c.vtuber_id = $1),
           'files', (select json_agg(f order by f.id) from public.content_files f where f.vtuber_id = $1),
           'items', (select json_agg(i order by i.id) from public.gacha_items i join public.campaigns c on c.id = i.campaign_id where c.vtuber_id = $1),
           'tables', (select json_agg(t order by t.id) from public.rate_tables t join public.campaigns c on c.id = t.campaign_id where c.vtuber_id = $1),
           'entries', (select count(*) from public.rate_table_entries e join public.rate_tables t on t.id = e.rate_table_id join public.campaigns c on c.id = t.campaign_id where c.vtuber_id = $1),
           'exchange', (select json_agg(x order by x.id) from public.exchange_items x where x.vtuber_id = $1)
         ) as snapshot`,
        [w.vtB.id],
      );

    // A acts on B. `params` are built lazily: the world exists only once beforeAll ran.
    const CASES: { what: string; sql: string; params: () => unknown[]; expected: object }[] = [
      {
        what: "retitle B's draft",
        sql: "update public.campaigns set title = 'mine now' where id = $1 returning id",
        params: () => [w.draftB.id],
        expected: NO_ROWS,
      },
      {
        what: "retitle B's live campaign",
        sql: "update public.campaigns set title = 'mine now' where id = $1 returning id",
        params: () => [w.liveB.campaign.id],
        expected: NO_ROWS,
      },
      {
        what: "submit B's draft for review",
        sql: "update public.campaigns set status = 'in_review' where id = $1 returning id",
        params: () => [w.draftB.id],
        expected: NO_ROWS,
      },
      {
        what: "delete B's draft",
        sql: "delete from public.campaigns where id = $1 returning id",
        params: () => [w.draftB.id],
        expected: DENIED,
      },
      {
        what: "create a campaign in B's name",
        sql: "insert into public.campaigns (vtuber_id, title, starts_at, ends_at) values ($1, 'fake', now(), now() + interval '1 day') returning id",
        params: () => [w.vtB.id],
        expected: RLS_VIOLATION,
      },
      {
        what: "read B's draft",
        sql: "select id from public.campaigns where id = $1",
        params: () => [w.draftB.id],
        expected: NO_ROWS,
      },
      {
        what: "read B's files",
        sql: "select id from public.content_files where vtuber_id = $1",
        params: () => [w.vtB.id],
        expected: NO_ROWS,
      },
      {
        what: "retitle B's file",
        sql: "update public.content_files set title = 'mine now' where id = $1 returning id",
        params: () => [w.fileB.id],
        expected: NO_ROWS,
      },
      {
        what: "delete B's file",
        sql: "delete from public.content_files where id = $1 returning id",
        params: () => [w.fileB.id],
        expected: NO_ROWS,
      },
      {
        what: "upload a file into B's catalog",
        sql: `insert into public.content_files (vtuber_id, kind, title, storage_path, mime_type, size_bytes, sha256)
              values ($1, 'voice', 'x', 'intruder/x.ogg', 'audio/ogg', 10, repeat('a', 64)) returning id`,
        params: () => [w.vtB.id],
        expected: RLS_VIOLATION,
      },
      {
        what: "add an item to B's draft",
        sql: "insert into public.gacha_items (campaign_id, content_file_id, name, rarity) values ($1, $2, 'x', 'N') returning id",
        params: () => [w.draftB.id, w.fileB.id],
        expected: RLS_VIOLATION,
      },
      {
        what: "put B's file in A's own draft",
        sql: "insert into public.gacha_items (campaign_id, content_file_id, name, rarity) values ($1, $2, 'x', 'N') returning id",
        params: () => [w.draftA.id, w.fileB.id],
        expected: RLS_VIOLATION,
      },
      {
        what: "remove items from B's draft",
        sql: "delete from public.gacha_items where campaign_id = $1 returning id",
        params: () => [w.draftB.id],
        expected: NO_ROWS,
      },
      {
        what: "draft a rate table for B's campaign",
        sql: "insert into public.rate_tables (campaign_id, version) values ($1, 7) returning id",
        params: () => [w.draftB.id],
        expected: RLS_VIOLATION,
      },
      {
        what: "add an entry to B's draft rate table",
        sql: "insert into public.rate_table_entries (rate_table_id, slot, item_id, rarity, weight_ppm) values ($1, 'guaranteed', $2, 'N', 1) returning 1",
        params: () => [w.draftRatesB.id, w.draftItemsB[0]!.id],
        expected: RLS_VIOLATION,
      },
      {
        what: "clear B's draft rate table",
        sql: "delete from public.rate_table_entries where rate_table_id = $1 returning 1",
        params: () => [w.draftRatesB.id],
        expected: NO_ROWS,
      },
      {
        what: "reprice B's exchange item",
        sql: "update public.exchange_items set cost_medals = 1 where id = $1 returning id",
        params: () => [w.exchangeB.id],
        expected: NO_ROWS,
      },
      {
        what: "list an exchange item in B's name",
        sql: "insert into public.exchange_items (vtuber_id, content_file_id, name, cost_medals) values ($1, $2, 'x', 1) returning id",
        params: () => [w.vtB.id, w.fileB.id],
        expected: RLS_VIOLATION,
      },
      {
        what: "hand out B's file from A's exchange",
        sql: "insert into public.exchange_items (vtuber_id, content_file_id, name, cost_medals) values ($1, $2, 'x', 1) returning id",
        params: () => [w.vtA.id, w.fileB.id],
        expected: RLS_VIOLATION,
      },
      {
        what: "rename B's profile",
        sql: "update public.vtubers set name = 'mine now' where id = $1 returning id",
        params: () => [w.vtB.id],
        expected: NO_ROWS,
      },
    ];

    it.each(CASES)("A cannot $what", async ({ sql, params, expected }) => {
      const before = await snapshotB();
      expect(await attempt(run(user(w.vtA.user), sql, params()))).toMatchObject(expected);
      expect(await snapshotB()).toEqual(before);
    });

    it("an admin who runs a VTuber profile still cannot use another VTuber's files", async () => {
      // Admins may read every file, so only the policies' file-ownership checks stop this.
      const admin = user(w.vtAdmin.user);
      const draft = await fx.createCampaign(db, w.vtAdmin);
      expect(
        await attempt(
          run(
            admin,
            "insert into public.exchange_items (vtuber_id, content_file_id, name, cost_medals) values ($1, $2, 'x', 1) returning id",
            [w.vtAdmin.id, w.fileB.id],
          ),
        ),
      ).toMatchObject(RLS_VIOLATION);
      expect(
        await attempt(
          run(
            admin,
            "insert into public.gacha_items (campaign_id, content_file_id, name, rarity) values ($1, $2, 'x', 'N') returning id",
            [draft.id, w.fileB.id],
          ),
        ),
      ).toMatchObject(RLS_VIOLATION);
    });

    it("A edits, fills and submits its own draft, but cannot approve it", async () => {
      const a = user(w.vtA.user);
      const draft = await fx.createCampaign(db, w.vtA);
      const file = await fx.createContentFile(db, w.vtA);

      expect(
        await attempt(run(a, "update public.campaigns set title = 'new title' where id = $1 returning id", [draft.id])),
      ).toEqual({ rows: 1 });
      expect(
        await attempt(
          run(a, "update public.content_files set title = 'renamed' where id = $1 returning id", [file.id]),
        ),
      ).toEqual({ rows: 1 });
      const [item] = (await run(
        a,
        "insert into public.gacha_items (campaign_id, content_file_id, name, rarity) values ($1, $2, 'mine', 'SSR') returning id",
        [draft.id, file.id],
      )) as { id: string }[];
      const [table] = (await run(
        a,
        "insert into public.rate_tables (campaign_id, version) values ($1, 1) returning id",
        [draft.id],
      )) as { id: string }[];
      expect(
        await attempt(
          run(
            a,
            "insert into public.rate_table_entries (rate_table_id, slot, item_id, rarity, weight_ppm) values ($1, 'regular', $2, 'SSR', 1000000) returning 1",
            [table!.id, item!.id],
          ),
        ),
      ).toEqual({ rows: 1 });

      expect(
        await attempt(run(a, "update public.campaigns set status = 'approved' where id = $1 returning id", [draft.id])),
      ).toMatchObject(RLS_VIOLATION);
      expect(
        await attempt(
          run(a, "update public.campaigns set current_rate_table_id = $2 where id = $1 returning id", [
            draft.id,
            table!.id,
          ]),
        ),
      ).toMatchObject(DENIED);
      expect(
        await attempt(
          run(a, "update public.rate_tables set status = 'approved' where id = $1 returning id", [table!.id]),
        ),
      ).toMatchObject(DENIED);
      expect(
        await attempt(
          run(a, "update public.campaigns set status = 'in_review' where id = $1 returning status", [draft.id]),
        ),
      ).toEqual({ rows: 1 });
      // Once submitted, the draft is out of the VTuber's hands until reviewed.
      expect(
        await attempt(run(a, "update public.campaigns set title = 'late edit' where id = $1 returning id", [draft.id])),
      ).toEqual(NO_ROWS);
    });

    it("A cannot edit its own approved campaign, and can delete its own unused file", async () => {
      const a = user(w.vtA.user);
      expect(
        await attempt(
          run(a, "update public.campaigns set single_price_jpy = 1000 where id = $1 returning id", [
            w.liveA.campaign.id,
          ]),
        ),
      ).toEqual(NO_ROWS);
      const spare = await fx.createContentFile(db, w.vtA);
      expect(await attempt(run(a, "delete from public.content_files where id = $1 returning id", [spare.id]))).toEqual({
        rows: 1,
      });
    });

    it("A's exchange items go live only through review", async () => {
      const a = user(w.vtA.user);
      const update = (id: string, set: string) =>
        attempt(run(a, `update public.exchange_items set ${set} where id = $1 returning id`, [id]));

      const draft = await fx.createExchangeItem(db, w.vtA, { status: "draft" });
      expect(await update(draft.id, "status = 'active'")).toMatchObject(RLS_VIOLATION);
      expect(await update(draft.id, "cost_medals = 250, status = 'in_review'")).toEqual({ rows: 1 });
      // Submitted: out of A's hands until an admin decides.
      expect(await update(draft.id, "status = 'draft'")).toEqual(NO_ROWS);

      const live = await fx.createExchangeItem(db, w.vtA, { status: "active" });
      expect(await update(live.id, "cost_medals = 1")).toMatchObject(RLS_VIOLATION);
      expect(await update(live.id, "status = 'archived'")).toEqual({ rows: 1 });
      expect(await update(live.id, "status = 'active'")).toEqual(NO_ROWS);
    });

    it("a suspended VTuber cannot edit its profile", async () => {
      const s = user(w.vtSuspended.user);
      expect(
        await attempt(
          run(s, "update public.vtubers set bio = 'still here' where id = $1 returning id", [w.vtSuspended.id]),
        ),
      ).toEqual(NO_ROWS);
    });

    it("a suspended VTuber loses its console rights", async () => {
      const s = user(w.vtSuspended.user);
      expect(
        await attempt(run(s, "select id from public.content_files where vtuber_id = $1", [w.vtSuspended.id])),
      ).toEqual(NO_ROWS);
      expect(
        await attempt(
          run(
            s,
            "insert into public.campaigns (vtuber_id, title, starts_at, ends_at) values ($1, 'x', now(), now() + interval '1 day') returning id",
            [w.vtSuspended.id],
          ),
        ),
      ).toMatchObject(RLS_VIOLATION);
    });
  });

  describe("an approved rate table is frozen for everyone", () => {
    // Each statement returns a row per change, so "0 rows" is measurable.
    const OPS = {
      reopen: "update public.rate_tables set status = 'draft' where id = $1 returning id",
      rehash: "update public.rate_tables set content_hash = repeat('0', 64) where id = $1 returning id",
      delete: "delete from public.rate_tables where id = $1 returning id",
      addEntry:
        "insert into public.rate_table_entries (rate_table_id, slot, item_id, rarity, weight_ppm) values ($1, 'regular', $2, 'SR', 1) returning 1",
      reweigh: "update public.rate_table_entries set weight_ppm = weight_ppm + 1 where rate_table_id = $1 returning 1",
      clear: "delete from public.rate_table_entries where rate_table_id = $1 returning 1",
      truncateEntries: "truncate public.rate_table_entries",
      truncateTables: "truncate public.rate_tables cascade",
    } as const;
    type Op = keyof typeof OPS;

    // Signed-in users are stopped by grants and policies before the trigger runs;
    // service_role and the owner hold the privileges, so the trigger is what stops them.
    const AS_SIGNED_IN: Record<Op, object> = {
      reopen: DENIED,
      rehash: DENIED,
      delete: DENIED,
      // The row trigger runs before the INSERT policy is checked.
      addEntry: IMMUTABLE,
      reweigh: DENIED,
      clear: NO_ROWS,
      truncateEntries: DENIED,
      truncateTables: DENIED,
    };
    const AS_SERVICE: Record<Op, object> = {
      reopen: IMMUTABLE,
      rehash: IMMUTABLE,
      delete: IMMUTABLE,
      addEntry: IMMUTABLE,
      reweigh: IMMUTABLE,
      clear: IMMUTABLE,
      truncateEntries: DENIED,
      truncateTables: DENIED,
    };
    const AS_OWNER: Record<Op, object> = { ...AS_SERVICE, truncateEntries: IMMUTABLE, truncateTables: IMMUTABLE };

    const ACTORS: { who: string; actor: () => Actor; expected: Record<Op, object> }[] = [
      { who: "the owning VTuber", actor: () => user(w.vtA.user), expected: AS_SIGNED_IN },
      { who: "an admin", actor: () => user(w.admin), expected: AS_SIGNED_IN },
      { who: "service_role", actor: () => SERVICE, expected: AS_SERVICE },
      { who: "the table owner (no role switch)", actor: () => OWNER, expected: AS_OWNER },
    ];
    const CASES = ACTORS.flatMap(({ who, actor, expected }) =>
      (Object.keys(OPS) as Op[]).map((op) => ({ who, op, actor, expected: expected[op] })),
    );

    const stored = async (tableId: string) => {
      const [row] = (await run(SERVICE, "select status, content_hash from public.rate_tables where id = $1", [
        tableId,
      ])) as {
        status: string;
        content_hash: string;
      }[];
      const entries = (await run(
        SERVICE,
        `select slot, item_id as "itemId", rarity, weight_ppm as "weightPpm"
           from public.rate_table_entries where rate_table_id = $1 order by slot, item_id`,
        [tableId],
      )) as fx.RateEntry[];
      return { ...row, entries };
    };

    it.each(CASES)("$who: $op is refused", async ({ op, actor, expected }) => {
      const table = w.liveA.rateTable;
      const before = await stored(table.id);
      const params = op.startsWith("truncate") ? [] : op === "addEntry" ? [table.id, w.spareItemA.id] : [table.id];
      expect(await attempt(run(actor(), OPS[op], params))).toMatchObject(expected);
      expect(await stored(table.id)).toEqual(before);
    });

    it("still holds exactly the approved entries, matching its hash", async () => {
      const now = await stored(w.liveA.rateTable.id);
      expect(now.status).toBe("approved");
      expect(sorted(now.entries.map((e) => JSON.stringify(e)))).toEqual(
        sorted(w.liveA.rateTable.entries.map((e) => JSON.stringify(e))),
      );
      expect(now.content_hash).toBe(canonicalHash(now.entries));
    });

    it.each([
      {
        who: "service_role",
        actor: () => SERVICE,
        expected: { ...REFUSED_APPROVAL, message: expect.stringMatching(/created as drafts/) },
      },
      {
        who: "the table owner",
        actor: () => OWNER,
        expected: { ...REFUSED_APPROVAL, message: expect.stringMatching(/created as drafts/) },
      },
      { who: "the owning VTuber", actor: () => user(w.vtA.user), expected: DENIED },
    ])("$who cannot insert a table that is already approved", async ({ actor, expected }) => {
      const sql = `insert into public.rate_tables (campaign_id, version, status, content_hash, approved_at)
                   values ($1, 99, 'approved', repeat('a', 64), now()) returning id`;
      expect(await attempt(run(actor(), sql, [w.draftA.id]))).toMatchObject(expected);
      expect(
        await attempt(
          run(SERVICE, "select id from public.rate_tables where campaign_id = $1 and version = 99", [w.draftA.id]),
        ),
      ).toEqual(NO_ROWS);
    });
  });

  describe("approval checks the odds and fixes the hash", () => {
    /** A fresh draft campaign with the standard lineup, and a draft table holding `entries`. */
    async function draftTable(entries: (items: fx.GachaItemFixture[]) => fx.RateEntry[]) {
      const campaign = await fx.createCampaign(db, w.vtA);
      const items = await fx.addGachaItems(db, campaign);
      const table = await fx.createRateTable(db, campaign, entries(items), { approve: false });
      return { campaign, items, table };
    }
    const approve = (tableId: string) =>
      attempt(
        run(SERVICE, "update public.rate_tables set status = 'approved' where id = $1 returning content_hash", [
          tableId,
        ]),
      );
    const statusOf = async (tableId: string) =>
      (await run(SERVICE, "select status, content_hash from public.rate_tables where id = $1", [tableId]))[0];

    /** Moves `ppm` from the first entry of one rarity and slot to another entry. */
    function shift(
      entries: fx.RateEntry[],
      slot: fx.Slot,
      from: fx.Rarity,
      to: fx.Rarity,
      ppm: number,
    ): fx.RateEntry[] {
      const a = entries.findIndex((e) => e.slot === slot && e.rarity === from);
      const b = entries.findIndex((e) => e.slot === slot && e.rarity === to);
      return entries.map((e, i) =>
        i === a ? { ...e, weightPpm: e.weightPpm - ppm } : i === b ? { ...e, weightPpm: e.weightPpm + ppm } : e,
      );
    }

    it.each([
      {
        what: "regular weights summing to 999,999",
        entries: (items: fx.GachaItemFixture[]) =>
          fx.standardRates(items).map((e, i) => (i === 0 ? { ...e, weightPpm: e.weightPpm - 1 } : e)),
        message: /regular weights .* sum to 999999 ppm/,
      },
      {
        what: "guaranteed weights summing to 1,000,001",
        entries: (items: fx.GachaItemFixture[]) =>
          fx
            .standardRates(items)
            .map((e) => (e.slot === "guaranteed" && e.rarity === "SSR" ? { ...e, weightPpm: e.weightPpm + 1 } : e)),
        message: /guaranteed-slot weights .* sum to 1000001 ppm/,
      },
      {
        what: "no guaranteed table at all",
        entries: (items: fx.GachaItemFixture[]) => fx.standardRates(items).filter((e) => e.slot === "regular"),
        message: /guaranteed-slot weights .* sum to 0 ppm/,
      },
      { what: "no entries at all", entries: () => [], message: /regular weights .* sum to 0 ppm/ },
      {
        what: "a guaranteed slot with a higher SSR rate",
        entries: (items: fx.GachaItemFixture[]) => shift(fx.standardRates(items), "guaranteed", "SR", "SSR", 10_000),
        message: /SSR weight differs between regular \(10000 ppm\) and guaranteed \(20000 ppm\)/,
      },
    ])("refuses $what and leaves the table a draft", async ({ entries, message }) => {
      const { table } = await draftTable(entries);
      expect(await approve(table.id)).toMatchObject({ ...REFUSED_APPROVAL, message: expect.stringMatching(message) });
      expect(await statusOf(table.id)).toEqual({ status: "draft", content_hash: null });
    });

    it("refuses items of another campaign", async () => {
      const { campaign, items } = await draftTable(() => []);
      const rates = fx.standardRates(items);
      const firstN = rates.findIndex((e) => e.rarity === "N" && e.slot === "regular");
      const foreign = rates.map((e, i) =>
        i === firstN ? { ...e, itemId: w.draftItemsB.find((b) => b.rarity === "N")!.id } : e,
      );
      const table = await fx.createRateTable(db, campaign, foreign, { approve: false, version: 2 });
      expect(await approve(table.id)).toMatchObject({
        ...REFUSED_APPROVAL,
        message: expect.stringMatching(/items of another campaign/),
      });
    });

    it("keeps N and R items out of the guaranteed slot, and rarities honest", async () => {
      const { table, items } = await draftTable(() => []);
      const n = items.find((i) => i.rarity === "N")!;
      const insert = (rarity: string) =>
        attempt(
          run(
            SERVICE,
            "insert into public.rate_table_entries (rate_table_id, slot, item_id, rarity, weight_ppm) values ($1, 'guaranteed', $2, $3, 1) returning 1",
            [table.id, n.id, rarity],
          ),
        );
      expect(await insert("N")).toMatchObject({
        code: "23514",
        message: expect.stringMatching(/rate_table_entries_guaranteed_rarity/),
      });
      // Claiming the N item is an SR does not get it in either: the rarity must be the item's own.
      expect(await insert("SR")).toMatchObject({
        code: "23503",
        message: expect.stringMatching(/rate_table_entries_item_fkey/),
      });
    });

    it("stores the SHA-256 of the canonical entry text, whatever hash the caller sends", async () => {
      const { table, items } = await draftTable((items) => fx.standardRates(items));
      const result = await attempt(
        run(
          SERVICE,
          "update public.rate_tables set status = 'approved', content_hash = repeat('0', 64) where id = $1 returning id",
          [table.id],
        ),
      );
      expect(result).toEqual({ rows: 1 });
      const expectedHash = canonicalHash(fx.standardRates(items));
      const [row] = (await run(
        SERVICE,
        "select status, content_hash, approved_at from public.rate_tables where id = $1",
        [table.id],
      )) as {
        status: string;
        content_hash: string;
        approved_at: Date | null;
      }[];
      expect(row).toMatchObject({ status: "approved", content_hash: expectedHash });
      expect(row!.approved_at).toBeInstanceOf(Date);
      expect(expectedHash).not.toBe("0".repeat(64));
    });

    it("lets a campaign point only at one of its own approved tables", async () => {
      const { campaign, table } = await draftTable((items) => fx.standardRates(items));
      const point = (tableId: string) =>
        attempt(
          run(SERVICE, "update public.campaigns set current_rate_table_id = $2 where id = $1 returning id", [
            campaign.id,
            tableId,
          ]),
        );
      expect(await point(table.id)).toMatchObject({
        ...REFUSED_APPROVAL,
        message: expect.stringMatching(/approved rate tables/),
      });
      expect(await point(w.liveB.rateTable.id)).toMatchObject(REFUSED_APPROVAL);
      await fx.approveRateTable(db, table);
      expect(await point(table.id)).toEqual({ rows: 1 });
    });

    describeOnPostgres("under concurrency (PostgreSQL: two connections)", () => {
      function deferred() {
        let resolve!: () => void;
        const promise = new Promise<void>((r) => (resolve = r));
        return { promise, resolve };
      }

      /** Returns once some backend of this database waits on a lock: the race is set up. */
      async function someoneIsWaiting(): Promise<void> {
        for (let i = 0; i < 1000; i++) {
          const [row] = await db.query<{ n: number }>(
            "select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'",
          );
          if (row!.n > 0) return;
          await new Promise((r) => setTimeout(r, 10));
        }
        throw new Error("no transaction ever waited for a lock");
      }

      const insertEntry = (tx: Queryable, tableId: string, itemId: string) =>
        tx.query(
          "insert into public.rate_table_entries (rate_table_id, slot, item_id, rarity, weight_ppm) values ($1, 'regular', $2, 'N', 5) returning 1",
          [tableId, itemId],
        );
      const approveIn = (tx: Queryable, tableId: string) =>
        tx.query("update public.rate_tables set status = 'approved' where id = $1 returning content_hash", [tableId]);

      async function setUp() {
        const campaign = await fx.createCampaign(db, w.vtA);
        const items = await fx.addGachaItems(db, campaign);
        const [extra] = await fx.addGachaItems(db, campaign, ["N"]);
        const table = await fx.createRateTable(db, campaign, fx.standardRates(items), { approve: false });
        return { table, extra: extra! };
      }

      async function expectHashMatchesEntries(tableId: string) {
        const [row] = await db.query<{ status: string; content_hash: string | null; canonical: string }>(
          "select status, content_hash, encode(sha256(convert_to(private.rate_table_canonical(id), 'UTF8')), 'hex') as canonical from public.rate_tables where id = $1",
          [tableId],
        );
        if (row!.status === "approved") expect(row!.content_hash).toBe(row!.canonical);
      }

      it("an approval waiting on an uncommitted entry sees it, and refuses the bad sum", async () => {
        const { table, extra } = await setUp();
        const written = deferred();
        const finish = deferred();
        const writer = asService(db, "rls-test", async (tx) => {
          await insertEntry(tx, table.id, extra.id);
          written.resolve();
          await finish.promise;
        });
        await Promise.race([written.promise, writer]);
        const approval = attempt(asService(db, "rls-test", (tx) => approveIn(tx, table.id)));
        await someoneIsWaiting();
        finish.resolve();
        await writer;
        expect(await approval).toMatchObject({
          ...REFUSED_APPROVAL,
          message: expect.stringMatching(/sum to 1000005 ppm/),
        });
        await expectHashMatchesEntries(table.id);
      });

      it("an entry waiting on an uncommitted approval sees it, and is refused", async () => {
        const { table, extra } = await setUp();
        const approved = deferred();
        const finish = deferred();
        const approver = asService(db, "rls-test", async (tx) => {
          await approveIn(tx, table.id);
          approved.resolve();
          await finish.promise;
        });
        await Promise.race([approved.promise, approver]);
        const write = attempt(asService(db, "rls-test", (tx) => insertEntry(tx, table.id, extra.id)));
        await someoneIsWaiting();
        finish.resolve();
        await approver;
        expect(await write).toMatchObject(IMMUTABLE);
        await expectHashMatchesEntries(table.id);
      });
    });
  });

  describe("ledgers are append-only, privileged or not", () => {
    let auditId: number;
    beforeAll(async () => {
      const [row] = (await run(
        SERVICE,
        "insert into public.audit_log (actor_id, action, target_type, target_id) values ($1, 'campaign.approve', 'campaign', $2) returning id",
        [w.admin.id, w.liveA.campaign.id],
      )) as { id: number }[];
      auditId = row!.id;
    });

    const TABLES = [
      {
        table: "medal_ledger",
        update: "update public.medal_ledger set delta = delta + 1 where user_id = $1 returning id",
        delete: "delete from public.medal_ledger where user_id = $1 returning id",
        param: () => w.fan1.id,
      },
      {
        table: "audit_log",
        update: "update public.audit_log set action = 'campaign.reject' where id = $1 returning id",
        delete: "delete from public.audit_log where id = $1 returning id",
        param: () => auditId,
      },
    ];
    const CASES = TABLES.flatMap((t) => [
      { ...t, who: "service_role", actor: SERVICE, op: "update" as const, expected: DENIED },
      { ...t, who: "service_role", actor: SERVICE, op: "delete" as const, expected: DENIED },
      { ...t, who: "service_role", actor: SERVICE, op: "truncate" as const, expected: DENIED },
      { ...t, who: "the table owner", actor: OWNER, op: "update" as const, expected: APPEND_ONLY },
      { ...t, who: "the table owner", actor: OWNER, op: "delete" as const, expected: APPEND_ONLY },
      { ...t, who: "the table owner", actor: OWNER, op: "truncate" as const, expected: APPEND_ONLY },
    ]);

    it.each(CASES)("$table: $who cannot $op", async ({ table, op, actor, expected, param, ...sql }) => {
      const all = `select json_agg(x order by x.id) as rows from public.${table} x`;
      const before = await run(SERVICE, all);
      const statement = op === "truncate" ? `truncate public.${table}` : sql[op];
      expect(await attempt(run(actor, statement, op === "truncate" ? [] : [param()]))).toMatchObject(expected);
      expect(await run(SERVICE, all)).toEqual(before);
    });

    it("service_role can append", async () => {
      expect(
        await attempt(run(SERVICE, "insert into public.audit_log (action) values ('user.suspend') returning id")),
      ).toEqual({ rows: 1 });
      expect((await fx.grantMedals(db, w.fan1, w.vtA, 5)).balance).toBe(w.pulls.fan1[0]!.medals.balance + 5);
    });
  });

  describe("admins, suspended admins and password hashes", () => {
    const everyFan = () => [w.fan1.id, w.fan2.id];
    beforeAll(async () => {
      await run(
        SERVICE,
        `insert into public.webhook_events (provider, event_id, event_type, payload)
         values ('sandbox', 'evt_rls_test', 'payment_intent.succeeded', '{}'::jsonb)`,
      );
      await run(SERVICE, "insert into public.audit_log (actor_id, action) values ($1, 'user.suspend')", [w.admin.id]);
    });

    it("an active admin reads across accounts", async () => {
      const admin = user(w.admin);
      expect(await ids(admin, "select id from public.users where id = any($1)", [everyFan()])).toEqual(
        sorted(everyFan()),
      );
      expect(await ids(admin, "select distinct user_id as id from public.purchases")).toEqual(sorted(everyFan()));
      expect(await ids(admin, "select distinct user_id as id from public.medal_balances")).toEqual(sorted(everyFan()));
      expect(await ids(admin, "select id from public.campaigns where id = $1", [w.draftB.id])).toEqual([w.draftB.id]);
      expect(await ids(admin, "select id from public.content_files where id = $1", [w.fileB.id])).toEqual([w.fileB.id]);
    });

    it("a suspended admin reads only their own account", async () => {
      expect(await ids(user(w.suspendedAdmin), "select id from public.users")).toEqual([w.suspendedAdmin.id]);
    });

    it.each([
      "select id::text from public.purchases",
      "select user_id::text from public.medal_balances",
      "select id::text from public.medal_ledger",
      "select id::text from public.rewards",
      "select id::text from public.audit_log",
      "select id::text from public.webhook_events",
      "select id::text from public.content_files",
      "select id::text from public.campaigns where status = 'draft'",
      "select id::text from public.rate_tables where status = 'draft'",
    ])("%s: all rows for an active admin, none for a suspended one", async (sql) => {
      const [all] = (await run(SERVICE, `select count(*)::int as n from (${sql}) q`)) as { n: number }[];
      expect(all!.n).toBeGreaterThan(0);
      expect(await attempt(run(user(w.admin), sql))).toEqual({ rows: all!.n });
      expect(await attempt(run(user(w.suspendedAdmin), sql))).toEqual(NO_ROWS);
    });

    it("suspending an admin takes effect on the next statement, whatever the token says", async () => {
      const admin = await fx.createUser(db, { role: "admin" });
      const count = () => ids(user(admin), "select id from public.users where id = any($1)", [everyFan()]);
      expect(await count()).toHaveLength(2);
      await run(SERVICE, "update public.users set status = 'suspended' where id = $1", [admin.id]);
      expect(await count()).toEqual([]);
    });

    it.each([
      { who: "a fan", actor: () => user(w.fan1) },
      { who: "an admin", actor: () => user(w.admin) },
    ])("$who cannot read password_hash, not even their own", async ({ actor }) => {
      expect(
        await attempt(run(actor(), "select password_hash from public.users where id = $1", [w.fan1.id])),
      ).toMatchObject(DENIED);
      expect(await attempt(run(actor(), "select * from public.users where id = $1", [w.fan1.id]))).toMatchObject(
        DENIED,
      );
      expect(await attempt(run(actor(), "select id, email from public.users where id = $1", [w.fan1.id]))).toEqual({
        rows: 1,
      });
    });

    it("a fan reads and renames only their own account", async () => {
      const fan = user(w.fan1);
      expect(await ids(fan, "select id from public.users")).toEqual([w.fan1.id]);
      expect(
        await attempt(
          run(fan, "update public.users set display_name = 'renamed' where id = $1 returning id", [w.fan2.id]),
        ),
      ).toEqual(NO_ROWS);
      expect(
        await attempt(
          run(fan, "update public.users set display_name = 'renamed' where id = $1 returning id", [w.fan1.id]),
        ),
      ).toEqual({ rows: 1 });
    });
  });
});
