/**
 * The stale-uploads job: an upload started and never verified is removed, object and
 * row, once its signed URL is past expiry and the grace; a verified file, and an upload
 * still within its time, stay. On the local storage (through the job list, as the cron
 * route and the scheduler run it) and on Supabase Storage (a local server speaking its API).
 */
import fs from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { getConfig } from "@/lib/config";
import type { Database } from "@/lib/db";
import { JOBS } from "@/lib/ops/jobs";
import { createStorage, type ObjectStorage } from "@/lib/storage";
import { supabaseStorage } from "@/lib/storage/supabase";
import { removeStaleUploads, STALE_UPLOAD_GRACE_MS } from "@/lib/vtuber/stale-uploads";
import { createTestDatabase, type TestDatabase } from "../helpers/database";
import { createContentFile, createVtuber, type VtuberFixture } from "../helpers/fixtures";
import { service } from "../helpers/fixtures/service";
import { startFakeSupabaseStorage, type FakeSupabaseStorage } from "../helpers/supabase-storage-server";

const env = await vi.hoisted(async () => {
  const { mkdtemp } = await import("node:fs/promises");
  const { tmpdir } = await import("node:os");
  const dataDir = await mkdtemp(`${tmpdir()}/koepon-stale-uploads-`);
  vi.stubEnv("KOEPON_DATA_DIR", dataDir);
  vi.stubEnv("STORAGE_SIGNING_SECRET", "stale-uploads-test-secret-0123456789");
  return { dataDir };
});

const NOW = new Date("2026-12-16T03:00:00Z");
let database: TestDatabase;
let db: Database;
let vtuber: VtuberFixture;

beforeAll(async () => {
  database = await createTestDatabase();
  db = database.db;
  vtuber = await createVtuber(db);
});
afterAll(async () => {
  await database?.close();
});

/** An upload row (as step 1 leaves it) whose URL expires at `expiresAt`, with its bytes stored. */
async function startedUpload(storage: ObjectStorage, expiresAt: Date, received = true) {
  const key = `vtubers/${vtuber.id}/${crypto.randomUUID()}`;
  await service(db, (tx) =>
    tx.query(
      `insert into public.content_uploads (vtuber_id, kind, title, storage_path, declared_bytes, expires_at, received_at)
       values ($1, 'voice', 'never verified', $2, 100, $3, $4)`,
      [vtuber.id, key, expiresAt, received ? new Date(expiresAt.getTime() - 60_000) : null],
    ),
  );
  if (received) await storage.put(key, Buffer.from("bytes of a clip"), "application/octet-stream");
  return key;
}

async function verifiedFile(storage: ObjectStorage) {
  const file = await createContentFile(db, vtuber);
  await storage.put(file.storagePath, Buffer.from("a verified clip"), "audio/ogg");
  return file.storagePath;
}

async function uploadRows(keys: string[]): Promise<string[]> {
  const rows = await db.query<{ storage_path: string }>(
    "select storage_path from public.content_uploads where storage_path = any($1::text[]) order by storage_path",
    [keys],
  );
  return rows.map((r) => r.storage_path);
}

const longExpired = new Date(NOW.getTime() - STALE_UPLOAD_GRACE_MS - 60_000);
const justExpired = new Date(NOW.getTime() - STALE_UPLOAD_GRACE_MS + 60_000);
const stillValid = new Date(NOW.getTime() + 60 * 60_000);

describe("the stale-uploads job on the local storage", () => {
  it("removes expired, never-verified uploads and keeps verified files and live uploads", async () => {
    const storage = createStorage(getConfig().storage);
    const onDisk = (key: string) =>
      fs.stat(path.join(env.dataDir, "storage", key)).then(
        () => true,
        () => false,
      );
    const stale = await startedUpload(storage, longExpired);
    const staleNeverSent = await startedUpload(storage, longExpired, false);
    const inGrace = await startedUpload(storage, justExpired);
    const live = await startedUpload(storage, stillValid);
    const verified = await verifiedFile(storage);

    const result = await JOBS["stale-uploads"].run(db, NOW);

    expect(result).toEqual({ removed: 2 });
    expect(await onDisk(stale)).toBe(false);
    expect(await onDisk(verified)).toBe(true);
    expect(await onDisk(inGrace)).toBe(true);
    expect(await onDisk(live)).toBe(true);
    expect(await uploadRows([stale, staleNeverSent, inGrace, live])).toEqual([inGrace, live].sort());
    const [file] = await db.query<{ n: number }>(
      "select count(*)::int as n from public.content_files where storage_path = $1",
      [verified],
    );
    expect(file!.n).toBe(1);
    // Run again: nothing left to do, nothing else touched.
    expect(await JOBS["stale-uploads"].run(db, NOW)).toEqual({ removed: 0 });
    expect(await onDisk(verified)).toBe(true);
  });
});

describe("the stale-uploads job on Supabase Storage", () => {
  let server: FakeSupabaseStorage;
  beforeAll(async () => {
    server = await startFakeSupabaseStorage({ bucket: "content" });
  });
  afterAll(async () => {
    await server?.close();
  });

  it("removes the expired upload's object through the Storage API and keeps the verified one", async () => {
    const storage = supabaseStorage({ url: server.url, serviceRoleKey: server.serviceRoleKey, bucket: "content" });
    const stale = await startedUpload(storage, longExpired);
    const live = await startedUpload(storage, stillValid);
    const verified = await verifiedFile(storage);

    const result = await removeStaleUploads(db, storage, NOW);

    expect(result).toEqual({ removed: 1 });
    expect(server.objects.has(`content/${stale}`)).toBe(false);
    expect(server.objects.has(`content/${live}`)).toBe(true);
    expect(server.objects.has(`content/${verified}`)).toBe(true);
    expect(await uploadRows([stale, live])).toEqual([live]);
    expect(server.requests.some((r) => r.method === "DELETE")).toBe(true);
  });
});
