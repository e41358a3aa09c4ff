/**
 * Text of the purchase and pull history page (/me/history). Kept apart from ja.ts/en.ts
 * so the page can grow without touching the shared dictionaries. A server page only, so
 * entries may be functions.
 */
import type { PurchaseStatus } from "@/lib/payments/purchase-history";
import type { Locale } from "../locales";

const ja = {
  title: "購入・ガチャ履歴",
  lead: "お支払いの記録と、引いたガチャの結果です。",
  spendHeading: "今月のご利用状況",
  spendNote: "日本時間の暦月ごとに集計しています。処理中のお支払いも含み、失敗したお支払いは含みません。",
  accountLink: "月の上限額の確認・設定はマイページへ",
  tabsLabel: "履歴の種類",
  tabs: { purchases: "購入履歴", pulls: "ガチャ履歴" },
  purchases: {
    caption: "購入履歴（新しい順）",
    colDate: "日時（日本時間）",
    colCampaign: "ガチャ",
    colContent: "内容",
    colAmount: "金額（税込）",
    colStatus: "状態",
    empty: "まだ購入履歴はありません。",
  },
  count: { 1: "単発", 10: "10連" } as Record<1 | 10, string>,
  status: {
    fulfilled: "完了",
    pending: "処理中",
    paid: "支払い済み・抽選待ち",
    failed: "失敗",
    refunded: "返金済み",
  } satisfies Record<PurchaseStatus, string>,
  failedWithReason: (reason: string) => `失敗（${reason}）`,
  notCharged: "お支払いは行われていません。",
  paidNotDrawn: "抽選が終わると結果が特典BOXに入ります。",
  refundedNote: "ご利用金額は返金されました。",
  // Lost and stolen cards read as a plain decline: the card's owner learns more from the issuer.
  failureReasons: {
    card_declined: "カードが拒否されました",
    lost_card: "カードが拒否されました",
    stolen_card: "カードが拒否されました",
    generic_decline: "カードが拒否されました",
    do_not_honor: "カードが拒否されました",
    insufficient_funds: "残高不足",
    expired_card: "カードの有効期限切れ",
    incorrect_cvc: "セキュリティコードの誤り",
    processing_error: "カード会社での処理エラー",
    authentication_required: "本人認証が完了しませんでした",
    payment_method_invalid: "お支払い方法が無効でした",
    async_payment_failed: "お支払いが完了しませんでした",
    checkout_expired: "お支払い手続きの期限切れ",
    expired: "お支払いが時間内に完了しませんでした",
  } as Record<string, string>,
  otherFailure: "お支払いができませんでした",
  pulls: {
    listLabel: "ガチャ履歴（新しい順）",
    date: "日時（日本時間）",
    content: "内容",
    amount: "金額（税込）",
    medals: "獲得した推しメダル",
    medalsValue: (n: number) => `${n}枚`,
    rateTable: "排出率テーブル",
    rateTableVersion: (version: number | null) => (version === null ? "版不明" : `第${version}版`),
    oddsLink: "このガチャの排出率を見る",
    resultsLabel: (count: number) => `結果（${count}件）`,
    guaranteed: "SR以上確定枠",
    empty: "まだガチャを引いた履歴はありません。",
  },
  unknownCampaign: "（名称不明のガチャ）",
  campaignsLink: "開催中のガチャを見る",
  noOlder: "これより前の履歴はありません。",
  more: "さらに表示",
  newest: "最新の履歴に戻る",
};

export type HistoryMessages = typeof ja;

const en: HistoryMessages = {
  title: "Purchase and pull history",
  lead: "Your payments and the results of the gacha you pulled.",
  spendHeading: "This month's spending",
  spendNote: "Counted per calendar month in Japan time, payments in progress included and failed payments not counted.",
  accountLink: "See or set your monthly limit on My page",
  tabsLabel: "Kind of history",
  tabs: { purchases: "Purchases", pulls: "Pulls" },
  purchases: {
    caption: "Purchases, newest first",
    colDate: "Date (Japan time)",
    colCampaign: "Gacha",
    colContent: "Pulls",
    colAmount: "Amount (tax incl.)",
    colStatus: "Status",
    empty: "You have not bought anything yet.",
  },
  count: { 1: "Single", 10: "10-pull" },
  status: {
    fulfilled: "Complete",
    pending: "Processing",
    paid: "Paid, draw pending",
    failed: "Failed",
    refunded: "Refunded",
  },
  failedWithReason: (reason: string) => `Failed (${reason})`,
  notCharged: "You were not charged.",
  paidNotDrawn: "Your results go to the reward box as soon as the draw is done.",
  refundedNote: "The amount was refunded.",
  failureReasons: {
    card_declined: "card declined",
    lost_card: "card declined",
    stolen_card: "card declined",
    generic_decline: "card declined",
    do_not_honor: "card declined",
    insufficient_funds: "insufficient funds",
    expired_card: "card expired",
    incorrect_cvc: "wrong security code",
    processing_error: "card issuer processing error",
    authentication_required: "card authentication not completed",
    payment_method_invalid: "payment method not valid",
    async_payment_failed: "payment not completed",
    checkout_expired: "checkout expired",
    expired: "payment not completed in time",
  },
  otherFailure: "payment did not go through",
  pulls: {
    listLabel: "Pulls, newest first",
    date: "Date (Japan time)",
    content: "Pulls",
    amount: "Amount (tax incl.)",
    medals: "Oshi medals earned",
    medalsValue: (n: number) => `${n}`,
    rateTable: "Rate table",
    rateTableVersion: (version: number | null) => (version === null ? "version unknown" : `version ${version}`),
    oddsLink: "See this gacha's odds",
    resultsLabel: (count: number) => `Results (${count})`,
    guaranteed: "Guaranteed SR or better",
    empty: "You have not pulled any gacha yet.",
  },
  unknownCampaign: "(unnamed gacha)",
  campaignsLink: "See the gacha open now",
  noOlder: "There is nothing older.",
  more: "Show more",
  newest: "Back to the latest",
};

export const historyMessages: Record<Locale, HistoryMessages> = { ja, en };

export function historyMessagesFor(locale: Locale): HistoryMessages {
  return historyMessages[locale];
}
