import { createHash } from "node:crypto";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyPassword } from "@/lib/auth/password";
import { getConfig } from "@/lib/config";
import { asAnon } from "@/lib/db/session";
import { localStorage } from "@/lib/storage/local";
import { assertLocalDatabase, DEMO_ACCOUNTS, seedDemoData, SeedRefusedError, type DemoAccount } from "@/lib/seed/demo";
import { createTestDatabase, type TestDatabase } from "../helpers/database";
import { readOverview } from "@/lib/admin/overview";

let t: TestDatabase;
let storageDir: string;
let printed: DemoAccount[] = [];
const embedded = getConfig().database.kind === "pglite";

beforeAll(async () => {
  t = await createTestDatabase();
  storageDir = await fs.mkdtemp(path.join(os.tmpdir(), "koepon-seed-"));
});
afterAll(async () => {
  await t.close();
  await fs.rm(storageDir, { recursive: true, force: true });
});

const seedConfig = () => ({
  database: getConfig().database,
  storage: { kind: "local" as const, dir: storageDir },
  bcryptCost: 4,
});

describe("demo seed", () => {
  it("loads three VTubers with active campaigns that a visitor can see", async () => {
    const result = await seedDemoData(t.db, seedConfig());
    expect(result.seeded).toBe(true);
    printed = result.accounts;

    const visible = await asAnon(t.db, async (tx) => ({
      vtubers: await tx.query<{ slug: string }>("select slug from public.vtubers order by slug"),
      campaigns: await tx.query<{ title: string }>("select title from public.campaigns"),
      odds: await tx.query<{ slot: string; total: number }>(
        "select slot, sum(weight_ppm)::int as total from public.rate_table_entries group by slot order by slot",
      ),
      exchange: await tx.query("select id from public.exchange_items"),
    }));
    expect(visible.vtubers.map((v) => v.slug)).toEqual(["hanasaki-yui", "hoshino-mio", "tsukishiro-ren"]);
    expect(visible.campaigns).toHaveLength(3);
    // Three approved tables, each summing to 1,000,000 ppm per slot.
    expect(visible.odds).toEqual([
      { slot: "guaranteed", total: 3_000_000 },
      { slot: "regular", total: 3_000_000 },
    ]);
    expect(visible.exchange).toHaveLength(9);
  });

  it("creates one account per role whose printed password works", async () => {
    const users = await t.db.query<{ email: string; role: string; password_hash: string }>(
      "select email, role, password_hash from public.users",
    );
    expect(new Set(users.map((u) => u.role))).toEqual(new Set(["user", "vtuber", "admin"]));
    expect(printed.map((a) => a.email)).toEqual(DEMO_ACCOUNTS.map((a) => a.email));
    for (const account of printed) {
      const user = users.find((u) => u.email === account.email);
      expect(user?.role).toBe(account.role);
      expect(await verifyPassword(account.password, user!.password_hash)).toBe(true);
      expect(await verifyPassword(`${account.password}x`, user!.password_hash)).toBe(false);
    }
  });

  it("uses the published passwords only in embedded mode; on PostgreSQL each is random", async () => {
    const users = await t.db.query<{ email: string; password_hash: string }>(
      "select email, password_hash from public.users",
    );
    for (const account of DEMO_ACCOUNTS) {
      const hash = users.find((u) => u.email === account.email)!.password_hash;
      expect(await verifyPassword(account.password, hash)).toBe(embedded);
    }
    if (!embedded) {
      const passwords = printed.map((a) => a.password);
      expect(new Set(passwords).size).toBe(passwords.length);
      expect(passwords.every((p) => p.length >= 16)).toBe(true);
    }
  });

  it("records the guardian consent of the demo minor only", async () => {
    const rows = await t.db.query<{ email: string; consent: boolean }>(
      "select email, guardian_consent_at is not null as consent from public.users order by email",
    );
    expect(rows.filter((r) => r.consent).map((r) => r.email)).toEqual(["minor@demo.koepon.test"]);
  });

  it("stores every content file where its row says, with the recorded hash", async () => {
    const files = await t.db.query<{ storage_path: string; sha256: string; size_bytes: number }>(
      "select storage_path, sha256, size_bytes from public.content_files",
    );
    expect(files.length).toBe(33);
    const storage = localStorage(storageDir);
    for (const file of files) {
      const body = await storage.get(file.storage_path);
      expect(body?.length).toBe(file.size_bytes);
      expect(createHash("sha256").update(body!).digest("hex")).toBe(file.sha256);
    }
  });

  it("gives the embedded demo's console four campaigns in review, two firing incidents and 30 days of history", async () => {
    const [demo] = await t.db.query<{
      in_review: number;
      incidents: number;
      unsent: number;
      metrics: number;
      days: number;
    }>(
      `select (select count(*)::int from public.campaigns where status = 'in_review') as in_review,
              (select count(*)::int from public.alert_incidents where status = 'firing') as incidents,
              (select count(*)::int from public.alert_incidents where trigger_notified_at is null) as unsent,
              (select count(distinct metric)::int from public.metric_rollups) as metrics,
              (select coalesce(extract(day from max(bucket) - min(bucket)), 0)::int from public.metric_rollups) as days`,
    );
    // A server's demo (even a local one) gets none of it: generated figures stay out of real dashboards.
    // The demo incidents count as sent: the alerts job never pages anyone about them.
    expect(demo).toEqual(
      embedded
        ? { in_review: 4, incidents: 2, unsent: 0, metrics: 20, days: 29 }
        : { in_review: 0, incidents: 0, unsent: 0, metrics: 0, days: 0 },
    );
    // Every chart of the overview draws from it, as it would from production rollups.
    const series = await readOverview(t.db, "30d", new Date());
    expect(series.filter((s) => s.points.every((p) => p.value === null)).map((s) => s.metric)).toEqual(
      embedded ? [] : series.map((s) => s.metric),
    );
  });

  it("gives each campaign one short video, a WebM recorded with its type, duration and frame size", async () => {
    const videos = await t.db.query<{
      slug: string;
      item: string;
      rarity: string;
      storage_path: string;
      mime_type: string;
      size_bytes: number;
      duration_ms: number;
      width: number;
      height: number;
    }>(
      `select v.slug, i.name as item, i.rarity, f.storage_path, f.mime_type, f.size_bytes, f.duration_ms, f.width, f.height
         from public.content_files f
         join public.vtubers v on v.id = f.vtuber_id
         -- The live campaigns' items (the embedded demo's campaigns in review reuse the files).
         left join public.gacha_items i on i.content_file_id = f.id
              and exists (select 1 from public.campaigns c where c.id = i.campaign_id and c.status = 'approved')
        where f.kind = 'video'
        order by v.slug`,
    );
    expect(videos.map((v) => [v.slug, v.item, v.rarity])).toEqual([
      ["hanasaki-yui", "ユイ 記念ムービー", "SR"],
      ["hoshino-mio", "ミオ 記念ムービー", "SR"],
      ["tsukishiro-ren", "レン 記念ムービー", "SR"],
    ]);
    const storage = localStorage(storageDir);
    for (const video of videos) {
      expect(video).toMatchObject({ mime_type: "video/webm", duration_ms: 3008, width: 480, height: 270 });
      expect(video.storage_path).toMatch(/\.webm$/);
      expect(video.size_bytes).toBeLessThan(150 * 1024);
      const body = (await storage.get(video.storage_path))!;
      // EBML magic, then the document type a browser checks before it plays the file as WebM.
      expect([...body.subarray(0, 4)]).toEqual([0x1a, 0x45, 0xdf, 0xa3]);
      expect(body.subarray(0, 64).includes(Buffer.from("webm", "ascii"))).toBe(true);
    }
  });

  it("leaves a database that already has users alone", async () => {
    const before = await t.db.query("select count(*)::int as n from public.campaigns");
    const again = await seedDemoData(t.db, seedConfig());
    expect(again.seeded).toBe(false);
    // Random passwords were printed once and are not kept anywhere to print again.
    expect(again.accounts).toEqual(embedded ? DEMO_ACCOUNTS : []);
    expect(await t.db.query("select count(*)::int as n from public.campaigns")).toEqual(before);
  });

  it("refuses any database that is not on this machine", () => {
    for (const url of [
      "postgres://u@db.example.com/koepon",
      "postgres://u@10.0.0.5:5432/x",
      "postgres://u@aws-0-ap-northeast-1.pooler.supabase.com:6543/postgres",
    ]) {
      expect(() => assertLocalDatabase({ kind: "postgres", url, poolMax: 1 })).toThrow(SeedRefusedError);
    }
    for (const url of [
      "postgres://postgres@127.0.0.1:5432/test",
      "postgres://postgres@localhost/test",
      "postgresql://postgres@[::1]:5432/x",
    ]) {
      expect(() => assertLocalDatabase({ kind: "postgres", url, poolMax: 1 })).not.toThrow();
    }
    expect(() => assertLocalDatabase({ kind: "pglite", dir: null })).not.toThrow();
  });
});
