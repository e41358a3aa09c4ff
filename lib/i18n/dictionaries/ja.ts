/**
 * Japanese UI text: the reference dictionary. Its shape is the `Messages` type, so
 * every other dictionary must carry exactly these keys or the typecheck fails.
 */

/** A titled part of a legal document. */
export interface LegalSection {
  heading: string;
  paragraphs: string[];
}

export const ja = {
  meta: {
    siteName: "こえポン！",
    title: "こえポン！ — VTuberのボイス・イラストガチャ",
    description:
      "VTuberが自分で届けるボイス・イラスト・動画のガチャ。1回ごとに日本円でお支払い、排出率はすべて購入前に公開しています。",
  },
  layout: {
    skipToContent: "本文へスキップ",
    homeLink: "こえポン！ トップページ",
    logo: "こえポン！",
    logoSub: "Koepon!",
    mainNav: "メインメニュー",
    nav: { home: "ホーム", vtubers: "VTuber", campaigns: "開催中のガチャ" },
    legalNav: "規約と表記",
    languageNav: "表示言語",
    copyright: "© こえポン！ (Koepon!)",
  },
  language: { ja: "日本語", en: "English" },
  home: {
    heroTitle: "推しの声を、ガチャで。",
    heroLead:
      "VTuberが自分で届けるボイス・イラスト・動画。1回ごとに日本円でお支払い、排出率はすべて購入前に公開しています。",
    vtubersHeading: "VTuber",
    vtubersEmpty: "公開中のVTuberはまだいません。",
    campaignsHeading: "開催中のガチャ",
    campaignsEmpty: "現在開催中のガチャはありません。",
    singlePull: "単発",
    tenPull: "10連",
    taxIncluded: "税込",
    tenthGuaranteed: "10連の10枚目はSR以上確定",
    endsAt: (date: string) => `${date} まで`,
    /** Between the VTuber's name and the closing date on a card. */
    metaSeparator: "・",
  },
  loading: "読み込み中…",
  notFound: {
    title: "ページが見つかりません",
    body: "お探しのページは移動または削除された可能性があります。",
    backHome: "トップページへ戻る",
  },
  legal: {
    updatedLabel: "最終更新日",
    // Shown on translated pages only: the Japanese text is the binding one.
    translationNotice: null as string | null,
    demoNotice: "この表記はデモ環境のものです。事業者情報が設定されていない項目は仮の表示になっています。",
    unset: "（デモ環境のため未設定）",
    tokushoho: {
      title: "特定商取引法に基づく表記",
      updated: "2026年11月1日",
      labels: {
        seller: "販売事業者",
        representative: "運営統括責任者",
        address: "所在地",
        phone: "電話番号",
        email: "メールアドレス",
        price: "販売価格",
        extraFees: "商品代金以外の必要料金",
        paymentMethod: "お支払い方法",
        paymentTiming: "お支払い時期",
        delivery: "商品の引渡し時期",
        cancellation: "返品・キャンセル",
        environment: "動作環境",
        odds: "提供割合（排出率）",
        minors: "未成年の方のご利用",
      },
      values: {
        phoneOnRequest: "ご請求があれば遅滞なく開示いたします。お問い合わせはメールでお願いします。",
        price:
          "ガチャごとに購入前の画面に税込価格で表示しています（標準：単発 ¥100、10連 ¥1,000）。前払式の有償通貨は販売していません。",
        extraFees: "本サービスの利用に必要なインターネット接続料金・通信料金はお客様のご負担となります。",
        paymentMethod: "クレジットカード（決済代行：Stripe）",
        paymentTiming: "ガチャを引く操作を確定した時点で決済されます。",
        delivery: "決済完了後ただちに抽選結果を表示し、獲得したコンテンツは特典BOXですぐにご利用いただけます。",
        cancellation:
          "デジタルコンテンツの性質上、購入確定後のキャンセル・返品・返金はお受けできません。ただし、当社の責めに帰すべき事由によりコンテンツを提供できなかった場合など、法令に定める場合はこの限りではありません。",
        environment:
          "最新版の Google Chrome、Safari、Firefox、Microsoft Edge（JavaScript と Cookie を有効にしてください）",
        odds: "各ガチャの排出率は、購入前に各ガチャの排出率ページでご確認いただけます。排出率を予告なく変更することはありません。",
        minors:
          "未成年の方は保護者の同意を得てご利用ください。ご利用金額の上限は日本時間の暦月ごとに、16歳未満 ¥5,000、16〜17歳 ¥10,000 です。",
      },
    },
    terms: {
      title: "利用規約",
      updated: "2026年11月1日",
      intro:
        "この利用規約（以下「本規約」）は、こえポン！の運営者（以下「当社」）が提供するサービス「こえポン！」（以下「本サービス」）の利用条件を定めるものです。本サービスを利用する方は、本規約に同意したうえでご利用ください。",
      sections: [
        {
          heading: "第1条（アカウント）",
          paragraphs: [
            "登録情報は正確かつ最新の内容に保ってください。ご利用金額の上限を正しく適用するため、生年月日の登録が必要です。",
            "パスワードはご自身で管理し、第三者に知られないようにしてください。",
          ],
        },
        {
          heading: "第2条（未成年の方のご利用）",
          paragraphs: [
            "未成年の方は、親権者など法定代理人の同意を得たうえでご利用ください。",
            "ご利用金額には日本時間の暦月ごとの上限があります（16歳未満 ¥5,000、16〜17歳 ¥10,000）。成人の方も、任意でより低い上限を設定できます。",
          ],
        },
        {
          heading: "第3条（ガチャの購入）",
          paragraphs: [
            "ガチャは1回ごとに日本円でお支払いいただきます。前払式の有償通貨は販売していません。",
            "各ガチャの排出率は購入前に公開し、予告なく変更することはありません。変更する場合は、新しい版として公開します。10連の10枚目は、SR以上のみを含む専用の排出率で抽選されます。",
            "特定の組合せを揃えると別の景品が得られる仕組み（いわゆるコンプガチャ）は提供しません。",
          ],
        },
        {
          heading: "第4条（推しメダル）",
          paragraphs: [
            "ガチャを引くと、そのVTuberの推しメダルが付与されます。推しメダルは購入・換金・譲渡できず、そのVTuberの交換所でのみ使えます。",
          ],
        },
        {
          heading: "第5条（コンテンツの利用）",
          paragraphs: [
            "獲得したコンテンツの著作権その他の権利は、VTuberまたは正当な権利者に帰属します。個人的な視聴・鑑賞の範囲でご利用いただけ、複製・再配布・公衆送信・商用利用はできません。",
          ],
        },
        {
          heading: "第6条（禁止事項）",
          paragraphs: [
            "法令または公序良俗に反する行為、不正アクセス、他人のアカウントや決済手段の利用、コンテンツの無断転載、本サービスの運営を妨げる行為を禁止します。",
          ],
        },
        {
          heading: "第7条（キャンセル・返金）",
          paragraphs: [
            "購入確定後のキャンセル・返金は、法令に定める場合を除きお受けできません。詳しくは「特定商取引法に基づく表記」をご確認ください。",
          ],
        },
        {
          heading: "第8条（サービスの変更・停止）",
          paragraphs: ["保守や障害対応のため、本サービスの全部または一部を一時的に停止することがあります。"],
        },
        {
          heading: "第9条（責任の範囲）",
          paragraphs: [
            "当社は、当社の故意または重大な過失による場合を除き、本サービスに関して利用者に生じた損害について、その利用者が損害の発生した月に本サービスで支払った金額を上限として責任を負います。",
          ],
        },
        {
          heading: "第10条（規約の変更）",
          paragraphs: ["本規約を変更する場合は、変更内容と効力発生日を本サービス上で事前にお知らせします。"],
        },
        {
          heading: "第11条（準拠法・管轄）",
          paragraphs: [
            "本規約は日本法に準拠し、本サービスに関する紛争は東京地方裁判所を第一審の専属的合意管轄裁判所とします。",
          ],
        },
      ] satisfies LegalSection[],
    },
    privacy: {
      title: "プライバシーポリシー",
      updated: "2026年11月1日",
      intro:
        "こえポン！の運営者（以下「当社」）は、個人情報の保護に関する法律その他の法令を守り、利用者の個人情報を次のとおり取り扱います。",
      sections: [
        {
          heading: "1. 取得する情報",
          paragraphs: [
            "メールアドレス、表示名、生年月日、パスワード（ハッシュ化した値のみを保存します）。",
            "ガチャの購入・抽選結果・交換の履歴と、決済に関する情報。クレジットカード番号は決済代行会社が管理し、当社は保持しません。",
            "IPアドレス、ブラウザの種類、閲覧日時、リクエストIDなどのアクセス情報。",
          ],
        },
        {
          heading: "2. 利用目的",
          paragraphs: [
            "アカウントの提供と本人確認、決済と購入コンテンツの提供、年齢に応じたご利用金額上限の適用、不正利用の防止とセキュリティの確保、お問い合わせへの対応、個人を特定しない形での統計・サービス改善、法令に基づく対応のために利用します。",
          ],
        },
        {
          heading: "3. Cookie",
          paragraphs: [
            "ログイン状態の維持と表示言語の保存のために Cookie を使用します。広告目的の Cookie は使用しません。アクセス解析として、Cookie を使用しない Vercel Web Analytics を利用する場合があります。",
          ],
        },
        {
          heading: "4. 第三者への提供と業務委託",
          paragraphs: [
            "法令に基づく場合を除き、ご本人の同意なく個人データを第三者に提供しません。",
            "決済（Stripe）、ホスティング（Vercel）、データベース・ファイル保管（Supabase）などの業務を外部事業者に委託しています。一部の委託先は米国など日本国外にあり、個人データが国外で取り扱われる場合があります。委託先は適切な安全管理措置を講じている事業者を選び、監督します。",
          ],
        },
        {
          heading: "5. 安全管理措置",
          paragraphs: [
            "パスワードのハッシュ化、通信の暗号化、アクセス権限の最小化、データベースの行単位のアクセス制御などにより、個人データを保護します。",
          ],
        },
        {
          heading: "6. 保存期間",
          paragraphs: [
            "アカウントが存続する間と、退会後は取引記録など法令上必要な期間に限り保存し、その後削除します。",
          ],
        },
        {
          heading: "7. 開示・訂正・利用停止などのご請求",
          paragraphs: [
            "保有個人データの開示、訂正、利用停止、削除などをご希望の場合は、下記のお問い合わせ先までご連絡ください。ご本人であることを確認したうえで、法令に従って対応します。",
          ],
        },
        {
          heading: "8. 改定",
          paragraphs: ["本ポリシーを改定する場合は、本ページでお知らせします。"],
        },
      ] satisfies LegalSection[],
      contactHeading: "お問い合わせ先",
    },
  },
};

export type Messages = typeof ja;
