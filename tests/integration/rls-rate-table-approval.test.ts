/**
 * Approving a rate table checks its odds and fixes its hash in the database; on
 * PostgreSQL also under two racing connections.
 * Runs on PGlite, or on PostgreSQL when DATABASE_URL is set; actors, refusals and the
 * world are in tests/helpers/rls.ts.
 */
import { describe, expect, it } from "vitest";
import { asService } from "@/lib/db/session";
import type { Database, Queryable } from "@/lib/db/types";
import type { RateEntry } from "@/lib/gacha/rate-table";
import type { Rarity, Slot } from "@/lib/gacha/types";
import * as fx from "../helpers/fixtures";
import {
  attempt,
  canonicalHash,
  describeOnPostgres,
  ENGINE,
  IMMUTABLE,
  REFUSED_APPROVAL,
  SERVICE,
  setUpRlsTests,
  type World,
} from "../helpers/rls";

let db: Database;
let w: World;
const { run } = setUpRlsTests((fresh, world) => {
  db = fresh;
  w = world;
});

describe(`row level security on ${ENGINE}`, () => {
  describe("approval checks the odds and fixes the hash", () => {
    /** A fresh draft campaign with the standard lineup, and a draft table holding `entries`. */
    async function draftTable(entries: (items: fx.GachaItemFixture[]) => RateEntry[]) {
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
    function shift(entries: RateEntry[], slot: Slot, from: Rarity, to: Rarity, ppm: number): RateEntry[] {
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

      /** The race's end state: the status each ordering must give, and a hash of exactly the entries it holds. */
      async function expectTableState(tableId: string, status: "draft" | "approved") {
        const [row] = await db.query<{ status: string; content_hash: string | null; canonical: string }>(
          "select status, content_hash, encode(sha256(convert_to(private.rate_table_canonical(id), 'UTF8')), 'hex') as canonical from public.rate_tables where id = $1",
          [tableId],
        );
        expect({ status: row!.status, content_hash: row!.content_hash }).toEqual({
          status,
          content_hash: status === "approved" ? row!.canonical : null,
        });
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
        await expectTableState(table.id, "draft");
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
        await expectTableState(table.id, "approved");
      });
    });
  });
});
