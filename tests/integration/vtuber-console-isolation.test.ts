/**
 * The console's isolation: VTuber A reaches none of B's campaigns, rate tables, files or
 * uploads by the API or by the database directly, and a fan (or an applicant still in
 * review) gets 403 on every /api/vtuber/* route. The database side of campaigns, files
 * and rate tables is in rls-vtuber-isolation.test.ts; the uploads table and the profile
 * (name, text, links, avatar) are here.
 */
import { describe, expect, it } from "vitest";
import { asUser } from "@/lib/db/session";
import { API_ROUTES } from "@/lib/edge/api-routes";
import { errorCode, signIn, testDeps } from "../helpers/auth";
import { consoleApi, type StartedUploadBody } from "../helpers/console";
import { createContentFile, createUser, createVtuber, type VtuberFixture } from "../helpers/fixtures";
import { setUpRouteTests } from "../helpers/route-test-context";

const app = setUpRouteTests();

type Handler = (request: Request, context: { params: Promise<Record<string, string>> }) => Promise<Response>;

const MODULES: Record<string, () => Promise<Record<string, unknown>>> = {
  "/api/vtuber/campaigns": () => import("@/app/api/vtuber/campaigns/route"),
  "/api/vtuber/campaigns/[id]": () => import("@/app/api/vtuber/campaigns/[id]/route"),
  "/api/vtuber/campaigns/[id]/rates": () => import("@/app/api/vtuber/campaigns/[id]/rates/route"),
  "/api/vtuber/campaigns/[id]/rates/submit": () => import("@/app/api/vtuber/campaigns/[id]/rates/submit/route"),
  "/api/vtuber/campaigns/[id]/submit": () => import("@/app/api/vtuber/campaigns/[id]/submit/route"),
  "/api/vtuber/exchange-items": () => import("@/app/api/vtuber/exchange-items/route"),
  "/api/vtuber/exchange-items/[id]": () => import("@/app/api/vtuber/exchange-items/[id]/route"),
  "/api/vtuber/exchange-items/[id]/submit": () => import("@/app/api/vtuber/exchange-items/[id]/submit/route"),
  "/api/vtuber/files": () => import("@/app/api/vtuber/files/route"),
  "/api/vtuber/profile": () => import("@/app/api/vtuber/profile/route"),
  "/api/vtuber/sales": () => import("@/app/api/vtuber/sales/route"),
  "/api/vtuber/uploads": () => import("@/app/api/vtuber/uploads/route"),
  "/api/vtuber/uploads/[id]": () => import("@/app/api/vtuber/uploads/[id]/route"),
  "/api/vtuber/uploads/[id]/verify": () => import("@/app/api/vtuber/uploads/[id]/verify/route"),
};

async function signedIn(vtuber: VtuberFixture) {
  return (await signIn(await testDeps(app.db, app.keys), vtuber.user)).accessToken.token;
}

async function campaignOf(token: string, vtuber: VtuberFixture): Promise<string> {
  const file = await createContentFile(app.db, vtuber, { kind: "image" });
  const response = await consoleApi.createCampaign(token, {
    title: "B's",
    startsAt: new Date().toISOString(),
    endsAt: new Date(Date.now() + 86_400_000).toISOString(),
    items: [{ fileId: file.id, name: "B", rarity: "SSR", regularPpm: 1_000_000, guaranteedPpm: 1_000_000 }],
  });
  expect(response.status).toBe(201);
  return ((await response.json()) as { campaign: { id: string } }).campaign.id;
}

describe("VTuber A and VTuber B", () => {
  it("A cannot list, read, change or submit B's campaigns, files or uploads through the API", async () => {
    const a = await createVtuber(app.db);
    const b = await createVtuber(app.db);
    const [tokenA, tokenB] = [await signedIn(a), await signedIn(b)];
    const campaign = await campaignOf(tokenB, b);
    const before = await (await consoleApi.getCampaign(tokenB, campaign)).text();

    expect((await (await consoleApi.campaigns(tokenA)).json()).campaigns).toEqual([]);
    expect((await (await consoleApi.files(tokenA)).json()).files).toEqual([]);
    for (const response of [
      await consoleApi.getCampaign(tokenA, campaign),
      await consoleApi.saveCampaign(tokenA, campaign, {
        title: "taken",
        startsAt: new Date().toISOString(),
        endsAt: new Date(Date.now() + 86_400_000).toISOString(),
      }),
      await consoleApi.submitCampaign(tokenA, campaign),
    ]) {
      expect(response.status).toBe(404);
      expect(await errorCode(response)).toBe("campaign_not_found");
    }
    expect(await (await consoleApi.getCampaign(tokenB, campaign)).text()).toBe(before);

    const started = await consoleApi.startUpload(tokenB, { kind: "voice", title: "B's upload", sizeBytes: 100 });
    const { upload } = (await started.json()) as StartedUploadBody;
    expect((await consoleApi.verify(tokenA, upload.id)).status).toBe(404);
  });

  it("A cannot see, add to, mark or drop B's uploads in the database directly", async () => {
    const a = await createVtuber(app.db);
    const b = await createVtuber(app.db);
    const started = await consoleApi.startUpload(await signedIn(b), { kind: "voice", title: "B's", sizeBytes: 100 });
    const { upload } = (await started.json()) as StartedUploadBody;
    const asA = <T>(sql: string, params: unknown[]) =>
      asUser(app.db, a.user.claims, (tx) => tx.query<T>(sql, params)).then(
        (rows) => ({ rows: rows.length }),
        (err: { code?: string }) => ({ code: err.code }),
      );

    expect(await asA("select * from public.content_uploads where id = $1", [upload.id])).toEqual({ rows: 0 });
    expect(
      await asA("update public.content_uploads set received_at = now() where id = $1 returning id", [upload.id]),
    ).toEqual({ rows: 0 });
    expect(await asA("delete from public.content_uploads where id = $1 returning id", [upload.id])).toEqual({
      rows: 0,
    });
    expect(
      await asA(
        `insert into public.content_uploads (vtuber_id, kind, title, storage_path, declared_bytes, expires_at)
         values ($1, 'voice', 'x', $2, 10, now() + interval '1 hour')`,
        [b.id, `vtubers/${b.id}/planted`],
      ),
    ).toEqual({ code: "42501" });
    const [row] = await app.db.query<{ received_at: Date | null }>(
      "select received_at from public.content_uploads where id = $1",
      [upload.id],
    );
    expect(row).toEqual({ received_at: null });
  });
});

describe("profiles", () => {
  const profileApi = async (token: string, method: "GET" | "PUT", body?: unknown) => {
    const { GET, PUT } = await import("@/app/api/vtuber/profile/route");
    const request = new Request("http://localhost/api/vtuber/profile", {
      method,
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return (method === "GET" ? GET : PUT)(request, { params: Promise.resolve({}) });
  };
  const rowOf = async (vtuber: VtuberFixture) =>
    (
      await app.db.query<{ name: string; bio: string; links: unknown; avatar_file_id: string | null }>(
        "select name, bio, links, avatar_file_id from public.vtubers where id = $1",
        [vtuber.id],
      )
    )[0]!;

  it("A reads and changes only A's own profile through the API, and cannot wear B's image", async () => {
    const a = await createVtuber(app.db);
    const b = await createVtuber(app.db);
    const imageOfB = await createContentFile(app.db, b, { kind: "image" });
    const before = await rowOf(b);
    const tokenA = await signedIn(a);

    const read = (await (await profileApi(tokenA, "GET")).json()) as { profile: { id: string; slug: string } };
    expect(read.profile).toMatchObject({ id: a.id, slug: a.slug });
    const saved = await profileApi(tokenA, "PUT", { name: "A", bio: "", links: [], avatarFileId: null });
    expect(saved.status).toBe(200);
    const wearing = await profileApi(tokenA, "PUT", { name: "A", bio: "", links: [], avatarFileId: imageOfB.id });
    expect(wearing.status).toBe(400);
    expect(await errorCode(wearing)).toBe("validation_failed");

    expect(await rowOf(b)).toEqual(before);
    expect((await rowOf(a)).avatar_file_id).toBeNull();
  });

  it("A cannot change B's profile or point an avatar at B's file in the database directly", async () => {
    const a = await createVtuber(app.db);
    const b = await createVtuber(app.db);
    const imageOfB = await createContentFile(app.db, b, { kind: "image" });
    const before = await rowOf(b);
    const asA = <T>(sql: string, params: unknown[]) =>
      asUser(app.db, a.user.claims, (tx) => tx.query<T>(sql, params)).then(
        (rows) => ({ rows: rows.length }),
        (err: { code?: string }) => ({ code: err.code }),
      );

    expect(
      await asA("update public.vtubers set name = 'taken', bio = '<b>x</b>' where id = $1 returning id", [b.id]),
    ).toEqual({ rows: 0 });
    expect(
      await asA("update public.vtubers set avatar_file_id = $2 where id = $1 returning id", [b.id, imageOfB.id]),
    ).toEqual({ rows: 0 });
    // On A's own row, B's image is refused by the database itself.
    expect(
      await asA("update public.vtubers set avatar_file_id = $2 where id = $1 returning id", [a.id, imageOfB.id]),
    ).toEqual({ code: "KP004" });
    // Review columns are not the VTuber's to write at all.
    expect(await asA("update public.vtubers set review_note = 'x' where id = $1", [a.id])).toEqual({
      code: "42501",
    });
    expect(await rowOf(b)).toEqual(before);
  });
});

describe("who may use /api/vtuber/*", () => {
  const routes = API_ROUTES.filter((r) => r.path.startsWith("/api/vtuber/"));

  it("covers every console route", () => {
    expect(routes.map((r) => r.path).sort()).toEqual(Object.keys(MODULES).sort());
  });

  it.each([
    ["a fan", async () => createUser(app.db)],
    ["an applicant still in review", async () => (await createVtuber(app.db, { status: "applied" })).user],
    ["a rejected applicant", async () => (await createVtuber(app.db, { status: "rejected" })).user],
  ])("%s gets 403 forbidden on every route and method", async (_, make) => {
    const caller = await make();
    const token = (await signIn(await testDeps(app.db, app.keys), caller)).accessToken.token;
    const id = crypto.randomUUID();
    let checked = 0;
    for (const route of routes) {
      const handlers = await MODULES[route.path]!();
      for (const method of route.methods) {
        const url = `http://localhost${route.path.replace("[id]", id)}`;
        const response = await (handlers[method] as Handler)(
          new Request(url, {
            method,
            headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
            body: method === "GET" ? undefined : "{}",
          }),
          { params: Promise.resolve({ id }) },
        );
        expect(response.status, `${method} ${route.path}`).toBe(403);
        expect(await errorCode(response)).toBe("forbidden");
        checked++;
      }
    }
    expect(checked).toBe(19);
  });
});
