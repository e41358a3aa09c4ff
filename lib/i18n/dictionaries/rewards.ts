/**
 * UI text of the reward box (特典BOX). Free of server imports, so its players and image
 * viewer (client components) read it as the page does.
 */
import type { ContentKind } from "@/lib/gacha/types";
import type { Locale } from "../locales";

const ja = {
  title: "特典BOX",
  lead: "ガチャや推しメダルの交換で手に入れたボイス・イラスト・動画です。ここで再生・表示したり、ダウンロードしたりできます。",
  filtersHeading: "絞り込み",
  kindFilter: "種類",
  kindFilterLabel: "種類で絞り込む",
  vtuberFilter: "VTuber",
  vtuberFilterLabel: "VTuberで絞り込む",
  all: "すべて",
  kind: { voice: "ボイス", image: "イラスト", video: "動画" } satisfies Record<ContentKind, string>,
  listHeading: "特典一覧",
  olderHeading: "特典一覧（続き）",
  source: { pull: "ガチャ", exchange: "交換" },
  fields: { vtuber: "VTuber", kind: "種類", source: "入手方法", acquiredAt: "入手日時", size: "サイズ" },
  download: "ダウンロード",
  /** Read after "ダウンロード" by screen readers, so each link names its file. */
  downloadWhat: (title: string) => `（${title}）`,
  downloadFailed: "ダウンロードを始められませんでした。時間をおいてもう一度お試しください。",
  enlarge: "（拡大して見る）",
  close: "閉じる",
  mediaFailed: "ファイルを読み込めませんでした。通信状況を確認して、ページを再読み込みしてください。",
  pagination: "ページ送り",
  more: "もっと見る",
  backToNewest: "最新の特典に戻る",
  empty: "まだ特典はありません。ガチャを引くか、推しメダルを交換すると、ここに届きます。",
  emptyLink: "開催中のガチャを見る",
  emptyFiltered: "この条件に合う特典はありません。",
  emptyFilteredLink: "すべての特典を見る",
  emptyOlder: "これより前の特典はありません。",
};

export type RewardsMessages = typeof ja;

const en: RewardsMessages = {
  title: "Reward box",
  lead: "The voice clips, images and videos you got from gacha pulls and oshi medal exchanges. Play, view or download them here.",
  filtersHeading: "Filter",
  kindFilter: "Type",
  kindFilterLabel: "Filter by type",
  vtuberFilter: "VTuber",
  vtuberFilterLabel: "Filter by VTuber",
  all: "All",
  kind: { voice: "Voice", image: "Image", video: "Video" },
  listHeading: "Your rewards",
  olderHeading: "Your rewards (continued)",
  source: { pull: "Gacha", exchange: "Exchange" },
  fields: { vtuber: "VTuber", kind: "Type", source: "From", acquiredAt: "Received", size: "Size" },
  download: "Download",
  downloadWhat: (title: string) => ` (${title})`,
  downloadFailed: "The download could not start. Please try again shortly.",
  enlarge: " (view larger)",
  close: "Close",
  mediaFailed: "This file could not be loaded. Check your connection and reload the page.",
  pagination: "Pages",
  more: "Show more",
  backToNewest: "Back to the newest rewards",
  empty: "No rewards yet. Pull a gacha or exchange oshi medals, and what you get arrives here.",
  emptyLink: "See the open gachas",
  emptyFiltered: "No rewards match this filter.",
  emptyFilteredLink: "See all rewards",
  emptyOlder: "There are no older rewards.",
};

const rewardsMessages: Record<Locale, RewardsMessages> = { ja, en };

export function rewardsMessagesFor(locale: Locale): RewardsMessages {
  return rewardsMessages[locale];
}
