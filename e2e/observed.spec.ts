import { expect, test } from "@playwright/test";
import { gachaMessages } from "../lib/i18n/dictionaries/gacha";
import { observedMessages } from "../lib/i18n/dictionaries/observed";
import { expectNoSeriousA11yViolations, pullThroughApi, screenshot, signUpFan } from "./support";

/**
 * The observed-versus-disclosed page: reached from the odds page, 200 with its heading,
 * its tables once draws are counted, axe-clean in both languages. A fan's 10-pull shows
 * up after the next run of the rollups job (the in-process scheduler, every minute).
 */

interface Observed {
  draws: { total: number; currentTable: number };
  slots: { slot: string; draws: number }[];
}

async function lastGachaId(request: import("@playwright/test").APIRequestContext): Promise<string> {
  const list = (await (await request.get("/api/gachas")).json()) as { gachas: { id: string }[] };
  return list.gachas.at(-1)!.id;
}

test.describe("observed rates", () => {
  test("a fan's 10-pull is counted, and the page shows it in its tables, axe-clean in Japanese and English", async ({
    page,
    browser,
    context,
  }, testInfo) => {
    test.setTimeout(240_000);
    const gachaId = await lastGachaId(page.request);
    const read = async () =>
      ((await (await page.request.get(`/api/gachas/${gachaId}/observed`)).json()) as { observed: Observed }).observed;
    const before = await read();

    // A signed-in fan in a context of their own: the page itself is looked at signed out.
    const fanContext = await browser.newContext();
    await signUpFan(fanContext.request, testInfo);
    await pullThroughApi(fanContext.request, testInfo, gachaId, 10);
    await fanContext.close();

    await expect
      .poll(async () => (await read()).draws.total, { timeout: 200_000, intervals: [5_000] })
      .toBeGreaterThanOrEqual(before.draws.total + 10);

    await page.goto(`/gachas/${gachaId}/odds`);
    await page.getByRole("link", { name: observedMessages.ja.linkFromOdds }).click();
    await expect(page).toHaveURL(new RegExp(`/gachas/${gachaId}/observed$`));
    const response = await page.reload();
    expect(response?.status()).toBe(200);

    const t = observedMessages.ja;
    await expect(page.getByRole("heading", { level: 1 })).toContainText(t.heading);
    const total = Number(await page.getByTestId("observed-total").getAttribute("data-draws"));
    expect(total).toBeGreaterThanOrEqual(before.draws.total + 10);
    const regular = page.getByRole("table", { name: t.rarityCaption(t.slotHeading.regular) });
    await expect(regular).toBeVisible();
    // N, R, SR and SSR, each with its counted draws; they add up to the slot's draws.
    await expect(regular.locator("tbody tr")).toHaveCount(4);
    const counts = await regular
      .locator("tbody tr")
      .evaluateAll((rows) => rows.map((r) => Number(r.getAttribute("data-draws"))));
    const slotDraws = Number(await page.getByTestId("observed-regular-draws").getAttribute("data-draws"));
    expect(counts.reduce((a, b) => a + b, 0)).toBe(slotDraws);
    await expect(page.getByRole("table", { name: t.rarityCaption(t.slotHeading.guaranteed) })).toBeVisible();
    await expect(page.getByRole("heading", { level: 2, name: t.explainHeading })).toBeVisible();
    await expectNoSeriousA11yViolations(page);
    await screenshot(page, testInfo, "observed-ja");

    await context.addCookies([{ name: "lang", value: "en", url: page.url() }]);
    await page.reload();
    await expect(page.locator("html")).toHaveAttribute("lang", "en");
    await expect(page.getByRole("heading", { level: 1 })).toContainText(observedMessages.en.heading);
    await expect(page.getByRole("table").first()).toBeVisible();
    await expectNoSeriousA11yViolations(page);
  });

  test("an unknown campaign shows the gacha's not-found notice", async ({ page }) => {
    // The page streams behind the campaign's loading state, so the notice, not the status, is what to check.
    await page.goto("/gachas/00000000-0000-4000-8000-000000000000/observed");
    await expect(page.getByRole("heading", { level: 1, name: gachaMessages.ja.campaign.notFoundTitle })).toBeVisible();
    await expect(page.getByTestId("observed-total")).toHaveCount(0);
  });
});
