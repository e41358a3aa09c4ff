/**
 * The content library's uploads end to end on the local storage: start (a one-time
 * signed URL), PUT the bytes, verify. Every refusal is a 4xx with a code and leaves
 * nothing behind: no content_files row, no upload row, no object in storage.
 */
import { readdirSync, statSync } from "node:fs";
import fs from "node:fs/promises";
import path from "node:path";
import { describe, expect, it, vi } from "vitest";
import { POST as exchangeRoute } from "@/app/api/exchange/[itemId]/route";
import { GET as fileRoute } from "@/app/api/files/[token]/route";
import { GET as downloadRoute } from "@/app/api/me/rewards/[id]/download/route";
import { PUT as uploadRoute } from "@/app/api/vtuber/uploads/[id]/route";
import { getConfig } from "@/lib/config";
import { createStorage } from "@/lib/storage";
import { signFileToken } from "@/lib/storage/file-token";
import { errorCode, signIn, testDeps } from "../helpers/auth";
import { consoleApi, uploadFile, type StartedUploadBody } from "../helpers/console";
import { createExchangeItem, createUser, createVtuber, grantMedals, type VtuberFixture } from "../helpers/fixtures";
import { GPS_MARK, jpegWithGps, mp3, mp4, png, wav, webm } from "../helpers/media";
import { setUpRouteTests } from "../helpers/route-test-context";

// Before any module reads the config: this file's own storage folder, key and a 1 MiB quota.
const env = await vi.hoisted(async () => {
  const { mkdtemp } = await import("node:fs/promises");
  const { tmpdir } = await import("node:os");
  const dataDir = await mkdtemp(`${tmpdir()}/koepon-uploads-`);
  vi.stubEnv("KOEPON_DATA_DIR", dataDir);
  vi.stubEnv("STORAGE_SIGNING_SECRET", "uploads-test-secret-0123456789abcdefgh");
  vi.stubEnv("VTUBER_STORAGE_QUOTA_MB", "1");
  return { dataDir };
});

const app = setUpRouteTests();

async function newVtuber(): Promise<{ vtuber: VtuberFixture; token: string }> {
  const vtuber = await createVtuber(app.db);
  return { vtuber, token: (await signIn(await testDeps(app.db, app.keys), vtuber.user)).accessToken.token };
}

/** Rows and objects a VTuber has, uploads in flight included. */
async function leftovers(vtuber: { id: string }) {
  const [row] = await app.db.query<{ files: number; uploads: number }>(
    `select (select count(*)::int from public.content_files where vtuber_id = $1) as files,
            (select count(*)::int from public.content_uploads where vtuber_id = $1) as uploads`,
    [vtuber.id],
  );
  const dir = path.join(env.dataDir, "storage", "vtubers", vtuber.id);
  const objects = await fs.readdir(dir).catch(() => []);
  return { ...row!, objects: objects.length };
}

async function refusedWith(response: Response, status: number, code: string) {
  expect(response.status).toBe(status);
  expect(await errorCode(response)).toBe(code);
}

describe("uploads that pass", () => {
  it.each([
    ["voice", "WAV", () => wav(1500), "audio/wav", 1500],
    ["voice", "MP3", () => mp3(100), "audio/mpeg", 2612],
    ["video", "MP4", () => mp4(4321), "video/mp4", 4321],
    ["video", "WebM", () => webm(2500), "video/webm", 2500],
  ] as const)(
    "a %s %s is typed by its bytes and its duration read from the container",
    async (kind, _, make, mime, ms) => {
      const { vtuber, token } = await newVtuber();
      const response = await uploadFile(token, kind, make(), "clip.bin");
      expect(response.status).toBe(201);
      const { file } = (await response.json()) as { file: { mimeType: string; durationMs: number; kind: string } };
      expect(file).toMatchObject({ kind, mimeType: mime, durationMs: ms });
      expect(await leftovers(vtuber)).toEqual({ files: 1, uploads: 0, objects: 1 });
      const library = (await (await consoleApi.files(token)).json()) as { files: { id: string }[]; usedBytes: number };
      expect(library.files).toHaveLength(1);
    },
  );

  it("an image comes back with its size and stored as PNG", async () => {
    const { token } = await newVtuber();
    const response = await uploadFile(token, "image", await png(12, 7));
    expect(response.status).toBe(201);
    expect((await response.json()).file).toMatchObject({
      mimeType: "image/png",
      width: 12,
      height: 7,
      durationMs: null,
    });
  });

  it("a JPEG with GPS EXIF reaches a fan's reward box without it", async () => {
    const { vtuber, token } = await newVtuber();
    const original = await jpegWithGps();
    expect(original.includes(GPS_MARK)).toBe(true);
    const response = await uploadFile(token, "image", original, "サイン画像");
    expect(response.status).toBe(201);
    const { file } = (await response.json()) as { file: { id: string; title: string } };

    const [stored] = await app.db.query<{ storage_path: string }>(
      "select storage_path from public.content_files where id = $1",
      [file.id],
    );
    const item = await createExchangeItem(app.db, vtuber, {
      file: { id: file.id, vtuberId: vtuber.id, kind: "image", title: file.title, storagePath: stored!.storage_path },
      costMedals: 10,
    });
    const fan = await createUser(app.db);
    await grantMedals(app.db, fan, vtuber, 10);
    const fanToken = (await signIn(await testDeps(app.db, app.keys), fan)).accessToken.token;
    const exchanged = await exchangeRoute(
      new Request(`http://localhost/api/exchange/${item.id}`, {
        method: "POST",
        headers: { authorization: `Bearer ${fanToken}`, "idempotency-key": "gps-exchange-1" },
      }),
      { params: Promise.resolve({ itemId: item.id }) },
    );
    expect(exchanged.status).toBe(201);
    const { exchange } = (await exchanged.json()) as { exchange: { reward: { id: string } } };

    const redirect = await downloadRoute(
      new Request(`http://localhost/api/me/rewards/${exchange.reward.id}/download`, {
        headers: { authorization: `Bearer ${fanToken}` },
      }),
      { params: Promise.resolve({ id: exchange.reward.id }) },
    );
    expect(redirect.status).toBe(302);
    const location = redirect.headers.get("location")!;
    const token2 = location.split("/").pop()!;
    const served = await fileRoute(new Request(`http://localhost${location}`), {
      params: Promise.resolve({ token: token2 }),
    });
    expect(served.status).toBe(200);
    const bytes = Buffer.from(await served.arrayBuffer());
    expect(bytes.subarray(0, 3)).toEqual(Buffer.from([0xff, 0xd8, 0xff]));
    expect(bytes.includes(GPS_MARK)).toBe(false);
    expect(bytes.includes(Buffer.from("KoeponCam"))).toBe(false);
    expect(bytes.includes(Buffer.from("Exif\0\0"))).toBe(false);
  });
});

describe("uploads refused, with nothing stored", () => {
  it.each([
    ["a PNG sent as a voice clip (clip.mp3)", "voice", () => png()],
    [
      "an HTML page sent as an image (photo.png)",
      "image",
      async () => Buffer.from("<!doctype html><html><body><script>alert(1)</script></body></html>"),
    ],
    [
      "an SVG with a script",
      "image",
      async () => Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
    ],
    ["a WAV sent as a video", "video", async () => wav(500)],
  ] as const)("%s: 415 file_type_not_allowed", async (_, kind, make) => {
    const { vtuber, token } = await newVtuber();
    await refusedWith(await uploadFile(token, kind, await make(), "clip.mp3"), 415, "file_type_not_allowed");
    expect(await leftovers(vtuber)).toEqual({ files: 0, uploads: 0, objects: 0 });
  });

  it("a file whose container has no duration: 422 media_unreadable", async () => {
    const { vtuber, token } = await newVtuber();
    await refusedWith(await uploadFile(token, "video", mp4(0)), 422, "media_unreadable");
    expect(await leftovers(vtuber)).toEqual({ files: 0, uploads: 0, objects: 0 });
  });

  it("over the kind's limit: 413 file_too_large, announced or sent", async () => {
    const { vtuber, token } = await newVtuber();
    const limit = 20 * 1024 * 1024;
    await refusedWith(
      await consoleApi.startUpload(token, { kind: "image", title: "big", sizeBytes: limit + 1 }),
      413,
      "file_too_large",
    );
    // Announced small, sent large: the PUT stops reading at the limit.
    const started = await consoleApi.startUpload(token, { kind: "image", title: "big", sizeBytes: 1000 });
    const { upload } = (await started.json()) as StartedUploadBody;
    await refusedWith(await consoleApi.put(token, upload.uploadUrl, Buffer.alloc(limit + 1)), 413, "file_too_large");
    // The claim was released, so nothing is stored and the URL can be retried.
    expect(await leftovers(vtuber)).toMatchObject({ files: 0, objects: 0 });
    expect((await consoleApi.put(token, upload.uploadUrl, await png())).status).toBe(204);
  });

  it("a file just over the limit is refused while it streams, before the rest of the body is read", async () => {
    const { vtuber, token } = await newVtuber();
    const limit = 20 * 1024 * 1024;
    const chunk = 64 * 1024;
    const total = limit + 8 * 1024 * 1024;
    const started = await consoleApi.startUpload(token, { kind: "image", title: "big", sizeBytes: 1000 });
    const { upload } = (await started.json()) as StartedUploadBody;
    // Made on demand, one chunk per read, no Content-Length: only streaming with the
    // limit counted on the way can stop it, and how far it was read shows where it stopped.
    // Halfway, what was sent must already be on disk, not in the server's memory.
    const dir = path.join(env.dataDir, "storage", "vtubers", vtuber.id);
    let produced = 0;
    let onDiskHalfway = -1;
    const body = new ReadableStream<Uint8Array>(
      {
        pull(controller) {
          if (produced === limit / 2) {
            onDiskHalfway = readdirSync(dir)
              .filter((name) => name.endsWith(".tmp"))
              .reduce((sum, name) => sum + statSync(path.join(dir, name)).size, 0);
          }
          if (produced >= total) return controller.close();
          produced += chunk;
          controller.enqueue(new Uint8Array(chunk));
        },
      },
      { highWaterMark: 0 },
    );
    const request = new Request(`http://localhost${upload.uploadUrl}`, {
      method: "PUT",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/octet-stream" },
      body,
      duplex: "half",
    } as RequestInit);
    const response = await uploadRoute(request, { params: Promise.resolve({ id: upload.id }) });
    await refusedWith(response, 413, "file_too_large");
    expect(produced).toBeGreaterThan(limit);
    expect(produced).toBeLessThanOrEqual(limit + 4 * chunk);
    expect(onDiskHalfway).toBeGreaterThanOrEqual(limit / 2 - 4 * chunk);
    // Neither the object nor its temp file stays; the URL may be retried.
    expect(await leftovers(vtuber)).toMatchObject({ files: 0, objects: 0 });
    expect((await consoleApi.put(token, upload.uploadUrl, await png())).status).toBe(204);
  });

  it("a body shorter than its Content-Length: 400, nothing stored", async () => {
    const { vtuber, token } = await newVtuber();
    const bytes = await png();
    const started = await consoleApi.startUpload(token, { kind: "image", title: "cut", sizeBytes: bytes.length });
    const { upload } = (await started.json()) as StartedUploadBody;
    const request = new Request(`http://localhost${upload.uploadUrl}`, {
      method: "PUT",
      headers: { authorization: `Bearer ${token}`, "content-length": String(bytes.length + 10) },
      body: new Uint8Array(bytes),
    });
    const response = await uploadRoute(request, { params: Promise.resolve({ id: upload.id }) });
    await refusedWith(response, 400, "validation_failed");
    expect(await leftovers(vtuber)).toMatchObject({ files: 0, objects: 0 });
  });

  it("past the quota: 422 storage_quota_exceeded, announced or found at verification", async () => {
    const { vtuber, token } = await newVtuber();
    const big = wav(40_000); // 640 kB
    expect((await uploadFile(token, "voice", big)).status).toBe(201);
    await refusedWith(
      await consoleApi.startUpload(token, { kind: "voice", title: "more", sizeBytes: big.length }),
      422,
      "storage_quota_exceeded",
    );
    // Announced small, the bytes say otherwise.
    const started = await consoleApi.startUpload(token, { kind: "voice", title: "more", sizeBytes: 100 });
    const { upload } = (await started.json()) as StartedUploadBody;
    expect((await consoleApi.put(token, upload.uploadUrl, big)).status).toBe(204);
    await refusedWith(await consoleApi.verify(token, upload.id), 422, "storage_quota_exceeded");
    expect(await leftovers(vtuber)).toEqual({ files: 1, uploads: 0, objects: 1 });
  });

  it("a signed upload URL used twice: 409 upload_already_received, the first bytes kept", async () => {
    const { vtuber, token } = await newVtuber();
    const first = wav(300);
    const started = await consoleApi.startUpload(token, { kind: "voice", title: "once", sizeBytes: first.length });
    const { upload } = (await started.json()) as StartedUploadBody;
    expect((await consoleApi.put(token, upload.uploadUrl, first)).status).toBe(204);
    await refusedWith(await consoleApi.put(token, upload.uploadUrl, await png()), 409, "upload_already_received");
    expect((await consoleApi.verify(token, upload.id)).status).toBe(201);
    expect(await leftovers(vtuber)).toEqual({ files: 1, uploads: 0, objects: 1 });
  });

  it("a signed upload URL used for another path: 403 signed_url_invalid", async () => {
    const { vtuber, token } = await newVtuber();
    const a = (await (
      await consoleApi.startUpload(token, { kind: "voice", title: "a", sizeBytes: 10 })
    ).json()) as StartedUploadBody;
    const b = (await (
      await consoleApi.startUpload(token, { kind: "voice", title: "b", sizeBytes: 10 })
    ).json()) as StartedUploadBody;
    const tokenOfA = new URL(a.upload.uploadUrl, "http://localhost").search;
    await refusedWith(
      await consoleApi.put(token, `/api/vtuber/uploads/${b.upload.id}${tokenOfA}`, wav(100), b.upload.id),
      403,
      "signed_url_invalid",
    );
    // A download URL's token opens no upload, even for the very same key.
    const [row] = await app.db.query<{ storage_path: string }>(
      "select storage_path from public.content_uploads where id = $1",
      [b.upload.id],
    );
    const storage = createStorage(getConfig().storage);
    const download = await storage.signedUrl(row!.storage_path, { expiresInSeconds: 60 });
    const forged = `/api/vtuber/uploads/${b.upload.id}?token=${download.split("/").pop()}`;
    await refusedWith(await consoleApi.put(token, forged, wav(100), b.upload.id), 403, "signed_url_invalid");
    const mine = signFileToken(Buffer.alloc(32, 7), {
      key: row!.storage_path,
      expiresAt: 9e9,
      contentType: "x",
      downloadName: null,
    });
    await refusedWith(
      await consoleApi.put(token, `/api/vtuber/uploads/${b.upload.id}?token=${mine}`, wav(100), b.upload.id),
      403,
      "signed_url_invalid",
    );
    expect(await leftovers(vtuber)).toMatchObject({ files: 0, objects: 0 });
  });

  it("an upload never verified does not count: not in the library, verify before PUT is 409", async () => {
    const { vtuber, token } = await newVtuber();
    const started = await consoleApi.startUpload(token, { kind: "voice", title: "pending", sizeBytes: 900 });
    const { upload } = (await started.json()) as StartedUploadBody;
    await refusedWith(await consoleApi.verify(token, upload.id), 409, "upload_not_received");
    expect((await consoleApi.put(token, upload.uploadUrl, wav(50))).status).toBe(204);
    const library = (await (await consoleApi.files(token)).json()) as { files: unknown[]; usedBytes: number };
    expect(library).toMatchObject({ files: [], usedBytes: 0 });
    expect(await leftovers(vtuber)).toEqual({ files: 0, uploads: 1, objects: 1 });
  });

  it("another VTuber's upload: 404 on PUT and verify, nothing of theirs touched", async () => {
    const owner = await newVtuber();
    const other = await newVtuber();
    const started = await consoleApi.startUpload(owner.token, { kind: "voice", title: "mine", sizeBytes: 900 });
    const { upload } = (await started.json()) as StartedUploadBody;
    await refusedWith(await consoleApi.put(other.token, upload.uploadUrl, wav(50)), 404, "upload_not_found");
    expect((await consoleApi.put(owner.token, upload.uploadUrl, wav(50))).status).toBe(204);
    await refusedWith(await consoleApi.verify(other.token, upload.id), 404, "upload_not_found");
    expect(await leftovers(owner.vtuber)).toEqual({ files: 0, uploads: 1, objects: 1 });
    expect(await leftovers(other.vtuber)).toEqual({ files: 0, uploads: 0, objects: 0 });
  });
});
