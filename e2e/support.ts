/**
 * What several specs need: same-site headers for API calls made beside the page, a
 * fresh fan, the axe-core check and the screenshots every main page leaves behind.
 */
import { randomUUID } from "node:crypto";
import path from "node:path";
import AxeBuilder from "@axe-core/playwright";
import { expect, type APIRequestContext, type Page, type TestInfo } from "@playwright/test";

/** Long, uncommon, free of the email and the service's name: what the password rules accept. */
export const PASSWORD = "Hoshizora-Melody-42";

/** Headers a same-site browser request carries: cookie-authenticated writes need them (CSRF). */
export function sameSite(testInfo: TestInfo): Record<string, string> {
  return { origin: String(testInfo.project.use.baseURL), "sec-fetch-site": "same-origin" };
}

/** Unique per run, project and test, so the desktop and mobile runs never share an account. */
export function uniqueEmail(testInfo: TestInfo): string {
  return `fan-${testInfo.project.name}-${randomUUID()}@example.com`;
}

/**
 * The newest link to `pagePath` (e.g. "/verify-email") mailed to `email`, as a path with
 * its query, read from the server's local outbox pages (`/dev/outbox`, which answers
 * clients on the server's machine). Mail is written just after the API answers, so this
 * looks again for a few seconds.
 */
export async function mailedLink(request: APIRequestContext, email: string, pagePath: string): Promise<string> {
  for (let attempt = 0; attempt < 40; attempt++) {
    const list = await request.get(`/dev/outbox?${new URLSearchParams({ to: email })}`);
    expect(list.status(), "the local outbox page").toBe(200);
    for (const [, id] of (await list.text()).matchAll(/href="\/dev\/outbox\/([0-9a-f-]{36})"/g)) {
      const mail = await (await request.get(`/dev/outbox/${id}`)).text();
      const link = new RegExp(`href="https?://[^/"]+(${pagePath}\\?token=[A-Za-z0-9_-]+)"`).exec(mail);
      if (link) return link[1]!;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`no link to ${pagePath} was mailed to ${email}`);
}

/**
 * Signs up a new fan through the API (an adult unless `age` says otherwise; a minor with
 * a guardian's consent), opens the verification link mailed to them (paying needs a
 * verified address) and signs in; the request context keeps its cookies. `verified:
 * false` leaves the address unconfirmed.
 */
export async function signUpFan(
  request: APIRequestContext,
  testInfo: TestInfo,
  options: { age?: number; verified?: boolean } = {},
): Promise<{ email: string }> {
  const email = uniqueEmail(testInfo);
  const minor = options.age !== undefined && options.age < 18;
  // Born on 1 January: `age` all year (one more in the hours when Japan is already in the next year).
  const birthdate = options.age === undefined ? "1995-05-05" : `${new Date().getFullYear() - options.age}-01-01`;
  const response = await request.post("/api/auth/signup", {
    data: {
      email,
      password: PASSWORD,
      displayName: "テストファン",
      birthdate,
      acceptTerms: true,
      ...(minor ? { guardianConsent: true } : {}),
    },
    headers: sameSite(testInfo),
  });
  expect(response.status(), await response.text()).toBe(202);
  if (options.verified !== false) {
    const token = new URLSearchParams((await mailedLink(request, email, "/verify-email")).split("?")[1]).get("token");
    const verified = await request.post("/api/auth/verify-email", { data: { token }, headers: sameSite(testInfo) });
    expect(verified.status(), await verified.text()).toBe(200);
  }
  const login = await request.post("/api/auth/login", {
    data: { email, password: PASSWORD },
    headers: sameSite(testInfo),
  });
  expect(login.status(), await login.text()).toBe(200);
  return { email };
}

/** Fills and sends the login form the page shows. */
export async function signInThroughForm(page: Page, email: string, password = PASSWORD): Promise<void> {
  await page.getByLabel("メールアドレス").fill(email);
  await page.getByLabel("パスワード").fill(password);
  await page.getByRole("button", { name: "ログイン" }).click();
}

export interface ApiPull {
  id: string;
  results: { itemId: string; name: string; rarity: string; kind: string }[];
  medalsEarned: number;
  medalBalance: number;
}

/** Pays for a pull with the sandbox's always-succeeding test card, through the API. */
export async function pullThroughApi(
  request: APIRequestContext,
  testInfo: TestInfo,
  gachaId: string,
  count: 1 | 10 = 10,
): Promise<ApiPull> {
  const response = await request.post(`/api/gachas/${gachaId}/pulls`, {
    data: { count, paymentMethodId: "pm_card_visa" },
    headers: { ...sameSite(testInfo), "idempotency-key": randomUUID() },
  });
  expect(response.status(), await response.text()).toBe(201);
  return ((await response.json()) as { pull: ApiPull }).pull;
}

/** The id of the first active campaign in the catalog. */
export async function firstGachaId(request: APIRequestContext): Promise<string> {
  const list = (await (await request.get("/api/gachas")).json()) as { gachas: { id: string }[] };
  return list.gachas[0]!.id;
}

export async function expectNoSeriousA11yViolations(page: Page): Promise<void> {
  const { violations } = await new AxeBuilder({ page }).analyze();
  const serious = violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  expect(serious.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`)).toEqual([]);
}

/**
 * The page never scrolls sideways: wide tables scroll inside their own box. Compared with
 * the root's clientWidth, not innerWidth: a phone widens its layout viewport (innerWidth)
 * to fit content that overflows, zooming the whole page out, so innerWidth hides it.
 */
export async function expectNoSidewaysScroll(page: Page): Promise<void> {
  const overflow = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    clientWidth: document.documentElement.clientWidth,
  }));
  expect(
    overflow.scrollWidth,
    `the page is ${overflow.scrollWidth}px wide in ${overflow.clientWidth}px`,
  ).toBeLessThanOrEqual(overflow.clientWidth);
}

/**
 * A full-page screenshot under e2e/screenshots/<project>/, one folder per viewport, of a
 * page that does not scroll sideways.
 */
export async function screenshot(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  await expectNoSidewaysScroll(page);
  const file = path.join(testInfo.project.testDir, "screenshots", testInfo.project.name, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
}
