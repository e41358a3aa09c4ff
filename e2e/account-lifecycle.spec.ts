/**
 * The account lifecycle in Chromium: a password reset by mail read from the local
 * outbox, a password change that signs an old session (another browser) out on its next
 * request, an email change confirmed from the new mailbox, and the new pages axe-clean in
 * both languages. Fans are made by the fixtures (`signUpFan`), not through the form.
 */
import { expect, test } from "@playwright/test";
import { accountMessagesFor } from "../lib/i18n/dictionaries/account";
import {
  expectNoSeriousA11yViolations,
  mailedLink,
  PASSWORD,
  screenshot,
  signInThroughForm,
  signUpFan,
  uniqueEmail,
} from "./support";

const NEW_PASSWORD = "Yozora-Lantern-Parade-7";

test.describe("account lifecycle", () => {
  test("a fan who forgot the password resets it by mail from the outbox and signs in with the new one", async ({
    page,
    playwright,
  }, testInfo) => {
    test.slow();
    const api = await playwright.request.newContext({ baseURL: String(testInfo.project.use.baseURL) });
    const { email } = await signUpFan(api, testInfo);
    await api.dispose();

    await page.goto("/login");
    await page.getByRole("link", { name: "パスワードをお忘れの方" }).click();
    await expect(page).toHaveURL(/\/reset-password$/);
    await expect(page.getByRole("heading", { level: 1, name: "パスワードの再設定" })).toBeVisible();
    await expectNoSeriousA11yViolations(page);
    await screenshot(page, testInfo, "reset-password");

    await page.getByLabel("メールアドレス").fill(email);
    await page.getByRole("button", { name: "再設定メールを送る" }).click();
    await expect(page.getByRole("status")).toContainText("再設定用のメールを送りました");

    // The mail, as the developer reads it in the local outbox.
    await page.goto(`/dev/outbox?${new URLSearchParams({ to: email })}`);
    await expectNoSeriousA11yViolations(page);
    await page.getByRole("link", { name: "【こえポン！】パスワードの再設定" }).click();
    await expect(page.getByRole("region", { name: "本文 / Text" })).toContainText("リンクは30分間、1回だけ有効です。");
    await page.getByRole("link", { name: /\/reset-password\?token=/ }).click();

    await expect(page.getByLabel("新しいパスワード")).toBeVisible();
    await expectNoSeriousA11yViolations(page);
    await page.getByLabel("新しいパスワード").fill("password");
    await page.getByRole("button", { name: "パスワードを再設定する" }).click();
    await expect(page.getByRole("main").getByRole("alert")).toContainText("このパスワードは使用できません。");
    await page.getByLabel("新しいパスワード").fill(NEW_PASSWORD);
    await page.getByRole("button", { name: "パスワードを再設定する" }).click();
    await expect(page.getByRole("status")).toContainText("パスワードを再設定しました。");
    const usedLink = page.url();

    await page.getByRole("link", { name: "ログインする" }).click();
    await signInThroughForm(page, email, PASSWORD);
    await expect(page.getByRole("main").getByRole("alert")).toHaveText(
      "メールアドレスまたはパスワードが正しくありません。",
    );
    await signInThroughForm(page, email, NEW_PASSWORD);
    await expect(page).toHaveURL(/\/$/);

    // The link worked once.
    await page.goto(usedLink);
    await page.getByLabel("新しいパスワード").fill("another-fine-Passphrase-9");
    await page.getByRole("button", { name: "パスワードを再設定する" }).click();
    await expect(page.getByRole("main").getByRole("alert")).toContainText(
      "このリンクは無効か、期限切れか、既に使われています。",
    );
  });

  test("changing the password signs the fan's other browser out on its next request, this one stays", async ({
    page,
    browser,
  }, testInfo) => {
    test.slow();
    const { email } = await signUpFan(page.request, testInfo);
    const other = await browser.newContext();
    const otherPage = await other.newPage();
    await otherPage.goto("/login");
    await signInThroughForm(otherPage, email, PASSWORD);
    await expect(otherPage).toHaveURL(/\/$/);
    await otherPage.goto("/account");
    await expect(otherPage.getByRole("heading", { level: 1, name: "マイページ" })).toBeVisible();

    await page.goto("/account");
    const security = page.getByRole("region", { name: "ログインとセキュリティ" });
    await expect(security).toBeVisible();
    await expectNoSeriousA11yViolations(page);
    await screenshot(page, testInfo, "account-security");
    await security.getByLabel("現在のパスワード").first().fill("not the password");
    await security.getByLabel("新しいパスワード").fill(NEW_PASSWORD);
    await security.getByRole("button", { name: "パスワードを変更する" }).click();
    await expect(security.getByRole("alert").first()).toContainText("現在のパスワードが正しくありません。");
    await security.getByLabel("現在のパスワード").first().fill(PASSWORD);
    await security.getByRole("button", { name: "パスワードを変更する" }).click();
    await expect(security.getByRole("status").first()).toHaveText(
      "パスワードを変更しました。ほかの端末ではログアウトされました。",
    );

    // The other browser's next request finds its session gone.
    await otherPage.goto("/account");
    await expect(otherPage).toHaveURL(/\/login\?next=%2Faccount$/);
    // This one carries on.
    await page.goto("/account");
    await expect(page.getByRole("heading", { level: 1, name: "マイページ" })).toBeVisible();
    await other.close();
  });

  test("an email change waits for the link mailed to the new address", async ({ page }, testInfo) => {
    test.slow();
    const { email } = await signUpFan(page.request, testInfo);
    const newEmail = uniqueEmail(testInfo);
    await page.goto("/account");
    const security = page.getByRole("region", { name: "ログインとセキュリティ" });
    await security.getByLabel("新しいメールアドレス").fill(newEmail);
    await security.getByLabel("現在のパスワード").last().fill(PASSWORD);
    await security.getByRole("button", { name: "確認メールを送る" }).click();
    await expect(security.getByText(`確認待ちの新しいアドレス：${newEmail}`)).toBeVisible();
    await expect(page.getByRole("region", { name: "プロフィール" }).getByText(email)).toBeVisible();

    await page.goto(await mailedLink(page.request, newEmail, "/verify-email"));
    await expect(page.getByText(`アカウントのメールアドレスを ${newEmail} に変更します。`)).toBeVisible();
    await page.getByRole("button", { name: "確認する" }).click();
    await expect(page.getByRole("status")).toContainText(`メールアドレスを ${newEmail} に変更しました。`);
    await page.goto("/account");
    await expect(page.getByRole("region", { name: "プロフィール" }).getByText(newEmail)).toBeVisible();
  });

  for (const lang of ["ja", "en"] as const) {
    test(`the new pages are axe-clean in ${lang}`, async ({ page, context, baseURL }, testInfo) => {
      test.slow();
      const t = accountMessagesFor(lang);
      await context.addCookies([{ name: "lang", value: lang, url: baseURL! }]);
      await page.goto("/reset-password");
      await expect(page.getByRole("heading", { level: 1, name: t.reset.title })).toBeVisible();
      await expectNoSeriousA11yViolations(page);
      await page.goto("/reset-password?token=not-a-real-token");
      await expect(page.getByLabel(t.fields.newPassword)).toBeVisible();
      await expectNoSeriousA11yViolations(page);
      await page.goto("/verify-email?token=not-a-real-token");
      await expect(page.getByRole("main").getByRole("alert")).toContainText(t.verify.invalid);
      await expectNoSeriousA11yViolations(page);

      await signUpFan(page.request, testInfo, { verified: false });
      await page.goto("/account");
      await expect(page.getByRole("region", { name: t.account.emailStatus })).toContainText(t.account.unverifiedNote);
      await expectNoSeriousA11yViolations(page);
      await screenshot(page, testInfo, `account-unverified-${lang}`);
    });
  }
});
