/**
 * Playback in the reward box goes through a redirect: the player asks for
 * /api/me/rewards/{id}/download?inline=1 and follows the 302 to a signed file URL. The
 * browser checks every hop against the page's CSP (media-src for players, img-src for
 * images), so each storage mode's signed URL must be allowed by the CSP the gate puts
 * on /me/rewards, and must then serve the file.
 */
import { createHash } from "node:crypto";
import fs from "node:fs/promises";
import { NextRequest } from "next/server";
import { createLocalJWKSet } from "jose";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { GET as getFile } from "@/app/api/files/[token]/route";
import { getConfig, loadConfig, type Config } from "@/lib/config";
import { asService } from "@/lib/db/session";
import { createGate } from "@/lib/edge/gate";
import { getRewardDownload } from "@/lib/rewards/get-reward-download";
import { toneWav } from "@/lib/seed/media";
import { createStorage, type ObjectStorage } from "@/lib/storage";
import { createTestDatabase, type TestDatabase } from "../helpers/database";
import {
  createApprovedCampaign,
  createFulfilledPull,
  createUser,
  createVtuber,
  type UserFixture,
} from "../helpers/fixtures";
import { limiterUnderTest, type LimiterUnderTest } from "../helpers/ratelimit";
import { startFakeSupabaseStorage, type FakeSupabaseStorage } from "../helpers/supabase-storage-server";

const env = await vi.hoisted(async () => {
  const { mkdtemp } = await import("node:fs/promises");
  const { tmpdir } = await import("node:os");
  const dataDir = await mkdtemp(`${tmpdir()}/koepon-rewards-csp-`);
  vi.stubEnv("KOEPON_DATA_DIR", dataDir);
  vi.stubEnv("STORAGE_SIGNING_SECRET", "rewards-csp-test-secret-0123456789abcdef");
  return { dataDir };
});

const APP = "https://koepon.example";
const body = toneWav(520, 300);

let t: TestDatabase;
let fan: UserFixture;
let rewardId: string;
let storagePath: string;
let mimeType: string;
let supabase: FakeSupabaseStorage;
let lt: LimiterUnderTest;

beforeAll(async () => {
  t = await createTestDatabase();
  fan = await createUser(t.db);
  const gacha = await createApprovedCampaign(t.db, await createVtuber(t.db));
  const { rewards } = await createFulfilledPull(t.db, fan, gacha, { results: [gacha.items[0]!] });
  rewardId = rewards[0]!.id;
  const [file] = await asService(t.db, "test", (tx) =>
    tx.query<{ storage_path: string; mime_type: string }>(
      `select f.storage_path, f.mime_type from public.rewards r join public.content_files f on f.id = r.content_file_id
        where r.id = $1`,
      [rewardId],
    ),
  );
  ({ storage_path: storagePath, mime_type: mimeType } = file!);
  supabase = await startFakeSupabaseStorage();
  lt = await limiterUnderTest();
});

afterAll(async () => {
  await lt.close();
  await supabase.close();
  await t.close();
  vi.unstubAllEnvs();
  await fs.rm(env.dataDir, { recursive: true, force: true });
});

/** The sources a CSP directive lists. */
function sources(csp: string, directive: string): string[] {
  const entry = csp
    .split(";")
    .map((part) => part.trim().split(/\s+/))
    .find(([name]) => name === directive);
  if (!entry) throw new Error(`no ${directive} in ${csp}`);
  return entry.slice(1);
}

/** Whether a URL matches one of a directive's sources, as a browser would decide for these source forms. */
function allows(csp: string, directive: string, url: URL): boolean {
  return sources(csp, directive).some((source) => {
    if (source === "'self'") return url.origin === APP;
    if (source.startsWith("'")) return false;
    if (/^[a-z][a-z0-9+.-]*:$/.test(source)) return url.protocol === source;
    return new URL(source).origin === url.origin;
  });
}

async function pageCsp(config: Config): Promise<string> {
  const gate = createGate({ config, keys: createLocalJWKSet({ keys: [] }), limiter: lt.limiter });
  const response = await gate(new NextRequest(`${APP}/me/rewards`));
  return response.headers.get("content-security-policy")!;
}

interface Mode {
  name: string;
  config: () => Config;
  storage: (config: Config) => ObjectStorage;
  /** Loads the signed URL as the browser would, after the redirect. */
  load: (url: URL) => Promise<Response>;
}

const MODES: Mode[] = [
  {
    name: "local storage",
    config: () => ({ ...getConfig(), appUrl: APP }),
    storage: (config) => createStorage(config.storage),
    load: (url) =>
      getFile(new Request(url), { params: Promise.resolve({ token: url.pathname.slice("/api/files/".length) }) }),
  },
  {
    name: "Supabase Storage",
    config: () =>
      loadConfig({
        APP_URL: APP,
        NODE_ENV: "test",
        SUPABASE_URL: supabase.url,
        SUPABASE_SERVICE_ROLE_KEY: supabase.serviceRoleKey,
        SUPABASE_STORAGE_BUCKET: supabase.bucket,
      }),
    storage: (config) => createStorage(config.storage),
    load: (url) => fetch(url),
  },
];

describe.each(MODES)("inline playback through the download redirect ($name)", (mode) => {
  it("passes the page's media-src and img-src at every hop and then serves the file", async () => {
    const config = mode.config();
    const storage = mode.storage(config);
    await storage.put(storagePath, body, mimeType);
    const csp = await pageCsp(config);

    const { url } = await getRewardDownload(t.db, fan, rewardId, { disposition: "inline", storage });
    const hops = [new URL(`/api/me/rewards/${rewardId}/download?inline=1`, APP), new URL(url, APP)];
    for (const hop of hops) {
      expect(allows(csp, "media-src", hop), `media-src ${hop.origin}`).toBe(true);
      expect(allows(csp, "img-src", hop), `img-src ${hop.origin}`).toBe(true);
    }
    // The policy stays narrow: no other origin gets in.
    expect(allows(csp, "media-src", new URL("https://media.example.net/x.webm"))).toBe(false);

    const file = await mode.load(hops[1]!);
    expect(file.status).toBe(200);
    expect(file.headers.get("content-type")).toBe(mimeType);
    expect(
      createHash("sha256")
        .update(Buffer.from(await file.arrayBuffer()))
        .digest("hex"),
    ).toBe(createHash("sha256").update(body).digest("hex"));
  });
});
