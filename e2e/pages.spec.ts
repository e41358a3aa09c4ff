import { expect, test, type APIRequestContext, type Page } from "@playwright/test";
import { expectNoSeriousA11yViolations, pullThroughApi, screenshot, signUpFan } from "./support";

/**
 * Every page of the fan's site, signed out and signed in, in Japanese and in English:
 * axe-core finds no serious or critical violation on any of them, each has one h1, and
 * in English nothing Japanese is left except what VTubers wrote (names, titles,
 * descriptions), which is theirs to write in any language.
 */

interface Catalog {
  vtuberSlug: string;
  gachaId: string;
  /** Text VTubers wrote and fans chose (display names): shown as written in every language. */
  ownContent: string[];
  /** The first letter of each VTuber's name, which their avatar shows on its own. */
  initials: string[];
}

const SIGNED_OUT_PAGES = (c: Catalog) => [
  { name: "home", path: "/" },
  { name: "vtuber", path: `/vtubers/${c.vtuberSlug}` },
  { name: "exchange-signed-out", path: `/vtubers/${c.vtuberSlug}/exchange` },
  { name: "campaign", path: `/gachas/${c.gachaId}` },
  { name: "odds", path: `/gachas/${c.gachaId}/odds` },
  { name: "login", path: "/login" },
  { name: "signup", path: "/signup" },
  { name: "tokushoho", path: "/legal/tokushoho" },
  { name: "terms", path: "/legal/terms" },
  { name: "privacy", path: "/legal/privacy" },
  { name: "not-found", path: "/no-such-page" },
];

const SIGNED_IN_PAGES = (c: Catalog) => [
  { name: "home-signed-in", path: "/" },
  { name: "confirm", path: `/gachas/${c.gachaId}/confirm?count=10` },
  { name: "account", path: "/account" },
  { name: "rewards", path: "/me/rewards" },
  { name: "medals", path: "/me/medals" },
  { name: "exchange", path: `/vtubers/${c.vtuberSlug}/exchange` },
  { name: "history", path: "/me/history" },
  { name: "history-pulls", path: "/me/history?tab=pulls" },
];

/** Hiragana, katakana, CJK ideographs and full-width forms. */
const JAPANESE = /[\u3040-\u30ff\u3400-\u9fff\uff01-\uff60]/u;
/** Japanese that English pages keep on purpose: the switch back, and the act the disclosure is named after. */
const KEPT_IN_JAPANESE = ["日本語", "特定商取引法に基づく表記", "特定商取引法", "こえポン！"];

function textOf(html: string): string {
  return html.replace(/<[^>]*>/g, "");
}

async function loadCatalog(request: APIRequestContext): Promise<Catalog> {
  const get = async <T>(path: string) => (await (await request.get(path)).json()) as T;
  const { vtubers } = await get<{ vtubers: { slug: string; name: string; bio: string | null }[] }>("/api/vtubers");
  const { gachas } = await get<{ gachas: { id: string }[] }>("/api/gachas");
  const ownContent = ["テストファン"];
  for (const v of vtubers) {
    ownContent.push(v.name, textOf(v.bio ?? ""));
    const { items } = await get<{ items: { name: string; description: string }[] }>(`/api/vtubers/${v.slug}/exchange`);
    for (const item of items) ownContent.push(item.name, textOf(item.description));
  }
  for (const { id } of gachas) {
    const { gacha } = await get<{
      gacha: { title: string; description: string | null; items: { name: string }[] };
    }>(`/api/gachas/${id}`);
    ownContent.push(gacha.title, textOf(gacha.description ?? ""), ...gacha.items.map((i) => i.name));
  }
  return {
    vtuberSlug: vtubers[0]!.slug,
    gachaId: gachas[0]!.id,
    ownContent: ownContent.filter(Boolean),
    initials: vtubers.map((v) => Array.from(v.name)[0]!),
  };
}

/** Visible text on the page that is Japanese and not someone's own content. */
async function untranslated(page: Page, catalog: Catalog): Promise<string[]> {
  const texts = await page.evaluate(() => {
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    const found: { text: string; inRichText: boolean }[] = [];
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const parent = node.parentElement;
      if (!parent || parent.closest("script, style, template, [hidden]")) continue;
      const text = node.textContent?.trim();
      if (text) found.push({ text, inRichText: parent.closest(".rich-text") !== null });
    }
    return found;
  });
  const own = [...catalog.ownContent].sort((a, b) => b.length - a.length);
  return texts
    .filter(({ text, inRichText }) => {
      // Markup splits a VTuber's text into pieces (the bold words of a bio); only there is
      // a piece of their text theirs too. Elsewhere a UI word that happens to occur in an
      // item name ("ボイス") must not pass as VTuber content.
      if (inRichText && own.some((content) => content.includes(text))) return false;
      if (catalog.initials.includes(text)) return false;
      const rest = [...own, ...KEPT_IN_JAPANESE].reduce((left, content) => left.replaceAll(content, ""), text);
      return JAPANESE.test(rest);
    })
    .map(({ text }) => text);
}

async function checkPage(page: Page, path: string, lang: "ja" | "en", catalog: Catalog): Promise<void> {
  await page.goto(path);
  await expect(page.locator("html")).toHaveAttribute("lang", lang);
  await expect(page.locator("h1")).toHaveCount(1);
  await expect(page.locator("h1")).not.toHaveText("");
  await expectNoSeriousA11yViolations(page);
  if (lang === "en") expect(await untranslated(page, catalog), path).toEqual([]);
}

for (const lang of ["ja", "en"] as const) {
  test.describe(`every page in ${lang === "ja" ? "Japanese" : "English"}`, () => {
    test.beforeEach(async ({ context, baseURL }) => {
      await context.addCookies([{ name: "lang", value: lang, url: baseURL! }]);
    });

    test("signed out", async ({ page }, testInfo) => {
      test.setTimeout(120_000);
      const catalog = await loadCatalog(page.request);
      for (const { name, path } of SIGNED_OUT_PAGES(catalog)) {
        await checkPage(page, path, lang, catalog);
        if (lang === "en") await screenshot(page, testInfo, `en-${name}`);
      }
    });

    test("signed in, with a pull and medals", async ({ page }, testInfo) => {
      test.setTimeout(120_000);
      const catalog = await loadCatalog(page.request);
      await signUpFan(page.request, testInfo);
      await pullThroughApi(page.request, testInfo, catalog.gachaId, 10);
      for (const { name, path } of SIGNED_IN_PAGES(catalog)) {
        await checkPage(page, path, lang, catalog);
        if (lang === "en") await screenshot(page, testInfo, `en-${name}`);
      }
    });
  });
}
