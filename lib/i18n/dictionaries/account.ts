/**
 * Text of the sign-up, login and account pages and of the header's account links. Kept
 * apart from ja.ts/en.ts so these pages can grow without touching the shared dictionary.
 * Only strings: client forms receive their slice as props, and props cannot carry functions.
 */
import type { Locale } from "../locales";

const ja = {
  header: {
    accountNav: "アカウントメニュー",
    account: "マイページ",
    signIn: "ログイン",
    signUp: "新規登録",
    signOut: "ログアウト",
    rewards: "特典BOX",
    medals: "推しメダル",
    history: "履歴",
  },
  fields: {
    email: "メールアドレス",
    password: "パスワード",
    displayName: "表示名",
    birthdate: "生年月日",
    acceptTerms: "利用規約への同意",
    guardianConsent: "保護者の同意",
    voluntaryMonthlyLimitJpy: "月の上限額",
    required: "必須",
  },
  form: {
    fixFields: "確認が必要な項目：",
    newTab: "（新しいタブで開きます）",
  },
  passwordReasons: {
    too_short: "パスワードは8文字以上にしてください。",
    too_long: "パスワードは128文字以内にしてください。",
    common: "よく使われているパスワードのため、推測されやすくなっています。",
    repetitive: "同じ文字の繰り返しは使えません。",
    contains_email: "メールアドレスの一部を含むパスワードは使えません。",
    contains_service_name: "サービス名を含むパスワードは使えません。",
  },
  login: {
    title: "ログイン",
    submit: "ログイン",
    submitting: "ログインしています…",
    noAccount: "アカウントをお持ちでない方は",
    signUpLink: "新規登録",
  },
  signup: {
    title: "新規登録",
    lead: "登録は無料です。ガチャは1回ごとに日本円でお支払いいただきます。",
    passwordRule: "8〜128文字。よく使われるパスワードや、メールアドレス・サービス名を含むものは使えません。",
    displayNameRule: "サイト上で表示される名前です（1〜50文字）。",
    minorsNotice:
      "18歳未満の方は、保護者の同意を得てからご登録ください。ご利用金額には日本時間の暦月ごとに上限があります（16歳未満 ¥5,000、16〜17歳 ¥10,000）。",
    guardianConsent: "保護者の同意を得ています",
    termsBefore: "",
    termsLink: "利用規約",
    termsAnd: "と",
    privacyLink: "プライバシーポリシー",
    termsAfter: "に同意します",
    submit: "登録する",
    submitting: "登録しています…",
    haveAccount: "既にアカウントをお持ちの方は",
    signInLink: "ログイン",
  },
  account: {
    title: "マイページ",
    profileHeading: "プロフィール",
    ageBand: "年齢区分",
    ageBands: { under16: "16歳未満", "16to17": "16〜17歳", adult: "18歳以上" },
    spendingHeading: "今月のご利用状況",
    spend: "今月のご利用金額",
    limit: "今月の上限額",
    noLimit: "上限なし",
    remaining: "上限までの残り",
    spendNote: "日本時間の暦月ごとに集計しています。処理中のお支払いも含みます。",
    minorCapNote: "18歳未満の方の上限額は法令に沿って定めているため、変更できません。",
    limitHeading: "ご自身で決める月の上限額",
    limitLead: "使いすぎを防ぐために、月のご利用上限額を設定できます。変更はすぐに反映されます。",
    limitLabel: "月の上限額（円）",
    limitHint: "0〜10,000,000 の整数で入力してください。",
    saveLimit: "上限額を設定する",
    removeLimit: "上限額を解除する",
    saving: "保存しています…",
    limitSaved: "月の上限額を更新しました。",
    sessionsHeading: "ログイン状態",
    signOut: "ログアウト",
    signingOut: "ログアウトしています…",
    signOutEverywhere: "すべての端末からログアウト",
    signOutEverywhereNote: "スマートフォンやほかのブラウザを含め、すべての端末でログアウトします。",
  },
};

export type AccountMessages = typeof ja;

const en: AccountMessages = {
  header: {
    accountNav: "Account menu",
    account: "My page",
    signIn: "Sign in",
    signUp: "Sign up",
    signOut: "Sign out",
    rewards: "Reward box",
    medals: "Oshi medals",
    history: "History",
  },
  fields: {
    email: "Email",
    password: "Password",
    displayName: "Display name",
    birthdate: "Date of birth",
    acceptTerms: "Agreement to the terms",
    guardianConsent: "Guardian's consent",
    voluntaryMonthlyLimitJpy: "Monthly limit",
    required: "required",
  },
  form: {
    fixFields: "Please check: ",
    newTab: " (opens in a new tab)",
  },
  passwordReasons: {
    too_short: "Use at least 8 characters.",
    too_long: "Use at most 128 characters.",
    common: "This password is widely used and easy to guess.",
    repetitive: "A single repeated character cannot be used.",
    contains_email: "The password cannot contain part of your email address.",
    contains_service_name: "The password cannot contain the service's name.",
  },
  login: {
    title: "Sign in",
    submit: "Sign in",
    submitting: "Signing in…",
    noAccount: "New to Koepon!?",
    signUpLink: "Create an account",
  },
  signup: {
    title: "Sign up",
    lead: "Signing up is free. Each gacha pull is paid in yen when you make it.",
    passwordRule:
      "8 to 128 characters. Common passwords and ones containing your email address or the service's name cannot be used.",
    displayNameRule: "The name shown on the site (1 to 50 characters).",
    minorsNotice:
      "If you are under 18, get your parent's or guardian's consent before signing up. Spending is capped per calendar month in Japan time (under 16: ¥5,000; 16–17: ¥10,000).",
    guardianConsent: "My parent or guardian has consented",
    termsBefore: "I agree to the ",
    termsLink: "Terms of Service",
    termsAnd: " and the ",
    privacyLink: "Privacy Policy",
    termsAfter: "",
    submit: "Create account",
    submitting: "Creating your account…",
    haveAccount: "Already have an account?",
    signInLink: "Sign in",
  },
  account: {
    title: "My page",
    profileHeading: "Profile",
    ageBand: "Age group",
    ageBands: { under16: "Under 16", "16to17": "16–17", adult: "18 or over" },
    spendingHeading: "This month's spending",
    spend: "Spent this month",
    limit: "This month's limit",
    noLimit: "No limit",
    remaining: "Left before the limit",
    spendNote: "Counted per calendar month in Japan time, payments in progress included.",
    minorCapNote: "The limit for users under 18 follows the law and cannot be changed.",
    limitHeading: "Your own monthly limit",
    limitLead: "Set a monthly spending limit to keep your spending in check. Changes take effect at once.",
    limitLabel: "Monthly limit (yen)",
    limitHint: "A whole number from 0 to 10,000,000.",
    saveLimit: "Set limit",
    removeLimit: "Remove limit",
    saving: "Saving…",
    limitSaved: "Your monthly limit is updated.",
    sessionsHeading: "Sessions",
    signOut: "Sign out",
    signingOut: "Signing out…",
    signOutEverywhere: "Sign out on all devices",
    signOutEverywhereNote: "Signs you out everywhere, including your phone and other browsers.",
  },
};

export const accountMessages: Record<Locale, AccountMessages> = { ja, en };

export function accountMessagesFor(locale: Locale): AccountMessages {
  return accountMessages[locale];
}
