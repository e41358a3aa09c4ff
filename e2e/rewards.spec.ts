import { randomUUID } from "node:crypto";
import fs from "node:fs/promises";
import { expect, test, type APIRequestContext, type Locator, type Page, type TestInfo } from "@playwright/test";
import {
  expectNoSeriousA11yViolations,
  firstGachaId,
  pullThroughApi,
  sameSite,
  screenshot,
  signUpFan,
} from "./support";

/**
 * The reward box (特典BOX): what it lists against the API, real playback of a voice clip
 * and a video, a real download, the image viewer, filters, cursor paging, the empty
 * box, a stale access cookie, and the way in for a signed-out visitor.
 */

interface ApiReward {
  id: string;
  title: string;
  kind: "voice" | "image" | "video";
  vtuber: { slug: string; name: string };
  source: "pull" | "exchange";
  mimeType: string;
  sizeBytes: number;
}

const EXTENSIONS: Record<string, string> = { "audio/wav": "wav", "image/png": "png", "video/webm": "webm" };

/** Every reward the API lists for the fan (all pages), newest first. */
async function apiRewards(request: APIRequestContext, filter = ""): Promise<ApiReward[]> {
  const rewards: ApiReward[] = [];
  let cursor: string | null = null;
  do {
    const query = [filter, cursor ? `before=${cursor}` : ""].filter(Boolean).join("&");
    const response = await request.get(`/api/me/rewards${query ? `?${query}` : ""}`);
    expect(response.status(), await response.text()).toBe(200);
    const page = (await response.json()) as { rewards: ApiReward[]; nextCursor: string | null };
    rewards.push(...page.rewards);
    cursor = page.nextCursor;
  } while (cursor);
  return rewards;
}

/** A 10-pull that waits out the gacha rate limit (10 a minute) instead of failing on it. */
async function pullTen(request: APIRequestContext, testInfo: TestInfo, gachaId: string): Promise<void> {
  const key = randomUUID();
  for (;;) {
    const response = await request.post(`/api/gachas/${gachaId}/pulls`, {
      data: { count: 10, paymentMethodId: "pm_card_visa" },
      headers: { ...sameSite(testInfo), "idempotency-key": key },
    });
    if (response.status() !== 429) {
      expect(response.status(), await response.text()).toBe(201);
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, Number(response.headers()["retry-after"] ?? 10) * 1000));
  }
}

/**
 * 10-pulls until the fan owns each kind asked for. In the demo campaigns one 10-pull
 * misses the video (SR) with probability ≈ 0.37 and the image (R) with ≈ 0.35, so twelve
 * bound it: all twelve missing one of them happens about once in 10^5 runs.
 */
const MAX_EXTRA_PULLS = 12;
async function pullUntilOwned(
  request: APIRequestContext,
  testInfo: TestInfo,
  gachaId: string,
  kinds: ApiReward["kind"][],
): Promise<ApiReward[]> {
  for (let pulls = 0; ; pulls++) {
    const rewards = await apiRewards(request);
    const owned = new Set(rewards.map((r) => r.kind));
    if (kinds.every((kind) => owned.has(kind))) return rewards;
    expect(pulls, `kinds owned after ${pulls} extra 10-pulls: ${[...owned].join(", ")}`).toBeLessThan(MAX_EXTRA_PULLS);
    await pullTen(request, testInfo, gachaId);
  }
}

function box(page: Page): Locator {
  return page.getByTestId("reward-box");
}

function item(page: Page, reward: ApiReward): Locator {
  return box(page).locator(`li[data-reward-id="${reward.id}"]`);
}

async function shownIds(page: Page): Promise<string[]> {
  return box(page)
    .locator("li[data-reward-id]")
    .evaluateAll((items) => items.map((li) => li.getAttribute("data-reward-id")!));
}

interface MediaState {
  paused: boolean;
  currentTime: number;
  error: number | null;
}

function mediaState(media: Locator): Promise<MediaState> {
  return media.evaluate((element: HTMLMediaElement) => ({
    paused: element.paused,
    currentTime: element.currentTime,
    error: element.error?.code ?? null,
  }));
}

/** Starts playback as the play button would; muted, so no autoplay rule can refuse it. */
async function play(media: Locator): Promise<MediaState> {
  return media.evaluate(async (element: HTMLMediaElement) => {
    element.muted = true;
    await element.play();
    return { paused: element.paused, currentTime: element.currentTime, error: element.error?.code ?? null };
  });
}

test.describe("reward box", () => {
  test("lists exactly the API's rewards, plays a voice clip and a video, downloads a file and shows an image", async ({
    page,
  }, testInfo) => {
    // Up to a dozen extra pulls (and a wait for the gacha limit), media playback and two axe scans.
    test.setTimeout(180_000);
    await signUpFan(page.request, testInfo);
    const gachaId = await firstGachaId(page.request);
    await pullThroughApi(page.request, testInfo, gachaId);
    const rewards = await pullUntilOwned(page.request, testInfo, gachaId, ["voice", "image", "video"]);

    await page.goto("/me/rewards");
    await expect(page.getByRole("heading", { level: 1, name: "特典BOX" })).toBeVisible();
    await expect(box(page).locator("li[data-reward-id]")).toHaveCount(rewards.length);
    expect(await shownIds(page)).toEqual(rewards.map((r) => r.id));
    for (const reward of rewards) {
      const li = item(page, reward);
      await expect(li).toHaveAttribute("data-kind", reward.kind);
      await expect(li.getByRole("heading", { level: 3 })).toHaveText(reward.title);
      await expect(li).toContainText(reward.vtuber.name);
      await expect(li).toContainText(reward.source === "pull" ? "ガチャ" : "交換");
    }
    await expectNoSeriousA11yViolations(page);
    await screenshot(page, testInfo, "rewards");

    // A voice clip plays for real: the signed file loads through the redirect and its clock moves.
    const voice = rewards.find((r) => r.kind === "voice")!;
    const audio = item(page, voice).locator("audio");
    await expect(audio).toHaveAttribute("aria-label", voice.title);
    await expect(audio).toHaveAttribute("preload", "none");
    expect((await play(audio)).paused).toBe(false);
    await expect.poll(async () => (await mediaState(audio)).currentTime).toBeGreaterThan(0);
    expect((await mediaState(audio)).error).toBeNull();

    // A download saves the file's own bytes under the reward's title.
    const link = item(page, voice).getByRole("link", { name: /^ダウンロード/ });
    await expect(link).toHaveAccessibleName(`ダウンロード （${voice.title}）`);
    await expect(link).toHaveAttribute("href", `/api/me/rewards/${voice.id}/download`);
    const [download] = await Promise.all([page.waitForEvent("download"), link.click()]);
    expect(download.suggestedFilename()).toBe(`${voice.title}.${EXTENSIONS[voice.mimeType]}`);
    expect((await fs.stat(await download.path())).size).toBe(voice.sizeBytes);

    // The image viewer: opens large with focus on its close button, closes on Esc and hands focus back.
    const image = rewards.find((r) => r.kind === "image")!;
    const thumbnail = item(page, image).getByRole("button", { name: image.title });
    await thumbnail.scrollIntoViewIfNeeded();
    await expect
      .poll(() => thumbnail.locator("img").evaluate((img: HTMLImageElement) => img.naturalWidth))
      .toBeGreaterThan(0);
    await thumbnail.click();
    const viewer = page.getByRole("dialog", { name: image.title });
    await expect(viewer).toBeVisible();
    await expect(viewer.getByRole("button", { name: "閉じる" })).toBeFocused();
    const large = viewer.getByRole("img", { name: image.title });
    await expect.poll(() => large.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBeGreaterThan(0);
    await expectNoSeriousA11yViolations(page);
    await screenshot(page, testInfo, "rewards-viewer");
    await page.keyboard.press("Escape");
    await expect(viewer).toBeHidden();
    await expect(thumbnail).toBeFocused();
    // The close button does the same.
    await page.keyboard.press("Enter");
    await expect(viewer).toBeVisible();
    await viewer.getByRole("button", { name: "閉じる" }).click();
    await expect(viewer).toBeHidden();
    await expect(thumbnail).toBeFocused();

    // A video plays: its clock keeps moving.
    const video = rewards.find((r) => r.kind === "video")!;
    const player = item(page, video).locator("video");
    await expect(player).toHaveAttribute("aria-label", video.title);
    await player.scrollIntoViewIfNeeded();
    expect((await play(player)).paused).toBe(false);
    await expect.poll(async () => (await mediaState(player)).currentTime).toBeGreaterThan(0.2);
    const first = (await mediaState(player)).currentTime;
    await expect.poll(async () => (await mediaState(player)).currentTime).toBeGreaterThan(first);
    expect((await mediaState(player)).error).toBeNull();
  });

  test("filters by kind and by VTuber, and pages back from a cursor", async ({ page }, testInfo) => {
    test.slow();
    await signUpFan(page.request, testInfo);
    const { gachas } = (await (await page.request.get("/api/gachas")).json()) as {
      gachas: { id: string; vtuber: { slug: string; name: string } }[];
    };
    // Three campaigns of three different VTubers (other specs may open more campaigns of one VTuber).
    const byVtuber = [...new Map(gachas.map((g) => [g.vtuber.slug, g])).values()];
    expect(byVtuber.length).toBeGreaterThanOrEqual(3);
    const [first, second, third] = byVtuber;
    await pullThroughApi(page.request, testInfo, first!.id);
    await pullThroughApi(page.request, testInfo, second!.id);
    const rewards = await apiRewards(page.request);

    await page.goto("/me/rewards");
    const kinds = page.getByRole("navigation", { name: "種類で絞り込む" });
    const vtubers = page.getByRole("navigation", { name: "VTuberで絞り込む" });
    await expect(kinds.getByRole("link", { name: "すべて" })).toHaveAttribute("aria-current", "page");
    const vtuberLinks = await vtubers.getByRole("link").allTextContents();
    expect(vtuberLinks[0]).toBe("すべて");
    expect(vtuberLinks.slice(1).sort()).toEqual([first!.vtuber.name, second!.vtuber.name].sort());

    await kinds.getByRole("link", { name: "ボイス" }).click();
    await expect(page).toHaveURL(/\/me\/rewards\?kind=voice$/);
    await expect(kinds.getByRole("link", { name: "ボイス" })).toHaveAttribute("aria-current", "page");
    await expect(kinds.getByRole("link", { name: "すべて" })).not.toHaveAttribute("aria-current");
    const voices = rewards.filter((r) => r.kind === "voice");
    await expect(box(page).locator("li[data-reward-id]")).toHaveCount(voices.length);
    expect(await shownIds(page)).toEqual(voices.map((r) => r.id));

    // The VTuber filter keeps the kind chosen.
    await vtubers.getByRole("link", { name: second!.vtuber.name }).click();
    await expect(page).toHaveURL(new RegExp(`/me/rewards\\?kind=voice&vtuber=${second!.vtuber.slug}$`));
    await expect(vtubers.getByRole("link", { name: second!.vtuber.name })).toHaveAttribute("aria-current", "page");
    const secondsVoices = voices.filter((r) => r.vtuber.slug === second!.vtuber.slug);
    await expect(box(page).locator("li[data-reward-id]")).toHaveCount(secondsVoices.length);
    expect(await shownIds(page)).toEqual(secondsVoices.map((r) => r.id));
    expect(await shownIds(page)).toEqual(
      (await apiRewards(page.request, `kind=voice&vtuber=${second!.vtuber.slug}`)).map((r) => r.id),
    );

    await kinds.getByRole("link", { name: "すべて" }).click();
    await expect(page).toHaveURL(new RegExp(`/me/rewards\\?vtuber=${second!.vtuber.slug}$`));
    expect(await shownIds(page)).toEqual(rewards.filter((r) => r.vtuber.slug === second!.vtuber.slug).map((r) => r.id));

    // A VTuber the fan owns nothing from: the filtered empty state, with a way back.
    await page.goto(`/me/rewards?vtuber=${third!.vtuber.slug}`);
    await expect(page.getByRole("main")).toContainText("この条件に合う特典はありません。");
    await expect(box(page)).toHaveCount(0);
    await page.getByRole("main").getByRole("link", { name: "すべての特典を見る" }).click();
    await expect(page).toHaveURL(/\/me\/rewards$/);
    await expect(box(page).locator("li[data-reward-id]")).toHaveCount(rewards.length);

    // Paging: a cursor shows exactly what comes after it, as the API pages it.
    expect(rewards.length).toBeGreaterThan(5);
    await expect(page.getByRole("link", { name: "もっと見る" })).toHaveCount(0);
    const cursor = rewards[4]!.id;
    await page.goto(`/me/rewards?before=${cursor}`);
    await expect(page.getByRole("heading", { level: 2, name: "特典一覧（続き）" })).toBeVisible();
    expect(await shownIds(page)).toEqual(rewards.slice(5).map((r) => r.id));
    expect(await shownIds(page)).toEqual((await apiRewards(page.request, `before=${cursor}`)).map((r) => r.id));
    await page.getByRole("link", { name: "最新の特典に戻る" }).click();
    await expect(page).toHaveURL(/\/me\/rewards$/);
    expect(await shownIds(page)).toEqual(rewards.map((r) => r.id));
  });

  test("renews an expired access cookie when a clip or a download needs it", async ({ page, context }, testInfo) => {
    await signUpFan(page.request, testInfo);
    const gachaId = await firstGachaId(page.request);
    await pullThroughApi(page.request, testInfo, gachaId);
    const voice = (await pullUntilOwned(page.request, testInfo, gachaId, ["voice"])).find((r) => r.kind === "voice")!;
    await page.goto("/me/rewards");
    const audio = item(page, voice).locator("audio");
    await expect(audio).toBeVisible();

    // The access cookie is gone after 15 minutes; the refresh cookie is still there.
    const dropAccessCookie = async () => {
      const names = (await context.cookies()).map((c) => c.name).filter((name) => name.endsWith("koepon_at"));
      expect(names).toHaveLength(1);
      await context.clearCookies({ name: names[0] });
    };
    await dropAccessCookie();
    const refreshed = page.waitForResponse((r) => r.url().endsWith("/api/auth/refresh") && r.status() === 200);
    await audio.evaluate((element: HTMLAudioElement) => {
      element.muted = true;
      // The first load fails (401): this play() is refused, the player's retry plays it.
      element.play().catch(() => undefined);
    });
    await refreshed;
    await expect.poll(async () => (await mediaState(audio)).currentTime).toBeGreaterThan(0);
    expect((await mediaState(audio)).error).toBeNull();
    await expect(item(page, voice).getByRole("alert")).toHaveCount(0);

    await dropAccessCookie();
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      item(page, voice)
        .getByRole("link", { name: /^ダウンロード/ })
        .click(),
    ]);
    expect((await fs.stat(await download.path())).size).toBe(voice.sizeBytes);
  });

  test("a new fan sees an empty box that points to the gachas", async ({ page }, testInfo) => {
    await signUpFan(page.request, testInfo);
    await page.goto("/me/rewards");
    await expect(page.getByRole("heading", { level: 1, name: "特典BOX" })).toBeVisible();
    await expect(page.getByRole("main")).toContainText(
      "まだ特典はありません。ガチャを引くか、推しメダルを交換すると、ここに届きます。",
    );
    await expect(box(page)).toHaveCount(0);
    await expect(page.getByRole("main").getByRole("link", { name: "開催中のガチャを見る" })).toHaveAttribute(
      "href",
      "/#campaigns",
    );
    await expectNoSeriousA11yViolations(page);
    await screenshot(page, testInfo, "rewards-empty");
  });

  test("a signed-out visitor is sent to login and back", async ({ page }) => {
    await page.goto("/me/rewards");
    await expect(page).toHaveURL(/\/login\?next=%2Fme%2Frewards$/);
  });
});
