/**
 * Text of the commit–reveal parts of the fan's pages: the seed on the confirmation
 * screen and in the account, the pull history's fairness facts and the /verify page.
 * Plain strings only, so client components receive it as props.
 */
import type { Locale } from "../locales";

const ja = {
  heading: "抽選の公正性（コミット・リビール）",
  lead: "抽選に使うサーバーシードのハッシュ（SHA-256）を、お支払いの前にお見せしています。シードを公開（ローテーション）すると、それまでの抽選をだれでも検証できます。",
  seedHash: "サーバーシードのハッシュ",
  clientSeed: "クライアントシード",
  clientSeedHint: "半角英数字・「-」「_」で1〜64文字。変更はこれからのガチャにだけ使われます。",
  nextNonce: "次のノンス",
  saveClientSeed: "クライアントシードを保存",
  saving: "保存中…",
  saved: "保存しました。次のガチャから使われます。",
  rotate: "シードを公開して新しいシードにする",
  rotating: "公開中…",
  rotated: "シードを公開しました。公開したシードで引いたガチャは、ガチャ履歴から検証できます。",
  revealedSeed: "公開したサーバーシード",
  revealedHash: "そのハッシュ（事前に表示した値）",
  nonce: "ノンス",
  serverSeed: "サーバーシード",
  notRevealed: "未公開（マイページでシードを公開すると検証できます）",
  verifyLink: "この結果を検証する",
  seedSectionLink: "シードの公開はマイページから",
  noCommitment: "この抽選はコミット・リビール導入前のものです。",
  verify: {
    title: "ガチャ結果の検証",
    lead: "このページは読み込んだあと、サーバーとは一切通信しません。公開されたサーバーシード、クライアントシード、ノンス、排出率表のテキストから、ブラウザの中だけで結果を計算し直します。",
    seed: "サーバーシード（16進64文字）",
    seedHash: "事前に表示されたシードのハッシュ（任意）",
    clientSeed: "クライアントシード",
    nonce: "ノンス",
    count: "回数（1 または 10）",
    tableHash: "ガチャ履歴に記録された排出率表のハッシュ",
    tableText: "排出率表のテキスト（排出率APIが公開する canonicalText）",
    expected: "記録された結果のアイテムID（カンマ区切り・任意）",
    run: "検証する",
    running: "計算中…",
    verified: "検証済み：すべての結果が一致しました",
    failed: "検証できませんでした",
    resultsHeading: "計算し直した結果",
    slot: "枠",
    value: "乱数 r",
    item: "アイテムID",
    rarity: "レアリティ",
    reasons: {
      seed: "サーバーシードが16進64文字ではありません。",
      seedHash: "サーバーシードのハッシュが、事前に表示された値と一致しません。",
      tableHash: "排出率表のハッシュが、記録された値と一致しません。",
      table: "排出率表のテキストを読み取れません。",
      input: "クライアントシード、ノンス、回数のいずれかが正しくありません。",
      results: "計算し直した結果が、記録された結果と一致しません。",
    },
    howHeading: "計算方法",
    how: "枠 i（0から）ごとに HMAC-SHA256(サーバーシード, 「クライアントシード:ノンス:i」) を計算し、32ビットずつ（ビッグエンディアン）読み、4,294,000,000 未満の最初の値を 1,000,000 で割った余りを r とします（足りなければ「:1」「:2」…を付けて続けます）。r を排出率表の累積範囲に当てはめ、10連の10枚目は確定枠の表を使います。同じ計算をするスクリプト scripts/verify-pull.mjs もリポジトリにあります。",
  },
};

export type FairnessMessages = typeof ja;

const en: FairnessMessages = {
  heading: "Fair draws (commit–reveal)",
  lead: "Before you pay, you see the SHA-256 hash of the server seed your pulls are drawn with. Once you reveal (rotate) the seed, anyone can check every pull made with it.",
  seedHash: "Server seed hash",
  clientSeed: "Client seed",
  clientSeedHint: "1–64 letters, digits, “-” or “_”. A change applies to future pulls only.",
  nextNonce: "Next nonce",
  saveClientSeed: "Save client seed",
  saving: "Saving…",
  saved: "Saved. Your next pulls use it.",
  rotate: "Reveal this seed and start a new one",
  rotating: "Revealing…",
  rotated: "The seed is revealed. Pulls made with it can now be verified from your pull history.",
  revealedSeed: "Revealed server seed",
  revealedHash: "Its hash (as shown before)",
  nonce: "Nonce",
  serverSeed: "Server seed",
  notRevealed: "Not revealed yet (reveal the seed in your account to verify)",
  verifyLink: "Verify this pull",
  seedSectionLink: "Reveal the seed in your account",
  noCommitment: "This pull was drawn before commit–reveal draws.",
  verify: {
    title: "Verify a pull",
    lead: "Once loaded, this page never talks to our server. It recomputes the results in your browser from the revealed server seed, the client seed, the nonce and the rate table text.",
    seed: "Server seed (64 hex digits)",
    seedHash: "Seed hash shown before the pull (optional)",
    clientSeed: "Client seed",
    nonce: "Nonce",
    count: "Count (1 or 10)",
    tableHash: "Rate table hash recorded with the pull",
    tableText: "Rate table text (canonicalText from the odds API)",
    expected: "Recorded result item ids (comma-separated, optional)",
    run: "Verify",
    running: "Computing…",
    verified: "Verified: every result matches",
    failed: "Not verified",
    resultsHeading: "Recomputed results",
    slot: "Slot",
    value: "r",
    item: "Item id",
    rarity: "Rarity",
    reasons: {
      seed: "The server seed is not 64 hex digits.",
      seedHash: "The server seed does not hash to the value shown before the pull.",
      tableHash: "The rate table text does not hash to the recorded value.",
      table: "The rate table text cannot be read.",
      input: "The client seed, nonce or count is not valid.",
      results: "The recomputed results differ from the recorded ones.",
    },
    howHeading: "How it is computed",
    how: "For each slot i (from 0), HMAC-SHA256(server seed, “clientSeed:nonce:i”) is read in 32-bit big-endian chunks; the first chunk below 4,294,000,000, modulo 1,000,000, is r (if none, “:1”, “:2”, … are appended). r is placed in the rate table's cumulative ranges; a 10-pull's tenth slot uses the guaranteed table. scripts/verify-pull.mjs in the repository computes the same.",
  },
};

export const fairnessMessages: Record<Locale, FairnessMessages> = { ja, en };

export function fairnessMessagesFor(locale: Locale): FairnessMessages {
  return fairnessMessages[locale];
}
