/**
 * Text of the observed-versus-disclosed rates page (/gachas/{id}/observed) and the odds
 * page's link to it. Kept apart from gacha.ts so this page can grow on its own. A server
 * page only, so entries may be functions.
 */
import type { Slot } from "@/lib/gacha/types";
import type { Locale } from "../locales";

const ja = {
  title: (campaign: string) => `排出実績 — ${campaign}`,
  heading: "排出実績（公表確率との比較）",
  linkFromOdds: "これまでの排出実績と公表確率を比べる",
  lead: "このガチャで実際に出た割合を、排出率ページで公表している確率と並べています。実際の割合には偶然によるばらつきがあるため、99.9%信頼区間（Wilsonの方法）もあわせて示します。",
  tableVersion: (version: number) => `比較の対象: 排出率テーブル 第${version}版`,
  totalDraws: (n: string) => `これまでの抽選回数: ${n}回`,
  earlierDraws: (n: string) => `（うち${n}回は以前の版の排出率テーブルによる抽選で、下の比較には含みません）`,
  countedUntil: (at: string, minutes: number) => `${at}までの集計です（${minutes}分ごとに更新）。`,
  notCountedYet: "集計はまだ行われていません。まもなく更新されます。",
  empty: "まだ抽選が行われていません。最初の抽選のあと、ここに実績が表示されます。",
  slotHeading: { regular: "通常枠（単発、10連の1〜9枚目）", guaranteed: "確定枠（10連の10枚目）" } satisfies Record<
    Slot,
    string
  >,
  slotDraws: (n: string) => `この枠の抽選回数: ${n}回`,
  slotEmpty: "この枠ではまだ抽選が行われていません。",
  rarityCaption: (slot: string) => `${slot}: レアリティ別の排出実績`,
  itemCaption: (slot: string) => `${slot}: アイテム別の排出実績`,
  itemsWaiting: (count: number, min: number) =>
    `ほかの${count}アイテムは、期待される出現回数が${min}回に届くまで表示しません（回数が少ないうちは比較に意味がないため）。`,
  colRarity: "レアリティ",
  colItem: "アイテム",
  colDisclosed: "公表確率",
  colDraws: "出た回数",
  colObserved: "実際の割合",
  colInterval: "99.9%信頼区間",
  colVerdict: "判定",
  barLabel: (observed: string, disclosed: string) => `実際 ${observed}、公表 ${disclosed}`,
  within: "区間内",
  outside: "区間外",
  noDraws: "—",
  explainHeading: "この比較の読み方",
  explain: [
    "信頼区間は、実際の割合から「本当の確率がありそうな範囲」を示したものです。公表確率が正しければ、公表確率がこの区間から外れることは、表示している行ひとつにつき約1,000回に1回しか起こりません。",
    "行が多いほど、どこかの行が偶然「区間外」になる可能性は上がります（20行なら約2%）。「区間外」はただちに不正を意味するものではありませんが、抽選回数が増えても続く場合はお問い合わせください。",
    "通常枠と確定枠は別の排出率テーブルから抽選するため、それぞれの公表確率と別々に比べています。",
  ],
  flaggedSummary: (flagged: number, rows: number) =>
    flagged === 0
      ? `比較した${rows}行すべてで、公表確率は信頼区間の中にあります。`
      : `比較した${rows}行のうち${flagged}行で、公表確率が信頼区間の外にあります。`,
  backToOdds: "排出率のページへ戻る",
};

type ObservedMessages = typeof ja;

const en: ObservedMessages = {
  title: (campaign) => `Observed rates — ${campaign}`,
  heading: "Observed rates against the disclosed odds",
  linkFromOdds: "Compare the draws so far with the disclosed odds",
  lead: "How often each result has actually come out in this gacha, beside the odds we disclose. Observed shares vary by chance, so each comes with a 99.9% confidence interval (Wilson score).",
  tableVersion: (version) => `Compared with rate table version ${version}`,
  totalDraws: (n) => `Draws so far: ${n}`,
  earlierDraws: (n) => `(${n} of them were drawn under an earlier rate table version and are not compared below)`,
  countedUntil: (at, minutes) =>
    `Counted up to ${at} (updated every ${minutes === 1 ? "minute" : `${minutes} minutes`}).`,
  notCountedYet: "Nothing has been counted yet. The figures will appear shortly.",
  empty: "Nobody has pulled yet. The figures appear here after the first draw.",
  slotHeading: {
    regular: "Regular slot (single pulls and slots 1–9 of a 10-pull)",
    guaranteed: "Guaranteed slot (10th of a 10-pull)",
  },
  slotDraws: (n) => `Draws from this slot: ${n}`,
  slotEmpty: "No draws from this slot yet.",
  rarityCaption: (slot) => `${slot}: observed by rarity`,
  itemCaption: (slot) => `${slot}: observed by item`,
  itemsWaiting: (count, min) =>
    `${count} other ${count === 1 ? "item is" : "items are"} shown once ${count === 1 ? "its" : "their"} expected count reaches ${min} (with fewer draws a comparison says nothing).`,
  colRarity: "Rarity",
  colItem: "Item",
  colDisclosed: "Disclosed",
  colDraws: "Drawn",
  colObserved: "Observed",
  colInterval: "99.9% interval",
  colVerdict: "Result",
  barLabel: (observed, disclosed) => `observed ${observed}, disclosed ${disclosed}`,
  within: "Within",
  outside: "Outside",
  noDraws: "—",
  explainHeading: "How to read this",
  explain: [
    "The interval is the range of true rates that the observed share supports. If the disclosed rate is right, it falls outside its interval only about once in 1,000 for each row shown.",
    "The more rows, the likelier that some row is outside by chance (about 2% with 20 rows). An “Outside” alone is not proof of anything wrong; if it persists as draws accumulate, please contact us.",
    "The regular and guaranteed slots draw from different rate tables, so each is compared with its own disclosed odds.",
  ],
  flaggedSummary: (flagged, rows) =>
    flagged === 0
      ? `In all ${rows} rows compared, the disclosed rate lies within the interval.`
      : `In ${flagged} of ${rows} rows compared, the disclosed rate lies outside the interval.`,
  backToOdds: "Back to the odds",
};

export const observedMessages: Record<Locale, ObservedMessages> = { ja, en };

export function observedMessagesFor(locale: Locale): ObservedMessages {
  return observedMessages[locale];
}
