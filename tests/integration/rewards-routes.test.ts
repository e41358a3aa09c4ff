/**
 * The reward box over HTTP: GET /api/me/rewards and the download redirect, followed
 * through to the local files route, with real access tokens.
 */
import { createHash } from "node:crypto";
import fs from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { GET as getFile } from "@/app/api/files/[token]/route";
import { GET as getDownload } from "@/app/api/me/rewards/[id]/download/route";
import { GET as getRewards } from "@/app/api/me/rewards/route";
import { getConfig } from "@/lib/config";
import { asService } from "@/lib/db/session";
import { exchangeItem } from "@/lib/exchange/exchange-item";
import { toneWav } from "@/lib/seed/media";
import { createStorage } from "@/lib/storage";
import { errorCode, signIn, testDeps } from "../helpers/auth";
import {
  createApprovedCampaign,
  createExchangeItem,
  createFulfilledPull,
  createUser,
  createVtuber,
  grantMedals as giveMedals,
  type UserFixture,
} from "../helpers/fixtures";
import { setUpRouteTests } from "../helpers/route-test-context";

const env = await vi.hoisted(async () => {
  const { mkdtemp } = await import("node:fs/promises");
  const { tmpdir } = await import("node:os");
  const dataDir = await mkdtemp(`${tmpdir()}/koepon-rewards-`);
  vi.stubEnv("KOEPON_DATA_DIR", dataDir);
  vi.stubEnv("STORAGE_SIGNING_SECRET", "rewards-route-test-secret-0123456789");
  return { dataDir };
});

const app = setUpRouteTests();
let fan: UserFixture;
let otherFan: UserFixture;
let fanToken: string;
let otherToken: string;
const body = toneWav(660, 600);
const sha256 = createHash("sha256").update(body).digest("hex");
let exchangeRewardId: string;
let pullRewardIds: string[];
let otherRewardId: string;
let vtuber: Awaited<ReturnType<typeof createVtuber>>;

beforeAll(async () => {
  const deps = await testDeps(app.db, app.keys);
  [fan, otherFan] = [await createUser(app.db), await createUser(app.db)];
  fanToken = (await signIn(deps, fan)).accessToken.token;
  otherToken = (await signIn(deps, otherFan)).accessToken.token;

  vtuber = await createVtuber(app.db, { name: "花咲ユイ" });
  const key = `vtubers/${vtuber.slug}/birthday-voice.wav`;
  await createStorage(getConfig().storage).put(key, body, "audio/wav");
  const [file] = await asService(app.db, "test", (tx) =>
    tx.query<{ id: string }>(
      `insert into public.content_files (vtuber_id, kind, title, storage_path, mime_type, size_bytes, sha256)
       values ($1, 'voice', '誕生日ボイス', $2, 'audio/wav', $3, $4) returning id`,
      [vtuber.id, key, body.length, sha256],
    ),
  );
  const gacha = await createApprovedCampaign(app.db, vtuber);
  pullRewardIds = (await createFulfilledPull(app.db, fan, gacha, { results: [gacha.items[0]!] })).rewards.map(
    (r) => r.id,
  );
  otherRewardId = (await createFulfilledPull(app.db, otherFan, gacha, { results: [gacha.items[1]!] })).rewards[0]!.id;

  const item = await createExchangeItem(app.db, vtuber, {
    file: { id: file!.id, vtuberId: vtuber.id, kind: "voice", title: "誕生日ボイス", storagePath: key },
    name: "誕生日ボイス 2026",
    costMedals: 100,
  });
  await giveMedals(app.db, fan, vtuber, 100);
  const outcome = await exchangeItem(app.db, {
    userId: fan.id,
    itemId: item.id,
    idempotencyKey: "rewards-route-setup",
    now: new Date(),
  });
  exchangeRewardId = outcome.exchange.reward.id;
});

afterAll(async () => {
  vi.unstubAllEnvs();
  await fs.rm(env.dataDir, { recursive: true, force: true });
});

function request(path: string, token: string | null): Request {
  return new Request(`http://localhost${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
}

function download(id: string, token: string | null, query = ""): Promise<Response> {
  return getDownload(request(`/api/me/rewards/${id}/download${query}`, token), { params: Promise.resolve({ id }) });
}

async function follow(location: string, headers: Record<string, string> = {}): Promise<Response> {
  const token = location.slice("/api/files/".length);
  return getFile(new Request(`http://localhost${location}`, { headers }), { params: Promise.resolve({ token }) });
}

describe("GET /api/me/rewards", () => {
  it("lists the caller's own rewards, newest first, with file type, size and VTuber", async () => {
    const response = await getRewards(request("/api/me/rewards", fanToken), { params: Promise.resolve({}) });
    expect(response.status).toBe(200);
    const { rewards } = (await response.json()) as { rewards: Record<string, unknown>[] };

    expect(rewards.map((r) => r.id)).toEqual([exchangeRewardId, ...pullRewardIds]);
    expect(rewards[0]).toEqual({
      id: exchangeRewardId,
      title: "誕生日ボイス 2026",
      kind: "voice",
      vtuber: { slug: vtuber.slug, name: "花咲ユイ" },
      source: "exchange",
      acquiredAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      mimeType: "audio/wav",
      sizeBytes: body.length,
    });
    expect(rewards[1]).toMatchObject({ source: "pull", mimeType: "audio/ogg", sizeBytes: 4096 });
    expect(rewards.map((r) => r.id)).not.toContain(otherRewardId);
  });

  it("refuses a signed-out caller with 401", async () => {
    const response = await getRewards(request("/api/me/rewards", null), { params: Promise.resolve({}) });
    expect(response.status).toBe(401);
    expect(await errorCode(response)).toBe("unauthenticated");
  });
});

describe("GET /api/me/rewards/{id}/download", () => {
  it("redirects the owner to a short-lived signed URL that serves the file's exact bytes", async () => {
    const response = await download(exchangeRewardId, fanToken);

    expect(response.status).toBe(302);
    expect(response.headers.get("cache-control")).toBe("private, no-store");
    const location = response.headers.get("location")!;
    expect(location).toMatch(/^\/api\/files\/[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);

    const file = await follow(location);
    expect(file.status).toBe(200);
    expect(
      createHash("sha256")
        .update(Buffer.from(await file.arrayBuffer()))
        .digest("hex"),
    ).toBe(sha256);
    expect(file.headers.get("content-type")).toBe("audio/wav");
    expect(file.headers.get("content-disposition")).toBe(
      `attachment; filename="______ 2026.wav"; filename*=UTF-8''${encodeURIComponent("誕生日ボイス 2026.wav")}`,
    );
  });

  it("signs for inline playback with ?inline=1, seekable by range", async () => {
    const response = await download(exchangeRewardId, fanToken, "?inline=1");
    const file = await follow(response.headers.get("location")!, { range: "bytes=0-43" });
    expect(file.status).toBe(206);
    expect(file.headers.get("content-disposition")).toBe("inline");
    expect(Buffer.from(await file.arrayBuffer()).equals(body.subarray(0, 44))).toBe(true);
  });

  it("rejects an unknown query value with 400", async () => {
    const response = await download(exchangeRewardId, fanToken, "?inline=yes");
    expect(response.status).toBe(400);
    expect(await errorCode(response)).toBe("validation_failed");
  });

  it("answers 404, not 403, for another fan's reward, an unknown id and a malformed one", async () => {
    for (const [id, token] of [
      [otherRewardId, fanToken],
      [exchangeRewardId, otherToken],
      ["00000000-0000-4000-8000-000000000000", fanToken],
      ["../../etc/passwd", fanToken],
    ] as const) {
      const response = await download(id, token);
      expect(response.status).toBe(404);
      expect(await errorCode(response)).toBe("reward_not_found");
      expect(response.headers.get("location")).toBeNull();
    }
  });

  it("refuses a signed-out caller with 401", async () => {
    const response = await download(exchangeRewardId, null);
    expect(response.status).toBe(401);
    expect(response.headers.get("location")).toBeNull();
  });
});

describe("a VTuber who is no longer listed", () => {
  it("still shows in the box of fans who own their content", async () => {
    await asService(app.db, "test", (tx) =>
      tx.query("update public.vtubers set status = 'suspended' where id = $1", [vtuber.id]),
    );
    const response = await getRewards(request("/api/me/rewards", fanToken), { params: Promise.resolve({}) });
    const { rewards } = (await response.json()) as { rewards: { vtuber: unknown }[] };
    expect(rewards).toHaveLength(1 + pullRewardIds.length);
    expect(
      rewards.every((r) => JSON.stringify(r.vtuber) === JSON.stringify({ slug: vtuber.slug, name: "花咲ユイ" })),
    ).toBe(true);
  });
});
