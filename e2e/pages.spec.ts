import { expect, test, type APIRequestContext, type Page } from "@playwright/test";
import { accountMessagesFor } from "../lib/i18n/dictionaries/account";
import { en } from "../lib/i18n/dictionaries/en";
import { gachaMessagesFor } from "../lib/i18n/dictionaries/gacha";
import { historyMessagesFor } from "../lib/i18n/dictionaries/history";
import { ja } from "../lib/i18n/dictionaries/ja";
import { medalsMessagesFor } from "../lib/i18n/dictionaries/medals";
import { rewardsMessagesFor } from "../lib/i18n/dictionaries/rewards";
import type { Locale } from "../lib/i18n/locales";
import { expectNoSeriousA11yViolations, pullThroughApi, screenshot, signUpFan } from "./support";

/**
 * Every page of the fan's site, signed out and signed in, in Japanese and in English:
 * each answers its HTTP status and renders its own h1 (a page that crashed into the
 * error page, which has an h1 too, fails here), axe-core finds no serious or critical
 * violation, and in English nothing Japanese is left except what VTubers wrote (names,
 * titles, descriptions), which is theirs to write in any language.
 */

interface Catalog {
  vtuberSlug: string;
  vtuberName: string;
  gachaId: string;
  gachaTitle: string;
  /** Text VTubers wrote and fans chose (display names): shown as written in every language. */
  ownContent: string[];
  /** The first letter of each VTuber's name, which their avatar shows on its own. */
  initials: string[];
}

interface PageCheck {
  name: string;
  path: string;
  status: number;
  /** The page's own h1, from the dictionaries the pages read. */
  h1: string;
}

/** The UI text of one language, as the pages read it. */
function messages(lang: Locale) {
  return {
    site: lang === "ja" ? ja : en,
    account: accountMessagesFor(lang),
    gacha: gachaMessagesFor(lang),
    history: historyMessagesFor(lang),
    medals: medalsMessagesFor(lang),
    rewards: rewardsMessagesFor(lang),
  };
}

const SIGNED_OUT_PAGES = (c: Catalog, lang: Locale): PageCheck[] => {
  const m = messages(lang);
  return [
    { name: "home", path: "/", status: 200, h1: m.site.home.heroTitle },
    { name: "vtuber", path: `/vtubers/${c.vtuberSlug}`, status: 200, h1: c.vtuberName },
    {
      name: "exchange-signed-out",
      path: `/vtubers/${c.vtuberSlug}/exchange`,
      status: 200,
      h1: m.medals.exchange.title(c.vtuberName),
    },
    { name: "campaign", path: `/gachas/${c.gachaId}`, status: 200, h1: c.gachaTitle },
    // The heading, then the campaign's title in a span of its own.
    { name: "odds", path: `/gachas/${c.gachaId}/odds`, status: 200, h1: `${m.gacha.odds.heading}${c.gachaTitle}` },
    { name: "login", path: "/login", status: 200, h1: m.account.login.title },
    { name: "signup", path: "/signup", status: 200, h1: m.account.signup.title },
    { name: "tokushoho", path: "/legal/tokushoho", status: 200, h1: m.site.legal.tokushoho.title },
    { name: "terms", path: "/legal/terms", status: 200, h1: m.site.legal.terms.title },
    { name: "privacy", path: "/legal/privacy", status: 200, h1: m.site.legal.privacy.title },
    { name: "not-found", path: "/no-such-page", status: 404, h1: m.site.notFound.title },
  ];
};

const SIGNED_IN_PAGES = (c: Catalog, lang: Locale): PageCheck[] => {
  const m = messages(lang);
  return [
    { name: "home-signed-in", path: "/", status: 200, h1: m.site.home.heroTitle },
    { name: "confirm", path: `/gachas/${c.gachaId}/confirm?count=10`, status: 200, h1: m.gacha.confirm.title },
    { name: "account", path: "/account", status: 200, h1: m.account.account.title },
    { name: "rewards", path: "/me/rewards", status: 200, h1: m.rewards.title },
    { name: "medals", path: "/me/medals", status: 200, h1: m.medals.medals.title },
    {
      name: "exchange",
      path: `/vtubers/${c.vtuberSlug}/exchange`,
      status: 200,
      h1: m.medals.exchange.title(c.vtuberName),
    },
    { name: "history", path: "/me/history", status: 200, h1: m.history.title },
    { name: "history-pulls", path: "/me/history?tab=pulls", status: 200, h1: m.history.title },
  ];
};

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
  const { gachas } = await get<{ gachas: { id: string; title: string }[] }>("/api/gachas");
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
    vtuberName: vtubers[0]!.name,
    gachaId: gachas[0]!.id,
    gachaTitle: gachas[0]!.title,
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

async function checkPage(page: Page, check: PageCheck, lang: Locale, catalog: Catalog): Promise<void> {
  const { path } = check;
  const response = await page.goto(path);
  expect(response?.status(), path).toBe(check.status);
  await expect(page.locator("html")).toHaveAttribute("lang", lang);
  await expect(page.locator("h1")).toHaveCount(1);
  await expect(page.locator("h1"), path).toHaveText(check.h1);
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
      for (const check of SIGNED_OUT_PAGES(catalog, lang)) {
        await checkPage(page, check, lang, catalog);
        if (lang === "en") await screenshot(page, testInfo, `en-${check.name}`);
      }
    });

    test("signed in, with a pull and medals", async ({ page }, testInfo) => {
      test.setTimeout(120_000);
      const catalog = await loadCatalog(page.request);
      await signUpFan(page.request, testInfo);
      await pullThroughApi(page.request, testInfo, catalog.gachaId, 10);
      for (const check of SIGNED_IN_PAGES(catalog, lang)) {
        await checkPage(page, check, lang, catalog);
        if (lang === "en") await screenshot(page, testInfo, `en-${check.name}`);
      }
    });
  });
}
