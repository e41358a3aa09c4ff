/**
 * "Items without media" asks storage, on both drivers: a campaign item or exchange item
 * whose file row exists but whose object is missing or empty in storage is flagged, and
 * storing the bytes clears the warning. The local adapter reads a folder; the Supabase
 * adapter speaks the Storage API to a local server (object info, never the bytes).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listCampaignSubmissions, listExchangeItemSubmissions } from "@/lib/admin/review-queue";
import type { ObjectStorage } from "@/lib/storage";
import { localStorage } from "@/lib/storage/local";
import { supabaseStorage } from "@/lib/storage/supabase";
import {
  addGachaItems,
  createCampaign,
  createExchangeItem,
  createRateTable,
  createVtuber,
  standardRates,
} from "../helpers/fixtures";
import { setUpRouteTests } from "../helpers/route-test-context";
import { startFakeSupabaseStorage, type FakeSupabaseStorage } from "../helpers/supabase-storage-server";

const app = setUpRouteTests();
const MONTH = { startsAt: new Date("2030-01-01T00:00:00Z"), endsAt: new Date("2030-01-31T00:00:00Z") };

let folder: string;
let server: FakeSupabaseStorage;
beforeAll(async () => {
  folder = mkdtempSync(path.join(tmpdir(), "koepon-review-media-"));
  server = await startFakeSupabaseStorage();
});
afterAll(async () => {
  rmSync(folder, { recursive: true, force: true });
  await server.close();
});

const DRIVERS: [string, () => ObjectStorage][] = [
  ["local", () => localStorage(folder, { key: async () => Buffer.alloc(32, 3) })],
  [
    "supabase",
    () => supabaseStorage({ url: server.url, serviceRoleKey: server.serviceRoleKey, bucket: server.bucket }),
  ],
];

async function pathsOf(table: "gacha_items" | "exchange_items", ids: string[]) {
  const rows = await app.db.query<{ id: string; storage_path: string }>(
    `select i.id, f.storage_path from public.${table} i join public.content_files f on f.id = i.content_file_id
      where i.id = any($1::uuid[])`,
    [ids],
  );
  return new Map(rows.map((r) => [r.id, r.storage_path]));
}

describe.each(DRIVERS)("items without media on the %s driver", (_, open) => {
  it("flags a campaign's items whose object is missing or empty, until the bytes are stored", async () => {
    const storage = open();
    const campaign = await createCampaign(app.db, await createVtuber(app.db), { status: "in_review", window: MONTH });
    const items = await addGachaItems(app.db, campaign);
    await createRateTable(app.db, campaign, standardRates(items), { approve: false });
    const paths = await pathsOf(
      "gacha_items",
      items.map((i) => i.id),
    );
    const [missing, empty, ...present] = items.map((i) => i.id);
    for (const id of present) await storage.put(paths.get(id)!, Buffer.from("RIFF"), "audio/wav");
    await storage.put(paths.get(empty!)!, Buffer.alloc(0), "audio/wav");

    const read = async () => (await listCampaignSubmissions(app.db, { storage })).find((c) => c.id === campaign.id)!;
    const shown = await read();
    expect(shown.warnings).toEqual([{ code: "items_without_media", items: 2 }]);
    expect(
      shown.items
        .filter((i) => i.mediaMissing)
        .map((i) => i.id)
        .sort(),
    ).toEqual([missing, empty].sort());

    await storage.put(paths.get(missing!)!, Buffer.from("RIFF"), "audio/wav");
    await storage.put(paths.get(empty!)!, Buffer.from("RIFF"), "audio/wav");
    const fixed = await read();
    expect(fixed.warnings).toEqual([]);
    expect(fixed.items.some((i) => i.mediaMissing)).toBe(false);
  });

  it("flags an exchange item whose object is missing", async () => {
    const storage = open();
    const vtuber = await createVtuber(app.db);
    const stored = await createExchangeItem(app.db, vtuber, { status: "in_review" });
    const lost = await createExchangeItem(app.db, vtuber, { status: "in_review" });
    const paths = await pathsOf("exchange_items", [stored.id, lost.id]);
    await storage.put(paths.get(stored.id)!, Buffer.from("\x89PNG"), "image/png");

    const queue = await listExchangeItemSubmissions(app.db, { storage });
    const flags = Object.fromEntries(
      queue.filter((e) => e.id === stored.id || e.id === lost.id).map((e) => [e.id, e.mediaMissing]),
    );
    expect(flags).toEqual({ [stored.id]: false, [lost.id]: true });
  });
});
