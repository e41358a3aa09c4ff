/**
 * Text of the account page's saved cards, data export and account deletion sections.
 * Only strings: the client forms receive their slice as props.
 */
import type { Locale } from "../locales";

const ja = {
  cards: {
    heading: "お支払い方法",
    empty: "登録済みのカードはありません。初回のお支払い（Stripe の決済画面）で入力したカードが登録されます。",
    sandboxNote: "テスト環境です。このテスト用カードで支払いを試せます（実際の請求はありません）。",
    stripeNote: "登録済みのカードは、あなたのアカウントでのお支払いにだけ使えます。",
    expires: "有効期限",
    unavailable: "カード情報を読み込めませんでした。時間をおいて再度お試しください。",
  },
  exportData: {
    heading: "データのダウンロード",
    lead: "プロフィール、購入・ガチャ履歴、推しメダル、交換、特典、ログイン履歴を JSON ファイルでダウンロードできます。",
    button: "データをダウンロード",
    pending: "準備しています…",
    done: "ダウンロードを開始しました。",
    reauthLead: "安全のため、ダウンロードにはログインし直しが必要です（ログインから15分以内）。",
    reauthButton: "ログインし直す",
  },
  deleteAccount: {
    heading: "アカウントの削除",
    lead: "アカウントを削除すると、ログインできなくなり、特典BOXや推しメダルも使えなくなります。元に戻すことはできません。",
    keptNote:
      "法令により、購入とお支払いの記録は個人を特定できない形で保存されます。メールアドレス・表示名などの個人情報は削除されます。",
    start: "アカウントを削除する…",
    confirmHeading: "本当に削除しますか？",
    password: "現在のパスワード",
    confirmation: "確認のため「削除します」と入力してください",
    confirmationHint: "英語の場合は DELETE と入力してください。",
    submit: "アカウントを完全に削除する",
    pending: "削除しています…",
    cancel: "やめる",
  },
};

export type AccountDataMessages = typeof ja;

const en: AccountDataMessages = {
  cards: {
    heading: "Payment methods",
    empty: "No saved cards. The card you enter at your first payment (Stripe's checkout page) is saved.",
    sandboxNote: "Test environment: pay with this test card (nothing is charged).",
    stripeNote: "Your saved cards can only be used for payments from your account.",
    expires: "Expires",
    unavailable: "Your cards could not be loaded. Please try again later.",
  },
  exportData: {
    heading: "Download your data",
    lead: "Download your profile, purchases and pulls, oshi medals, exchanges, rewards and sign-in history as a JSON file.",
    button: "Download my data",
    pending: "Preparing…",
    done: "Your download has started.",
    reauthLead: "For your security, sign in again to download (within 15 minutes of signing in).",
    reauthButton: "Sign in again",
  },
  deleteAccount: {
    heading: "Delete account",
    lead: "Deleting your account signs you out for good; your reward box and oshi medals can no longer be used. This cannot be undone.",
    keptNote:
      "By law, records of purchases and payments are kept in a form that no longer identifies you. Your email address, display name and other personal data are erased.",
    start: "Delete my account…",
    confirmHeading: "Delete your account?",
    password: "Current password",
    confirmation: "Type DELETE to confirm",
    confirmationHint: "In Japanese, type 削除します.",
    submit: "Delete my account permanently",
    pending: "Deleting…",
    cancel: "Cancel",
  },
};

const accountDataMessages: Record<Locale, AccountDataMessages> = { ja, en };

export function accountDataMessagesFor(locale: Locale): AccountDataMessages {
  return accountDataMessages[locale];
}
