/**
 * Text of the oshi medals page, a VTuber's exchange (交換所) and the medal panel on the
 * VTuber page. Free of server imports: the exchange button (a client component) reads it
 * directly, so its sentences may be functions.
 */
import type { Locale } from "../locales";
import type { MedalReason } from "@/lib/medals/list-medal-history";

const ja = {
  medals: {
    title: "推しメダル",
    rules: [
      "推しメダルはVTuberごとに貯まります。",
      "ガチャを1回引くごとに、出たアイテムのレアリティに応じてもらえます。",
      "使えるのは、そのVTuberの交換所だけです。",
      "推しメダルは購入できません。現金などとの交換や、ほかの方への譲渡もできません。",
    ],
    balancesHeading: "VTuberごとの推しメダル",
    count: (n: number) => `${n}枚`,
    toExchange: "交換所へ",
    // Read after the link text, so each "to the exchange" link names whose exchange it opens.
    toExchangeOf: (name: string) => `（${name}）`,
    emptyTitle: "まだ推しメダルがありません",
    emptyBody: "ガチャを引くと、そのVTuberの推しメダルがもらえます。",
    emptyLink: "開催中のガチャを見る",
    historyHeading: "最近の推しメダル履歴",
    historyLead: (n: number) => `新しい順に最大${n}件を表示しています。`,
    reasons: { pull: "ガチャ", exchange: "交換", refund: "返金", adjustment: "調整" } satisfies Record<
      MedalReason,
      string
    >,
    unlistedVtuber: "公開を終了したVTuber",
    delta: (n: number) => (n > 0 ? `+${n}枚` : `−${Math.abs(n)}枚`),
    balanceAfter: (n: string) => `残り${n}`,
  },
  exchange: {
    title: (name: string) => `${name}の交換所`,
    lead: (name: string) =>
      `貯めた推しメダルで、アイテムと確実に交換できます。${name}の推しメダルは、${name}のガチャを引くともらえます。`,
    balanceLabel: "あなたの推しメダル",
    signedOut: "交換するにはログインしてください。推しメダルは、ガチャを引くとVTuberごとに貯まります。",
    loginLink: "ログインして交換する",
    itemsHeading: "交換アイテム",
    empty: "現在、交換できるアイテムはありません。",
    cost: "必要な推しメダル",
    stock: "在庫",
    stockLeft: (n: number) => `残り${n}個`,
    noLimit: "制限なし",
    soldOut: "在庫切れ",
    perUserLimit: "交換できる数",
    perUserLimitValue: (n: number) => `お一人様${n}個まで`,
    availableUntil: "交換期限",
    untilValue: (date: string) => `${date}まで`,
    exchangeButton: "交換する",
    // Read after the button text, so each item's button names the item it exchanges.
    itemContext: (item: string) => `（${item}）`,
    needMore: (n: number) => `あと${n}枚必要です`,
    limitReached: "交換上限に達しています",
    confirmTitle: "交換の確認",
    confirmLead: (item: string, cost: number) => `「${item}」と推しメダル${cost}枚を交換します`,
    balanceNow: "今の推しメダル",
    balanceAfter: "交換後の推しメダル",
    confirmNotice: "交換したアイテムはすぐに特典BOXに届きます。交換後の取り消しはできません。",
    confirmButton: "交換する",
    sending: "交換しています…",
    cancel: "やめる",
    errorTitle: "交換できませんでした",
    notSpent: "推しメダルは使われていません。",
    retryNote: "もう一度「交換する」を押すと、同じ交換として送り直します。二重に交換されることはありません。",
    networkError: "通信できませんでした。接続を確認して、もう一度お試しください。",
    done: "交換しました。特典BOXに届きました。",
    toRewards: "特典BOXを見る",
    backToVtuber: (name: string) => `${name}のページへ戻る`,
    notFoundTitle: "交換所が見つかりません",
    notFoundBody: "お探しのVTuberは見つからないか、現在公開されていません。",
  },
  vtuber: {
    heading: "推しメダルと交換所",
    lead: "ガチャで貯めた推しメダルで、交換所のアイテムと確実に交換できます。",
    balanceLabel: "あなたの推しメダル",
    exchangeLink: (name: string) => `${name}の交換所`,
  },
};

export type MedalsMessages = typeof ja;

const en: MedalsMessages = {
  medals: {
    title: "Oshi medals",
    rules: [
      "Oshi medals are kept per VTuber.",
      "Every pull earns medals by the rarity of what it draws.",
      "A VTuber's medals can only be spent in that VTuber's exchange.",
      "Medals cannot be bought, have no cash value and cannot be transferred to anyone else.",
    ],
    balancesHeading: "Your medals per VTuber",
    count: (n: number) => `${n} ${n === 1 ? "medal" : "medals"}`,
    toExchange: "Go to the exchange",
    toExchangeOf: (name: string) => ` (${name})`,
    emptyTitle: "No oshi medals yet",
    emptyBody: "Each gacha pull earns medals of its VTuber.",
    emptyLink: "See the open gachas",
    historyHeading: "Recent medal history",
    historyLead: (n: number) => `Up to ${n} latest entries, newest first.`,
    reasons: { pull: "Gacha", exchange: "Exchange", refund: "Refund", adjustment: "Adjustment" },
    unlistedVtuber: "A VTuber no longer listed",
    delta: (n: number) => (n > 0 ? `+${n}` : `−${Math.abs(n)}`) + (Math.abs(n) === 1 ? " medal" : " medals"),
    balanceAfter: (n: string) => `Balance: ${n}`,
  },
  exchange: {
    title: (name: string) => `${name}'s exchange`,
    lead: (name: string) =>
      `Spend your oshi medals on guaranteed items. ${name}'s medals come from ${name}'s gacha pulls.`,
    balanceLabel: "Your oshi medals",
    signedOut: "Sign in to exchange. Oshi medals are earned per VTuber with every gacha pull.",
    loginLink: "Sign in to exchange",
    itemsHeading: "Items",
    empty: "No items can be exchanged right now.",
    cost: "Cost",
    stock: "Stock",
    stockLeft: (n: number) => `${n} left`,
    noLimit: "No limit",
    soldOut: "Sold out",
    perUserLimit: "Per fan",
    perUserLimitValue: (n: number) => `Up to ${n} per fan`,
    availableUntil: "Available until",
    untilValue: (date: string) => date,
    exchangeButton: "Exchange",
    itemContext: (item: string) => ` (${item})`,
    needMore: (n: number) => `You need ${n} more ${n === 1 ? "medal" : "medals"}`,
    limitReached: "You have reached the limit for this item",
    confirmTitle: "Confirm the exchange",
    confirmLead: (item: string, cost: number) =>
      `Exchange ${cost} oshi ${cost === 1 ? "medal" : "medals"} for "${item}"`,
    balanceNow: "Your medals now",
    balanceAfter: "After the exchange",
    confirmNotice: "The item goes to your reward box at once. An exchange cannot be undone.",
    confirmButton: "Exchange",
    sending: "Exchanging…",
    cancel: "Cancel",
    errorTitle: "The exchange did not go through",
    notSpent: "No medals were spent.",
    retryNote: "Press Exchange again to resend the same exchange. It will not be made twice.",
    networkError: "Could not reach the server. Check your connection and try again.",
    done: "Exchanged. The item is in your reward box.",
    toRewards: "See your reward box",
    backToVtuber: (name: string) => `Back to ${name}`,
    notFoundTitle: "Exchange not found",
    notFoundBody: "This VTuber does not exist or is not listed right now.",
  },
  vtuber: {
    heading: "Oshi medals and exchange",
    lead: "Spend the oshi medals your pulls earn on guaranteed items in the exchange.",
    balanceLabel: "Your oshi medals",
    exchangeLink: (name: string) => `${name}'s exchange`,
  },
};

const medalsMessages: Record<Locale, MedalsMessages> = { ja, en };

export function medalsMessagesFor(locale: Locale): MedalsMessages {
  return medalsMessages[locale];
}
