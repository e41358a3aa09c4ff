import { createHash } from "node:crypto";
import { expect, test } from "@playwright/test";
import { expectNoSeriousA11yViolations, firstGachaId, screenshot, signUpFan } from "./support";

/**
 * Commit–reveal from the fan's side: the seed hash read on the confirmation screen
 * before paying, a pull, the rotation that reveals the seed, and the verifier opened
 * from the history recomputing that pull in the browser with the network cut.
 */
test.describe("verifiable draws", () => {
  test("a fan reads the hash, pulls, reveals the seed and verifies the pull offline", async ({
    page,
    context,
  }, testInfo) => {
    test.setTimeout(120_000);
    await signUpFan(page.request, testInfo);
    const gachaId = await firstGachaId(page.request);

    await page.goto(`/gachas/${gachaId}/confirm?count=10`);
    await expect(page.getByRole("heading", { name: "抽選の公正性（コミット・リビール）" })).toBeVisible();
    const shownHash = (await page.getByTestId("seed-hash").textContent())!.trim();
    expect(shownHash).toMatch(/^[0-9a-f]{64}$/);
    const api = (await (await page.request.get("/api/me/fairness")).json()) as { fairness: { seedHash: string } };
    expect(api.fairness.seedHash).toBe(shownHash);

    await page.getByRole("button", { name: /を支払って/ }).click();
    const skip = page.getByRole("button", { name: "スキップ" });
    const results = page.getByRole("heading", { level: 1, name: "結果" });
    await expect(skip.or(results)).toBeVisible({ timeout: 15_000 });
    if (await skip.isVisible()) await skip.click();
    await expect(results).toBeVisible();

    await page.goto("/account#fairness");
    await expect(page.getByTestId("seed-hash")).toHaveText(shownHash);
    await page.getByRole("button", { name: "シードを公開して新しいシードにする" }).click();
    const revealed = page.getByTestId("revealed-seed");
    await expect(revealed).toHaveText(/^[0-9a-f]{64}$/);
    const seed = (await revealed.textContent())!.trim();
    expect(createHash("sha256").update(Buffer.from(seed, "hex")).digest("hex")).toBe(shownHash);
    await expect(page.getByTestId("seed-hash")).not.toHaveText(shownHash);

    await page.goto("/me/history?tab=pulls");
    const pull = page.getByTestId("pull-history").locator("li.history-pull").first();
    await expect(pull.locator("[data-nonce]")).toHaveText("0");
    await expect(pull.locator("[data-server-seed]")).toHaveText(seed);
    await pull.getByTestId("verify-link").click();

    await expect(page.getByRole("heading", { level: 1, name: "ガチャ結果の検証" })).toBeVisible();
    await expect(page.getByLabel("サーバーシード（16進64文字）")).toHaveValue(seed);
    await context.setOffline(true);
    await page.getByRole("button", { name: "検証する" }).click();
    await expect(page.getByTestId("verify-outcome")).toContainText("検証済み");
    await expect(page.getByRole("table").locator("tbody tr")).toHaveCount(10);

    // One changed byte of the seed, still offline: refused.
    const flipped = (parseInt(seed[0]!, 16) ^ 1).toString(16) + seed.slice(1);
    await page.getByLabel("サーバーシード（16進64文字）").fill(flipped);
    await page.getByRole("button", { name: "検証する" }).click();
    await expect(page.getByTestId("verify-outcome")).toContainText("検証できませんでした");
    await context.setOffline(false);

    await expectNoSeriousA11yViolations(page);
    await screenshot(page, testInfo, "verify");
  });
});
