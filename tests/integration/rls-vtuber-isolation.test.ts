/**
 * VTubers work on their own campaigns, files and exchange items only, through review;
 * another VTuber's rows are out of reach whatever the statement.
 * Runs on PGlite, or on PostgreSQL when DATABASE_URL is set; actors, refusals and the
 * world are in tests/helpers/rls.ts.
 */
import { describe, expect, it } from "vitest";
import type { Database } from "@/lib/db/types";
import * as fx from "../helpers/fixtures";
import {
  attempt,
  DENIED,
  ENGINE,
  NO_ROWS,
  RLS_VIOLATION,
  SERVICE,
  setUpRlsTests,
  user,
  type World,
} from "../helpers/rls";

let db: Database;
let w: World;
const { run } = setUpRlsTests((fresh, world) => {
  db = fresh;
  w = world;
});

describe(`row level security on ${ENGINE}`, () => {
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
});
