/**
 * What a signed-out visitor (and a fan) may read of the catalog: approved VTubers, their
 * campaigns inside the window, those campaigns' items and odds, and no private column.
 * Runs on PGlite, or on PostgreSQL when DATABASE_URL is set; actors, refusals and the
 * world are in tests/helpers/rls.ts.
 */
import { describe, expect, it } from "vitest";
import {
  ANON,
  attempt,
  DENIED,
  ENGINE,
  NO_ROWS,
  SERVICE,
  setUpRlsTests,
  sorted,
  user,
  type World,
} from "../helpers/rls";

let w: World;
const { run, ids } = setUpRlsTests((_db, world) => {
  w = world;
});

describe(`row level security on ${ENGINE}`, () => {
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
});
