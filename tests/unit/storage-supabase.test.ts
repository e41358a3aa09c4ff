/**
 * The Supabase adapter through the real @supabase/supabase-js client, against a local
 * server that speaks the Storage API endpoints the client calls.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { GET as getFile } from "@/app/api/files/[token]/route";
import { getConfig } from "@/lib/config";
import { signFileToken } from "@/lib/storage/file-token";
import { supabaseStorage } from "@/lib/storage/supabase";
import type { ObjectStorage } from "@/lib/storage/types";
import { startFakeSupabaseStorage, type FakeSupabaseStorage } from "../helpers/supabase-storage-server";

// This process is configured for Supabase Storage (nothing here reads a local folder).
vi.hoisted(() => {
  vi.stubEnv("SUPABASE_URL", "http://127.0.0.1:9");
  vi.stubEnv("SUPABASE_SERVICE_ROLE_KEY", "configured-but-unused");
  vi.stubEnv("STORAGE_SIGNING_SECRET", "a-local-secret-that-must-not-matter-here");
});

let server: FakeSupabaseStorage;
let storage: ObjectStorage;
const key = "vtubers/hoshino-mio/01-voice.wav";
const body = Buffer.from(Array.from({ length: 4096 }, (_, i) => i % 251));

beforeAll(async () => {
  server = await startFakeSupabaseStorage({ bucket: "content", now: new Date("2026-12-01T00:00:00Z") });
  storage = supabaseStorage({ url: server.url, serviceRoleKey: server.serviceRoleKey, bucket: "content" });
});
afterAll(async () => {
  await server.close();
  vi.unstubAllEnvs();
});
beforeEach(() => {
  server.requests.length = 0;
});

describe("Supabase Storage adapter", () => {
  it("uploads the bytes with their type, as an upsert, with the service role key", async () => {
    await storage.put(key, body, "audio/wav");
    const [upload] = server.requests;
    expect(upload).toMatchObject({ method: "POST", path: `/storage/v1/object/content/${key}` });
    expect(upload!.headers).toMatchObject({
      "content-type": "audio/wav",
      "x-upsert": "true",
      authorization: `Bearer ${server.serviceRoleKey}`,
      apikey: server.serviceRoleKey,
    });
    expect(upload!.body.equals(body)).toBe(true);
    expect(server.objects.get(`content/${key}`)?.contentType).toBe("audio/wav");

    // A retried upload of the same key replaces it instead of failing as a duplicate.
    await expect(storage.put(key, body, "audio/wav")).resolves.toBeUndefined();
  });

  it("downloads the exact bytes, and null for a missing object", async () => {
    expect((await storage.get(key))?.equals(body)).toBe(true);
    expect(server.requests[0]).toMatchObject({ method: "GET", path: `/storage/v1/object/content/${key}` });
    expect(await storage.get("vtubers/hoshino-mio/missing.wav")).toBeNull();
  });

  it("asks Storage to sign, passes the expiry through, and returns Storage's URL with its token", async () => {
    const url = await storage.signedUrl(key, { expiresInSeconds: 300, contentType: "audio/wav" });
    const [sign] = server.requests;
    expect(sign).toMatchObject({ method: "POST", path: `/storage/v1/object/sign/content/${key}` });
    expect(JSON.parse(sign!.body.toString("utf8"))).toEqual({ expiresIn: 300 });

    const parsed = new URL(url);
    expect(parsed.origin).toBe(server.url);
    expect(parsed.pathname).toBe(`/storage/v1/object/sign/content/${key}`);
    expect(parsed.searchParams.get("token")).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(parsed.searchParams.has("download")).toBe(false);

    const response = await fetch(url);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-disposition")).toBeNull();
    expect(Buffer.from(await response.arrayBuffer()).equals(body)).toBe(true);
  });

  it("asks for an attachment under the download name", async () => {
    const url = await storage.signedUrl(key, { expiresInSeconds: 60, downloadName: "おはよう.wav" });
    // Encoded once: Storage decodes it once and names the file in Japanese, not %E3%81….
    expect(new URL(url).searchParams.get("download")).toBe("おはよう.wav");
    expect(JSON.parse(server.requests[0]!.body.toString("utf8"))).toEqual({ expiresIn: 60 });
    const response = await fetch(url);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-disposition")).toBe(
      `attachment; filename*=UTF-8''${encodeURIComponent("おはよう.wav")}`,
    );
  });

  it("gives URLs that expire on Storage's clock and open only their own object", async () => {
    await storage.put("vtubers/hoshino-mio/02-voice.wav", Buffer.from("other"), "audio/wav");
    const url = new URL(await storage.signedUrl(key, { expiresInSeconds: 60 }));
    const other = new URL(url);
    other.pathname = "/storage/v1/object/sign/content/vtubers/hoshino-mio/02-voice.wav";
    expect((await fetch(other)).status).toBe(400);

    const start = server.now;
    server.now = new Date(start.getTime() + 61_000);
    try {
      expect((await fetch(url)).status).toBe(400);
    } finally {
      server.now = start;
    }
  });

  it("surfaces a refused request as an error, never as an empty file", async () => {
    const wrongKey = supabaseStorage({ url: server.url, serviceRoleKey: "not-the-key", bucket: "content" });
    await expect(wrongKey.get(key)).rejects.toThrow(/download of .* failed: invalid signature/);
    await expect(wrongKey.put(key, body, "audio/wav")).rejects.toThrow(/upload of .* failed/);
    await expect(wrongKey.signedUrl(key, { expiresInSeconds: 60 })).rejects.toThrow(/could not sign/);
  });

  it("refuses keys outside the storage key format before any request", async () => {
    await expect(storage.get("../secrets")).rejects.toThrow(/Invalid storage key/);
    expect(server.requests).toEqual([]);
  });
});

describe("the local files route under Supabase Storage", () => {
  it("answers 404 even to a correctly signed local token: Supabase serves its own URLs", async () => {
    expect(getConfig().storage.kind).toBe("supabase");
    const token = signFileToken(Buffer.from("a-local-secret-that-must-not-matter-here"), {
      key,
      expiresAt: 4102444800,
      contentType: "audio/wav",
      downloadName: null,
    });
    const response = await getFile(new Request(`http://localhost/api/files/${token}`), {
      params: Promise.resolve({ token }),
    });
    expect(response.status).toBe(404);
  });
});
