/**
 * Local signed URLs end to end: a file stored by the local adapter, its content_files
 * row, a URL signed for it, and the files route that serves it.
 */
import { createHash } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { GET, HEAD } from "@/app/api/files/[token]/route";
import { getConfig, loadConfig } from "@/lib/config";
import { asService } from "@/lib/db/session";
import { toneWav } from "@/lib/seed/media";
import { createStorage } from "@/lib/storage";
import { signFileToken } from "@/lib/storage/file-token";
import type { ObjectStorage } from "@/lib/storage/types";
import { createTestDatabase, type TestDatabase } from "../helpers/database";
import { createVtuber } from "../helpers/fixtures";

// Before any module reads the config: a storage folder of this file's own, and a known key.
const env = await vi.hoisted(async () => {
  const { mkdtemp } = await import("node:fs/promises");
  const { tmpdir } = await import("node:os");
  const dataDir = await mkdtemp(`${tmpdir()}/koepon-files-`);
  const secret = "files-route-test-secret-0123456789abcdef";
  vi.stubEnv("KOEPON_DATA_DIR", dataDir);
  vi.stubEnv("STORAGE_SIGNING_SECRET", secret);
  return { dataDir, secret: Buffer.from(secret) };
});

let t: TestDatabase;
let storage: ObjectStorage;
const body = toneWav(523, 800);
const file = { key: "vtubers/files-route/01-voice.wav", mime: "audio/wav", sha256: "" };

beforeAll(async () => {
  t = await createTestDatabase();
  storage = createStorage(getConfig().storage);
  await storage.put(file.key, body, file.mime);
  await storage.put("vtubers/files-route/02-other.wav", toneWav(880, 200), file.mime);
  // The row the bytes are checked against, as an upload would record it.
  const vtuber = await createVtuber(t.db);
  file.sha256 = createHash("sha256").update(body).digest("hex");
  await asService(t.db, "test", (tx) =>
    tx.query(
      `insert into public.content_files (vtuber_id, kind, title, storage_path, mime_type, size_bytes, sha256)
       values ($1, 'voice', 'おはようボイス', $2, $3, $4, $5)`,
      [vtuber.id, file.key, file.mime, body.length, file.sha256],
    ),
  );
});
afterAll(async () => {
  await t.close();
  vi.unstubAllEnvs();
  await fs.rm(env.dataDir, { recursive: true, force: true });
});

/** Calls the route the way Next does for `/api/files/{token}`. */
function fetchFile(url: string, init: RequestInit = {}, handler = GET): Promise<Response> {
  const token = decodeURIComponent(url.slice("/api/files/".length));
  return handler(new Request(`http://localhost${url}`, init), { params: Promise.resolve({ token }) });
}

async function codeOf(response: Response): Promise<string> {
  return ((await response.json()) as { error: { code: string } }).error.code;
}

const sign = (options: { downloadName?: string; now?: Date; expiresInSeconds?: number } = {}) =>
  createStorage(getConfig().storage, options.now ? { now: () => options.now! } : {}).signedUrl(file.key, {
    expiresInSeconds: options.expiresInSeconds ?? 300,
    contentType: file.mime,
    downloadName: options.downloadName,
  });

describe("local signed file URLs through /api/files/{token}", () => {
  it("serves the exact bytes of the content_files row, with the download headers", async () => {
    const url = await sign({ downloadName: "おはようボイス.wav" });
    expect(url).toMatch(/^\/api\/files\/[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);

    const response = await fetchFile(url);

    expect(response.status).toBe(200);
    const bytes = Buffer.from(await response.arrayBuffer());
    expect(createHash("sha256").update(bytes).digest("hex")).toBe(file.sha256);
    expect(Object.fromEntries(response.headers)).toMatchObject({
      "content-type": "audio/wav",
      "content-length": String(body.length),
      "content-disposition": `attachment; filename="_______.wav"; filename*=UTF-8''${encodeURIComponent("おはようボイス.wav")}`,
      "cache-control": "private, no-store",
      "x-content-type-options": "nosniff",
      "accept-ranges": "bytes",
    });
    expect(response.headers.get("content-security-policy")).toContain("sandbox");
  });

  it("serves playback URLs inline", async () => {
    const response = await fetchFile(await sign());
    expect(response.headers.get("content-disposition")).toBe("inline");
    await response.arrayBuffer();
  });

  it("answers a Range request with 206 and exactly those bytes, so players can seek", async () => {
    const url = await sign();
    const middle = await fetchFile(url, { headers: { range: "bytes=100-1123" } });
    expect(middle.status).toBe(206);
    expect(middle.headers.get("content-range")).toBe(`bytes 100-1123/${body.length}`);
    expect(middle.headers.get("content-length")).toBe("1024");
    expect(Buffer.from(await middle.arrayBuffer()).equals(body.subarray(100, 1124))).toBe(true);

    const tail = await fetchFile(url, { headers: { range: "bytes=-10" } });
    expect(tail.status).toBe(206);
    expect(Buffer.from(await tail.arrayBuffer()).equals(body.subarray(body.length - 10))).toBe(true);

    const open = await fetchFile(url, { headers: { range: `bytes=${body.length - 5}-` } });
    expect(Buffer.from(await open.arrayBuffer()).equals(body.subarray(body.length - 5))).toBe(true);

    const beyond = await fetchFile(url, { headers: { range: `bytes=${body.length}-` } });
    expect(beyond.status).toBe(416);
    expect(beyond.headers.get("content-range")).toBe(`bytes */${body.length}`);
  });

  it("asks for no session: a forged bearer token or a stale session cookie changes nothing", async () => {
    const response = await fetchFile(await sign(), {
      headers: { authorization: "Bearer forged.token.value", cookie: "koepon_at=stale; koepon_rt=stale" },
    });
    expect(response.status).toBe(200);
    expect(Buffer.from(await response.arrayBuffer()).equals(body)).toBe(true);
  });

  it("answers HEAD with the headers and no body", async () => {
    const response = await fetchFile(await sign(), { method: "HEAD" }, HEAD);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-length")).toBe(String(body.length));
    expect(response.body).toBeNull();
  });

  it("refuses an expired URL (signed at an injected instant long past)", async () => {
    const url = await sign({ now: new Date("2020-01-01T00:00:00Z"), expiresInSeconds: 300 });
    const response = await fetchFile(url);
    expect(response.status).toBe(410);
    expect(await codeOf(response)).toBe("signed_url_expired");
  });

  it("refuses file A's signature on file B's key, and a tampered expiry", async () => {
    const [, signatureA] = (await sign()).slice("/api/files/".length).split(".");
    const otherKey = "vtubers/files-route/02-other.wav";
    const [payloadB] = signFileToken(Buffer.from("some other key entirely, 32 bytes+"), {
      key: otherKey,
      expiresAt: 4102444800,
      contentType: "audio/wav",
      downloadName: null,
    }).split(".");
    const swapped = await fetchFile(`/api/files/${payloadB}.${signatureA}`);
    expect(swapped.status).toBe(403);
    expect(await codeOf(swapped)).toBe("signed_url_invalid");

    const [payload, signature] = (await sign()).slice("/api/files/".length).split(".");
    const stretched = JSON.parse(Buffer.from(payload!, "base64url").toString()) as { e: number };
    stretched.e += 86_400;
    const tampered = await fetchFile(
      `/api/files/${Buffer.from(JSON.stringify(stretched)).toString("base64url")}.${signature}`,
    );
    expect(tampered.status).toBe(403);
    expect(await codeOf(tampered)).toBe("signed_url_invalid");
  });

  it("answers 404 for a genuine URL whose file is gone", async () => {
    const url = await createStorage(getConfig().storage).signedUrl("vtubers/files-route/deleted.wav", {
      expiresInSeconds: 60,
    });
    const response = await fetchFile(url);
    expect(response.status).toBe(404);
  });

  it("never reaches the raw storage folder, however the path is written", async () => {
    const rel = path.relative(process.cwd(), env.dataDir);
    const attempts = [
      file.key,
      `storage/${file.key}`,
      `.data/storage/${file.key}`,
      `../../.data/storage/${file.key}`,
      `${rel}/storage/${file.key}`,
      `..%2F..%2F.data%2Fstorage%2F${encodeURIComponent(file.key)}`,
      `${env.dataDir}/storage/${file.key}`,
      "",
    ];
    for (const token of attempts) {
      const response = await GET(new Request(`http://localhost/api/files/${token}`), {
        params: Promise.resolve({ token }),
      });
      expect(response.status).toBe(403);
      expect(await codeOf(response)).toBe("signed_url_invalid");
    }
  });

  it("keeps the storage folder out of public/ and out of every route path", async () => {
    const dataDir = path.resolve(loadConfig({}).dataDir);
    expect(path.relative(path.resolve("public"), dataDir).startsWith("..")).toBe(true);
    const routes = (await fs.readdir("app", { recursive: true })).filter((f) => /(^|\/)route\.tsx?$/.test(f));
    expect(routes).toContain("api/files/[token]/route.ts");
    expect(routes.filter((r) => /(^|\/)(storage|\.data|public)(\/|$)/.test(r))).toEqual([]);
  });
});
