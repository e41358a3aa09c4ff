/**
 * The VTuber's profile: XSS in the profile text never reaches the database or the page
 * fans see (the same component the console's preview renders), links are https only
 * and bounded, the avatar is one of the VTuber's own images and reaches fans only
 * through a short-lived signed URL.
 */
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { VtuberProfileHeader } from "@/app/_components/vtuber-profile-header";
import { GET as avatarRoute } from "@/app/api/vtubers/[slug]/avatar/route";
import { GET as publicVtuber } from "@/app/api/vtubers/[slug]/route";
import { GET, PUT } from "@/app/api/vtuber/profile/route";
import { errorCode, signIn, testDeps } from "../helpers/auth";
import { createContentFile, createVtuber, type VtuberFixture } from "../helpers/fixtures";
import { setUpRouteTests } from "../helpers/route-test-context";

const app = setUpRouteTests();

const XSS = [
  "<script>alert(1)</script>",
  '<img src=x onerror="alert(1)">',
  '<a href="javascript:alert(1)">x</a>',
  "<svg onload=alert(1)>",
  '<iframe src="https://evil.example/"></iframe>',
  '<p style="background:url(javascript:alert(1))" onclick="alert(1)">y</p>',
];

async function tokenOf(vtuber: VtuberFixture) {
  return (await signIn(await testDeps(app.db, app.keys), vtuber.user)).accessToken.token;
}

function put(token: string, body: unknown) {
  return PUT(
    new Request("http://localhost/api/vtuber/profile", {
      method: "PUT",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    }),
    { params: Promise.resolve({}) },
  );
}

const base = { name: "星野ミオ", bio: "", links: [], avatarFileId: null };

describe("the profile text", () => {
  it("keeps the allowed markup and strips every XSS payload before storing and showing it", async () => {
    const vtuber = await createVtuber(app.db);
    const token = await tokenOf(vtuber);
    const bio = `<p><strong>こんにちは</strong> <a href="https://example.com/">site</a></p>${XSS.join("")}`;
    expect((await put(token, { ...base, bio })).status).toBe(200);

    const got = await GET(
      new Request("http://localhost/api/vtuber/profile", { headers: { authorization: `Bearer ${token}` } }),
      { params: Promise.resolve({}) },
    );
    const { profile } = (await got.json()) as { profile: { bio: string } };
    const [stored] = await app.db.query<{ bio: string }>("select bio from public.vtubers where id = $1", [vtuber.id]);
    for (const html of [profile.bio, stored!.bio]) {
      expect(html).toContain("<strong>こんにちは</strong>");
      expect(html).toContain('href="https://example.com/"');
      expect(html).not.toMatch(/<script|onerror|onload|onclick|javascript:|<iframe|<svg|<img|style=/i);
    }

    // The page fans see (and the console's preview) renders it through the sanitiser again.
    const page = renderToStaticMarkup(
      createElement(VtuberProfileHeader, {
        name: "x",
        bio: `<p>ok</p>${XSS.join("")}`,
        links: [{ label: "X", url: "https://x.example/" }],
        avatarUrl: null,
        headingId: "h",
        linksLabel: "Links",
      }),
    );
    expect(page).toContain("<p>ok</p>");
    expect(page).not.toMatch(/<script|onerror|onload|onclick|javascript:|<iframe|<svg|<img/i);
  });

  it("can be edited after approval and shows on the public API at once", async () => {
    const vtuber = await createVtuber(app.db);
    const links = [{ label: "YouTube", url: "https://youtube.com/@mio" }];
    expect((await put(await tokenOf(vtuber), { ...base, name: "新しい名前", links })).status).toBe(200);
    const response = await publicVtuber(new Request(`http://localhost/api/vtubers/${vtuber.slug}`), {
      params: Promise.resolve({ slug: vtuber.slug }),
    });
    const { vtuber: shown } = (await response.json()) as { vtuber: { name: string; links: unknown } };
    expect(shown).toMatchObject({ name: "新しい名前", links });
  });
});

describe("links", () => {
  it.each([
    ["an http link", [{ label: "x", url: "http://example.com/" }]],
    ["a javascript: link", [{ label: "x", url: "javascript:alert(1)" }]],
    ["six links", Array.from({ length: 6 }, (_, i) => ({ label: `l${i}`, url: `https://e.example/${i}` }))],
    ["a label over 40 characters", [{ label: "x".repeat(41), url: "https://e.example/" }]],
    ["an address over 300 characters", [{ label: "x", url: `https://e.example/${"a".repeat(300)}` }]],
  ])("refuses %s with 400, changing nothing", async (_, links) => {
    const vtuber = await createVtuber(app.db);
    const response = await put(await tokenOf(vtuber), { ...base, links });
    expect(response.status).toBe(400);
    expect(await errorCode(response)).toBe("validation_failed");
    const [row] = await app.db.query<{ links: unknown[]; name: string }>(
      "select links, name from public.vtubers where id = $1",
      [vtuber.id],
    );
    expect(row).toEqual({ links: [], name: vtuber.name });
  });
});

describe("the avatar", () => {
  const avatar = (slug: string) =>
    avatarRoute(new Request(`http://localhost/api/vtubers/${slug}/avatar`), { params: Promise.resolve({ slug }) });

  it("is one of the VTuber's own images, served through a short-lived signed URL", async () => {
    const vtuber = await createVtuber(app.db);
    const token = await tokenOf(vtuber);
    expect((await avatar(vtuber.slug)).status).toBe(404);

    const voice = await createContentFile(app.db, vtuber, { kind: "voice" });
    const notImage = await put(token, { ...base, avatarFileId: voice.id });
    expect(notImage.status).toBe(400);

    const image = await createContentFile(app.db, vtuber, { kind: "image" });
    const saved = await put(token, { ...base, avatarFileId: image.id });
    const { profile } = (await saved.json()) as { profile: { avatarUrl: string } };
    expect(profile.avatarUrl).toMatch(new RegExp(`^/api/vtubers/${vtuber.slug}/avatar\\?v=`));

    const redirect = await avatar(vtuber.slug);
    expect(redirect.status).toBe(302);
    expect(redirect.headers.get("location")).toMatch(/^\/api\/files\/[^/]+$/);
    expect(redirect.headers.get("cache-control")).toMatch(/private/);
  });
});
