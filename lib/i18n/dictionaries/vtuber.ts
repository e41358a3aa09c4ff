/**
 * UI text of the VTuber application page and the VTuber console. Free of server imports:
 * the console's forms (client components) read it directly.
 */
import type { LintProblem } from "@/lib/gacha/rate-lint";
import type { ContentKind } from "@/lib/gacha/types";
import type { Locale } from "../locales";

type Status = "applied" | "approved" | "rejected" | "suspended";
type CampaignStatus = "draft" | "in_review" | "approved" | "rejected" | "ended";

const pct = (ppm: number) => `${(ppm / 10_000).toFixed(3)}%`;
const slotJa = { regular: "通常枠", guaranteed: "10連の確定枠" } as const;
const slotEn = { regular: "regular slot", guaranteed: "10-pull guaranteed slot" } as const;

const ja = {
  apply: {
    title: "VTuber申請",
    lead: "こえポン！でボイス・イラスト・動画をガチャとして販売できます。審査のうえ、承認されるとVTuberコンソールが使えるようになります。",
    status: {
      applied: "審査中です。結果が出るまでお待ちください。",
      approved: "承認されました。VTuberコンソールから販売を始められます。",
      rejected: "申請は承認されませんでした。内容を見直して再申請できます。",
      suspended: "このVTuberアカウントは停止されています。",
    } satisfies Record<Status, string>,
    statusHeading: "申請状況",
    reasonLabel: "審査コメント",
    toConsole: "VTuberコンソールへ",
    formHeading: "申請内容",
    resubmitHeading: "再申請",
    name: "活動名",
    slug: "URL名（英小文字・数字・ハイフン、3〜40文字）",
    slugHint: "ページのURLになります: /vtubers/（URL名）",
    bio: "プロフィール",
    bioHint: "太字・斜体・リンクなどの簡単な装飾が使えます（安全なものだけ表示されます）。",
    links: "リンク（最大5件、https://から始まるURL）",
    linkLabel: (n: number) => `リンク${n}の名前`,
    linkUrl: (n: number) => `リンク${n}のURL`,
    adult: "私は18歳以上です（未成年の方は申請できません）",
    payoutNote: "売上の振込先は承認後にご登録いただきます。",
    submit: "申請する",
    submitting: "送信中…",
    required: "必須",
    signInFirst: "申請するにはログインしてください。",
  },
  console: {
    title: "VTuberコンソール",
    libraryHeading: "コンテンツライブラリ",
    quota: (used: string, total: string) => `使用容量: ${used} / ${total}`,
    uploadHeading: "ファイルをアップロード",
    uploadLead:
      "ボイス（mp3・m4a・aac・ogg/opus・wav）、画像（png・jpeg・webp）、動画（mp4・webm）。種類はファイルの中身で判定し、画像の位置情報などのメタデータは保存前に削除します。",
    kindLabel: "種類",
    kinds: { voice: "ボイス", image: "画像", video: "動画" } satisfies Record<ContentKind, string>,
    limit: (size: string) => `1ファイル最大${size}`,
    titleLabel: "タイトル",
    fileLabel: "ファイル",
    upload: "アップロード",
    uploading: (percent: number) => `アップロード中… ${percent}%`,
    verifying: "ファイルを確認しています…",
    uploaded: (title: string) => `「${title}」をライブラリに追加しました。`,
    retry: "もう一度試す",
    tooLarge: (size: string) => `ファイルが大きすぎます（最大${size}）。`,
    networkError: "通信が途切れました。もう一度お試しください。",
    filesEmpty: "まだファイルがありません。上のフォームからアップロードしてください。",
    colTitle: "タイトル",
    colKind: "種類",
    colSize: "サイズ",
    colDuration: "長さ",
    campaignsHeading: "ガチャ",
    campaignsEmpty: "まだガチャがありません。",
    newCampaign: "ガチャを作成",
    campaignStatus: {
      draft: "下書き",
      in_review: "審査中",
      approved: "承認済み",
      rejected: "差し戻し",
      ended: "終了",
    } satisfies Record<CampaignStatus, string>,
    edit: "編集",
    view: "表示",
    salesLink: "売上を見る",
  },
  sales: {
    title: "売上",
    lead: "ガチャの回数・売上・返金は集計（1分ごと）の数値です。ファンの方の人数は数だけを表示します。",
    asOf: (at: string) => `集計時点: ${at}`,
    notYet: "まだ集計された売上はありません。",
    totalHeading: "合計",
    perCampaignHeading: "ガチャごと",
    chartHeading: "累計の推移",
    chartLabel: (pulls: number, yen: string) => `累計 ${pulls}回・${yen}`,
    pulls: "回数",
    revenue: "売上",
    refunds: "返金",
    medalsGranted: "付与した推しメダル",
    medalsSpent: "交換で使われた推しメダル",
    exchanges: "交換数",
    fans: "ファンの人数",
    topItems: "よく出たアイテム",
    drawn: (n: number) => `${n}回`,
    campaign: "ガチャ",
    csv: "CSVでダウンロード",
  },
  profile: {
    title: "プロフィール",
    lead: "ファンに見えるプロフィールです。承認後もいつでも編集でき、保存するとすぐにVTuberページに反映されます。",
    name: "活動名",
    bio: "プロフィール文",
    bioHint: "段落・改行・太字・斜体・リスト・リンクが使えます。それ以外のタグやスクリプトは取り除かれます。",
    avatar: "アバター",
    avatarNone: "なし（頭文字を表示）",
    avatarHint:
      "コンテンツライブラリの画像から選びます。新しい画像は下からアップロードできます（位置情報などは削除されます）。",
    linksHeading: "リンク（https のみ、最大5件）",
    linkLabel: (n: number) => `リンク${n}の表示名`,
    linkUrl: (n: number) => `リンク${n}のURL`,
    addLink: "リンクを追加",
    removeLink: (n: number) => `リンク${n}を削除`,
    save: "プロフィールを保存",
    saving: "保存中…",
    saved: "保存しました。",
    previewHeading: "プレビュー（ファンに見えるページと同じ表示です）",
    publicLink: "公開ページを開く",
    back: "コンソールへ戻る",
    link: "プロフィール",
  },
  builder: {
    newTitle: "ガチャを作成",
    editTitle: "ガチャを編集",
    basics: "基本情報",
    title: "タイトル",
    description: "説明",
    startsAt: "開始日時（日本時間）",
    endsAt: "終了日時（日本時間）",
    singlePrice: "1回の価格（円、50〜1,000）",
    tenPrice: "10連の価格（円、500〜10,000、1回×10以下）",
    medalsHeading: "レアリティごとの推しメダル",
    itemsHeading: "アイテムと排出率",
    itemsLead:
      "排出率は%で小数点以下3桁まで入力します（0.001% = 10ppm）。確定枠にはSR・SSRだけを入れ、SSRの合計は通常枠と同じにします。",
    addItem: "アイテムを追加",
    removeItem: (name: string) => `${name || "アイテム"}を削除`,
    file: "ファイル",
    itemName: "アイテム名",
    rarity: "レアリティ",
    regular: "通常枠（%）",
    guaranteed: "確定枠（%）",
    sums: (regular: string, guaranteed: string) => `合計: 通常枠 ${regular} / 確定枠 ${guaranteed}`,
    problemsHeading: "直す必要がある点",
    noProblems: "排出率表に問題はありません。",
    previewHeading: "プレビュー（公開される排出率ページと同じ計算です）",
    previewUnavailable: "問題を直すとプレビューが表示されます。",
    save: "下書きを保存",
    saving: "保存中…",
    saved: "保存しました。",
    submit: "審査に提出",
    submitted: "審査に提出しました。",
    locked: "審査中または承認済みのため編集できません。",
    ratesHeading: "排出率の変更",
    ratesLead:
      "承認済みの排出率は変更できません。新しい排出率を提案すると、今の表を写した新しい版が作られ、審査で承認されるまでファンは今の版で引きます。アイテムは変えられません（外す場合は0%にします）。",
    proposeRates: "新しい排出率を提案",
    ratesDraft: (version: number, live: number | null) =>
      `新しい排出率（v${version}）を編集中です。公開中は v${live ?? "-"} です。`,
    ratesInReview: (version: number) => `新しい排出率（v${version}）は審査中です。`,
    saveRates: "排出率を保存",
    submitRates: "排出率を審査に提出",
    reviewNote: "審査コメント",
    status: "状態",
    back: "コンソールへ戻る",
    noFiles: "先にコンテンツライブラリへファイルをアップロードしてください。",
    problem: (p: LintProblem, name: (key: string) => string): string => {
      switch (p.code) {
        case "slot_sum":
          return `${slotJa[p.slot]}の合計が${pct(p.ppm)}です。ちょうど100.000%にしてください。`;
        case "ssr_mismatch":
          return `SSRの合計が通常枠（${pct(p.regularPpm)}）と確定枠（${pct(p.guaranteedPpm)}）で違います。確定枠でSSRの確率を上げることはできません。`;
        case "guaranteed_rarity":
          return `「${name(p.key)}」は${p.rarity}のため確定枠に入れられません（確定枠はSR以上）。`;
        case "weight_invalid":
          return `「${name(p.key)}」の${slotJa[p.slot]}の排出率が正しくありません。`;
        case "duplicate_item":
          return `「${name(p.key)}」が2回入っています。`;
      }
    },
  },
};

export type VtuberMessages = typeof ja;

const en: VtuberMessages = {
  apply: {
    title: "Apply as a VTuber",
    lead: "Sell your voice clips, images and videos as gacha on Koepon!. Once your application is approved you get the VTuber console.",
    status: {
      applied: "In review. Please wait for the result.",
      approved: "Approved. Start selling from the VTuber console.",
      rejected: "Your application was not approved. You can revise it and apply again.",
      suspended: "This VTuber account is suspended.",
    },
    statusHeading: "Application status",
    reasonLabel: "Reviewer's comment",
    toConsole: "Open the VTuber console",
    formHeading: "Your application",
    resubmitHeading: "Apply again",
    name: "Activity name",
    slug: "URL name (lowercase letters, digits, hyphens; 3–40)",
    slugHint: "Your page's address: /vtubers/(URL name)",
    bio: "Profile",
    bioHint: "Simple formatting (bold, italics, links) is allowed; only safe markup is shown.",
    links: "Links (up to 5, https:// addresses)",
    linkLabel: (n: number) => `Link ${n} name`,
    linkUrl: (n: number) => `Link ${n} URL`,
    adult: "I am 18 or older (minors cannot apply)",
    payoutNote: "Payout details are collected after approval.",
    submit: "Apply",
    submitting: "Sending…",
    required: "Required",
    signInFirst: "Sign in to apply.",
  },
  console: {
    title: "VTuber console",
    libraryHeading: "Content library",
    quota: (used: string, total: string) => `Storage used: ${used} of ${total}`,
    uploadHeading: "Upload a file",
    uploadLead:
      "Voice (mp3, m4a, aac, ogg/opus, wav), images (png, jpeg, webp) and video (mp4, webm). The type is judged by the file's contents; location and other metadata are removed from images before they are stored.",
    kindLabel: "Kind",
    kinds: { voice: "Voice", image: "Image", video: "Video" },
    limit: (size: string) => `Up to ${size} per file`,
    titleLabel: "Title",
    fileLabel: "File",
    upload: "Upload",
    uploading: (percent: number) => `Uploading… ${percent}%`,
    verifying: "Checking the file…",
    uploaded: (title: string) => `“${title}” is in your library.`,
    retry: "Try again",
    tooLarge: (size: string) => `The file is too large (up to ${size}).`,
    networkError: "The connection dropped. Please try again.",
    filesEmpty: "No files yet. Upload one with the form above.",
    colTitle: "Title",
    colKind: "Kind",
    colSize: "Size",
    colDuration: "Length",
    campaignsHeading: "Gacha",
    campaignsEmpty: "No gacha yet.",
    newCampaign: "Create a gacha",
    campaignStatus: {
      draft: "Draft",
      in_review: "In review",
      approved: "Approved",
      rejected: "Sent back",
      ended: "Ended",
    },
    edit: "Edit",
    view: "View",
    salesLink: "See sales",
  },
  sales: {
    title: "Sales",
    lead: "Pulls, revenue and refunds are the per-minute rollup's figures. Fans are shown as a count only.",
    asOf: (at: string) => `As of ${at}`,
    notYet: "No sales rolled up yet.",
    totalHeading: "Total",
    perCampaignHeading: "Per gacha",
    chartHeading: "Running totals",
    chartLabel: (pulls: number, yen: string) => `${pulls} pulls, ${yen} so far`,
    pulls: "Pulls",
    revenue: "Revenue",
    refunds: "Refunds",
    medalsGranted: "Oshi medals granted",
    medalsSpent: "Oshi medals spent on exchanges",
    exchanges: "Exchanges",
    fans: "Fans",
    topItems: "Most drawn items",
    drawn: (n: number) => `${n}×`,
    campaign: "Gacha",
    csv: "Download CSV",
  },
  profile: {
    title: "Profile",
    lead: "Your profile as fans see it. You can edit it at any time after approval; saving updates your VTuber page at once.",
    name: "Display name",
    bio: "Profile text",
    bioHint: "Paragraphs, line breaks, bold, italics, lists and links are kept. Any other tag or script is removed.",
    avatar: "Avatar",
    avatarNone: "None (your initial is shown)",
    avatarHint:
      "Chosen from your library's images. Upload a new image below (location data and other metadata are removed).",
    linksHeading: "Links (https only, up to 5)",
    linkLabel: (n: number) => `Link ${n} label`,
    linkUrl: (n: number) => `Link ${n} URL`,
    addLink: "Add a link",
    removeLink: (n: number) => `Remove link ${n}`,
    save: "Save the profile",
    saving: "Saving…",
    saved: "Saved.",
    previewHeading: "Preview (exactly as fans see your page)",
    publicLink: "Open the public page",
    back: "Back to the console",
    link: "Profile",
  },
  builder: {
    newTitle: "Create a gacha",
    editTitle: "Edit gacha",
    basics: "Basics",
    title: "Title",
    description: "Description",
    startsAt: "Starts (Japan time)",
    endsAt: "Ends (Japan time)",
    singlePrice: "Single pull price (yen, 50–1,000)",
    tenPrice: "10-pull price (yen, 500–10,000, at most ten singles)",
    medalsHeading: "Oshi medals per rarity",
    itemsHeading: "Items and rates",
    itemsLead:
      "Rates are percentages with up to three decimals (0.001 % = 10 ppm). The guaranteed slot holds SR and SSR only, with the same SSR total as the regular slot.",
    addItem: "Add an item",
    removeItem: (name: string) => `Remove ${name || "item"}`,
    file: "File",
    itemName: "Item name",
    rarity: "Rarity",
    regular: "Regular (%)",
    guaranteed: "Guaranteed (%)",
    sums: (regular: string, guaranteed: string) => `Totals: regular ${regular}, guaranteed ${guaranteed}`,
    problemsHeading: "To fix",
    noProblems: "The rate table has no problems.",
    previewHeading: "Preview (computed as the public odds page computes it)",
    previewUnavailable: "The preview appears once the problems are fixed.",
    save: "Save draft",
    saving: "Saving…",
    saved: "Saved.",
    submit: "Submit for review",
    submitted: "Submitted for review.",
    locked: "In review or approved: this gacha cannot be edited.",
    ratesHeading: "Changing the rates",
    ratesLead:
      "Approved rates never change. Proposing new rates makes a new version, a copy of the current table; fans keep drawing with the current version until the new one is approved. Items stay as they are (set one to 0% to leave it out).",
    proposeRates: "Propose new rates",
    ratesDraft: (version: number, live: number | null) =>
      `Editing new rates (v${version}). Fans draw with v${live ?? "-"} meanwhile.`,
    ratesInReview: (version: number) => `The new rates (v${version}) are in review.`,
    saveRates: "Save the rates",
    submitRates: "Submit the rates for review",
    reviewNote: "Reviewer's comment",
    status: "Status",
    back: "Back to the console",
    noFiles: "Upload files to your content library first.",
    problem: (p: LintProblem, name: (key: string) => string): string => {
      switch (p.code) {
        case "slot_sum":
          return `The ${slotEn[p.slot]} adds up to ${pct(p.ppm)}. Make it exactly 100.000%.`;
        case "ssr_mismatch":
          return `SSR totals differ: ${pct(p.regularPpm)} regular, ${pct(p.guaranteedPpm)} guaranteed. The guaranteed slot may not raise the SSR rate.`;
        case "guaranteed_rarity":
          return `“${name(p.key)}” is ${p.rarity} and cannot be in the guaranteed slot (SR or better only).`;
        case "weight_invalid":
          return `The rate of “${name(p.key)}” in the ${slotEn[p.slot]} is not valid.`;
        case "duplicate_item":
          return `“${name(p.key)}” is in the table twice.`;
      }
    },
  },
};

export const vtuberMessages: Record<Locale, VtuberMessages> = { ja, en };

export function vtuberMessagesFor(locale: Locale): VtuberMessages {
  return vtuberMessages[locale];
}

/** Bytes as MB with one decimal (KB below one MB). */
export function formatBytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MB` : `${Math.ceil(bytes / 1024)} KB`;
}
