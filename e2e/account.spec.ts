import { expect, test, type Page } from "@playwright/test";
import {
  expectNoSeriousA11yViolations,
  mailedLink,
  PASSWORD,
  screenshot,
  signInThroughForm,
  uniqueEmail,
} from "./support";

const JST_OFFSET_MS = 9 * 3_600_000;

/** A birthdate that makes someone `years` old today in Japan. */
function birthdateForAge(years: number): string {
  const today = new Date(Date.now() + JST_OFFSET_MS).toISOString().slice(0, 10);
  // 29 February exists only in leap years; a day earlier is still the same age band.
  const monthDay = today.slice(4) === "-02-29" ? "-02-28" : today.slice(4);
  return `${Number(today.slice(0, 4)) - years}${monthDay}`;
}

async function fillSignup(page: Page, fields: { email: string; displayName: string; birthdate: string }) {
  await page.getByLabel("メールアドレス").fill(fields.email);
  await page.getByLabel("パスワード").fill(PASSWORD);
  await page.getByLabel("表示名").fill(fields.displayName);
  await page.getByLabel("生年月日").fill(fields.birthdate);
  await page.getByRole("checkbox", { name: /利用規約.*同意します/ }).check();
}

test.describe("accounts", () => {
  test("a new fan signs up, confirms the address by mail, signs in, out and in again and reads their account", async ({
    page,
    context,
  }, testInfo) => {
    const email = uniqueEmail(testInfo);
    // The whole account journey in one test: longer than the default budget when the suite runs in parallel.
    test.slow();
    const displayName = `ほしぞらファン${testInfo.project.name}`;
    const header = page.getByRole("banner");

    await page.goto("/signup");
    await expect(page.getByRole("heading", { level: 1, name: "新規登録" })).toBeVisible();
    await expect(
      page.getByText("18歳未満の方は、保護者の同意を得てからご登録ください。", { exact: false }),
    ).toBeVisible();
    await expectNoSeriousA11yViolations(page);
    await screenshot(page, testInfo, "signup");

    await fillSignup(page, { email, displayName, birthdate: "1995-04-01" });
    await expect(page.getByRole("checkbox", { name: /保護者の同意を得ています/ })).toHaveCount(0);
    await page.getByRole("button", { name: "登録する" }).click();

    // Nobody is signed in by signing up: the form ends on "check your mail".
    await expect(page.getByRole("main").getByRole("status")).toContainText("確認メールを送信しました");
    await expect(header.getByRole("link", { name: "ログイン" })).toBeVisible();
    await page.goto(await mailedLink(page.request, email, "/verify-email"));
    await expect(page.getByText(`${email} を、こえポン！のアカウントのメールアドレスとして確認します。`)).toBeVisible();
    await expectNoSeriousA11yViolations(page);
    await page.getByRole("button", { name: "確認する" }).click();
    await expect(page.getByRole("status")).toContainText("メールアドレスを確認しました。");
    await page.getByRole("link", { name: "ログインする" }).click();
    await expect(page).toHaveURL(/\/login$/);
    await signInThroughForm(page, email);
    await expect(page).toHaveURL(/\/$/);
    await expect(header.getByRole("link", { name: new RegExp(displayName) })).toBeVisible();

    await header.getByRole("button", { name: "ログアウト" }).click();
    await expect(header.getByRole("link", { name: "ログイン" })).toBeVisible();
    await expect(header.getByRole("link", { name: new RegExp(displayName) })).toHaveCount(0);

    await header.getByRole("link", { name: "ログイン" }).click();
    await expect(page).toHaveURL(/\/login$/);
    await signInThroughForm(page, email);
    await expect(page).toHaveURL(/\/$/);

    await header.getByRole("link", { name: new RegExp(displayName) }).click();
    await expect(page).toHaveURL(/\/account$/);
    await expect(page.getByRole("heading", { level: 1, name: "マイページ" })).toBeVisible();
    const profile = page.getByRole("region", { name: "プロフィール" });
    await expect(profile.getByText(email)).toBeVisible();
    await expect(profile.getByText("18歳以上")).toBeVisible();
    const spending = page.getByRole("region", { name: "今月のご利用状況" });
    await expect(spending.getByText("¥0")).toBeVisible();
    await expect(spending.getByText("上限なし")).toBeVisible();
    await expectNoSeriousA11yViolations(page);
    await screenshot(page, testInfo, "account");

    // An access cookie past its 15 minutes is gone from the browser: the form's request
    // must renew the session from the refresh cookie and go through all the same.
    await context.clearCookies({ name: "koepon_at" });
    const limit = page.getByRole("region", { name: "ご自身で決める月の上限額" });
    await limit.getByLabel("月の上限額（円）").fill("3,000");
    await limit.getByRole("button", { name: "上限額を設定する" }).click();
    await expect(limit.getByRole("status")).toHaveText("月の上限額を更新しました。");
    await expect(spending.getByText("¥3,000").first()).toBeVisible();
    expect((await context.cookies()).some((c) => c.name === "koepon_at")).toBe(true);
    await limit.getByLabel("月の上限額（円）").fill("たくさん");
    await limit.getByRole("button", { name: "上限額を設定する" }).click();
    await expect(limit.getByRole("alert")).toContainText("入力内容に誤りがあります。");
    await limit.getByRole("button", { name: "上限額を解除する" }).click();
    await expect(spending.getByText("上限なし")).toBeVisible();

    await page.getByRole("main").getByRole("button", { name: "すべての端末からログアウト" }).click();
    await expect(header.getByRole("link", { name: "ログイン" })).toBeVisible();
    await page.goto("/account");
    await expect(page).toHaveURL(/\/login\?next=%2Faccount$/);
  });

  test("a wrong password is refused with the API's sentence", async ({ page }, testInfo) => {
    await page.goto("/login");
    await expect(page.getByRole("heading", { level: 1, name: "ログイン" })).toBeVisible();
    await expectNoSeriousA11yViolations(page);
    await screenshot(page, testInfo, "login");

    await page.getByLabel("メールアドレス").fill(uniqueEmail(testInfo));
    await page.getByLabel("パスワード").fill("not-the-password-1");
    await page.getByRole("button", { name: "ログイン" }).click();

    await expect(page.getByRole("main").getByRole("alert")).toHaveText(
      "メールアドレスまたはパスワードが正しくありません。",
    );
    await expect(page.getByLabel("パスワード")).toHaveAttribute("aria-invalid", "true");
    await expect(page).toHaveURL(/\/login$/);
    await expectNoSeriousA11yViolations(page);
  });

  test("a fan under 16 must confirm a guardian's consent, then gets the under-16 cap", async ({ page }, testInfo) => {
    const email = uniqueEmail(testInfo);
    await page.goto("/signup");
    await fillSignup(page, {
      email,
      displayName: "こどもファン",
      birthdate: birthdateForAge(12),
    });
    const consent = page.getByRole("checkbox", { name: /保護者の同意を得ています/ });
    await expect(consent).toBeVisible();
    await screenshot(page, testInfo, "signup-minor");

    await page.getByRole("button", { name: "登録する" }).click();
    await expect(page.getByRole("main").getByRole("alert")).toContainText("未成年の方は保護者の同意が必要です。");
    await expect(page).toHaveURL(/\/signup$/);
    await expectNoSeriousA11yViolations(page);

    await consent.check();
    await page.getByRole("button", { name: "登録する" }).click();
    await expect(page.getByRole("main").getByRole("status")).toContainText("確認メールを送信しました");
    // Signing in works before the address is confirmed; only paying waits for it.
    await page.goto("/login");
    await signInThroughForm(page, email);
    await expect(page).toHaveURL(/\/$/);

    await page.goto("/account");
    await expect(page.getByRole("region", { name: "プロフィール" }).getByText("16歳未満")).toBeVisible();
    const spending = page.getByRole("region", { name: "今月のご利用状況" });
    await expect(spending.getByText("¥5,000").first()).toBeVisible();
    await expect(page.getByRole("region", { name: "ご自身で決める月の上限額" })).toHaveCount(0);
  });

  test("a signed-out visit to the account page signs in and comes back", async ({ page, request }, testInfo) => {
    const email = uniqueEmail(testInfo);
    const signup = await request.post("/api/auth/signup", {
      data: { email, password: PASSWORD, displayName: "もどるファン", birthdate: "1990-01-15", acceptTerms: true },
    });
    expect(signup.status()).toBe(202);

    await page.goto("/account");
    await expect(page).toHaveURL(/\/login\?next=%2Faccount$/);
    await signInThroughForm(page, email);

    await expect(page).toHaveURL(/\/account$/);
    await expect(page.getByRole("region", { name: "プロフィール" }).getByText(email)).toBeVisible();
  });
});
