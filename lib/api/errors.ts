import { readCookie } from "../auth/cookies";
import type { DomainErrorCode, ErrorDetail } from "../domain-error";

/** Refusals of the request itself, raised by the HTTP layer before or instead of a domain call. */
type RequestErrorCode =
  | "invalid_json"
  | "invalid_path"
  | "method_not_allowed"
  | "unsupported_media_type"
  | "body_too_large"
  | "idempotency_key_required"
  | "csrf_rejected"
  | "rate_limited"
  | "service_unavailable"
  | "internal_error";

export type ApiErrorCode = DomainErrorCode | RequestErrorCode;

interface ErrorEntry {
  status: number;
  ja: string;
  en: string;
  /** Response headers the answer carries, read from the error's details. */
  headers?: (details: readonly ErrorDetail[]) => Record<string, string>;
}

/** `Retry-After` from the first detail that names a wait, if any. */
function retryAfterFromDetails(details: readonly ErrorDetail[]): Record<string, string> {
  const seconds = details.find((d) => typeof d.retryAfterSeconds === "number")?.retryAfterSeconds;
  return seconds === undefined ? {} : { "Retry-After": String(seconds) };
}

/** `Allow` from the detail that lists the methods a path answers. */
function allowFromDetails(details: readonly ErrorDetail[]): Record<string, string> {
  const allow = details.find((d) => Array.isArray(d.allow))?.allow as string[] | undefined;
  return allow === undefined ? {} : { Allow: allow.join(", ") };
}

/**
 * The one table of API errors: every error the API can answer with has a code here,
 * with its HTTP status, a sentence in Japanese and English, and the headers it sets.
 * Clients switch on `code`; people read `message`.
 */
export const API_ERRORS = {
  validation_failed: { status: 400, ja: "入力内容に誤りがあります。", en: "Some fields are invalid." },
  invalid_json: { status: 400, ja: "リクエストの形式が正しくありません。", en: "The request body is not valid JSON." },
  invalid_path: {
    status: 400,
    ja: "URLの形式が正しくありません。",
    en: "The request path is not valid.",
  },
  method_not_allowed: {
    status: 405,
    ja: "このURLではこの操作はできません。",
    en: "This method is not allowed on this path.",
    headers: allowFromDetails,
  },
  unsupported_media_type: {
    status: 415,
    ja: "JSON形式で送信してください。",
    en: "Send the request body as application/json.",
  },
  body_too_large: { status: 413, ja: "リクエストが大きすぎます。", en: "The request body is too large." },
  idempotency_key_required: {
    status: 400,
    ja: "Idempotency-Keyヘッダーが必要です。",
    en: "This request needs an Idempotency-Key header.",
  },
  unauthenticated: { status: 401, ja: "ログインしてください。", en: "Please sign in." },
  token_invalid: {
    status: 401,
    ja: "ログイン情報が無効です。もう一度ログインしてください。",
    en: "Your sign-in is not valid. Please sign in again.",
  },
  token_expired: { status: 401, ja: "ログインの有効期限が切れました。", en: "Your sign-in has expired." },
  invalid_credentials: {
    status: 401,
    ja: "メールアドレスまたはパスワードが正しくありません。",
    en: "The email or password is incorrect.",
  },
  refresh_token_invalid: {
    status: 401,
    ja: "セッションが無効です。もう一度ログインしてください。",
    en: "Your session is no longer valid. Please sign in again.",
  },
  account_suspended: { status: 403, ja: "このアカウントは停止されています。", en: "This account is suspended." },
  forbidden: { status: 403, ja: "この操作は許可されていません。", en: "You are not allowed to do this." },
  csrf_rejected: {
    status: 403,
    ja: "不正なリクエスト元のため拒否しました。",
    en: "The request was refused because it came from another site.",
  },
  not_found: { status: 404, ja: "見つかりませんでした。", en: "Not found." },
  campaign_not_found: {
    status: 404,
    ja: "ガチャが見つかりませんでした。",
    en: "This gacha does not exist or is not open.",
  },
  vtuber_not_found: { status: 404, ja: "VTuberが見つかりませんでした。", en: "This VTuber does not exist." },
  email_taken: {
    status: 409,
    ja: "このメールアドレスは既に登録されています。",
    en: "An account with this email already exists.",
  },
  idempotency_key_reused: {
    status: 409,
    ja: "同じIdempotency-Keyが別の内容で使われています。",
    en: "This Idempotency-Key was already used for a different request.",
  },
  payment_failed: { status: 402, ja: "お支払いができませんでした。", en: "The payment did not go through." },
  payment_requires_action: {
    status: 402,
    ja: "お支払いを完了するには追加の認証が必要です。表示された画面で手続きを続けてください。",
    en: "This payment needs one more step. Continue at the link provided to complete it.",
  },
  payment_method_invalid: {
    status: 400,
    ja: "このお支払い方法は使用できません。別のお支払い方法を選んでください。",
    en: "This payment method cannot be used. Choose another one.",
  },
  payment_method_not_yours: {
    status: 403,
    ja: "このカードはあなたのアカウントに登録されていないため使用できません。登録済みのカードを選んでください。",
    en: "This card is not saved to your account. Choose one of your saved cards.",
  },
  card_setup_unavailable: {
    status: 409,
    ja: "この環境ではカードを登録できません（テスト用のカードをお使いください）。",
    en: "Cards cannot be saved here: this server uses test payments only.",
  },
  seed_rotation_blocked: {
    status: 409,
    ja: "処理中のお支払いがあるため、シードを公開できません。お支払いが終わってからもう一度お試しください。",
    en: "A payment is still in progress under this seed. Rotate it once the payment has finished.",
  },
  purchase_in_progress: {
    status: 409,
    ja: "このお支払いはまだ処理中です。しばらくしてから同じ内容でもう一度お試しください。",
    en: "This payment is still being processed. Try again with the same request shortly.",
    // The provider settles within seconds; a client polling faster only adds load.
    headers: () => ({ "Retry-After": "2" }),
  },
  spending_cap_exceeded: {
    status: 422,
    ja: "今月のご利用上限額を超えるため購入できません。",
    en: "This purchase would go over your monthly spending limit.",
  },
  webhook_signature_invalid: {
    status: 400,
    ja: "Webhookの署名を確認できませんでした。",
    en: "The webhook signature could not be verified.",
  },
  password_rejected: {
    status: 422,
    ja: "このパスワードは使用できません。",
    en: "This password cannot be used.",
  },
  reauthentication_required: {
    status: 403,
    ja: "安全のため、もう一度ログインしてからお試しください。",
    en: "For your security, please sign in again and retry.",
  },
  email_unverified: {
    status: 403,
    ja: "お支払いの前にメールアドレスの確認が必要です。届いたメールのリンクを開いてください。",
    en: "Confirm your email address before paying: open the link in the mail we sent you.",
  },
  current_password_incorrect: {
    status: 403,
    ja: "現在のパスワードが正しくありません。",
    en: "The current password is incorrect.",
  },
  confirmation_mismatch: {
    status: 422,
    ja: "確認の文字列が一致しません。",
    en: "The confirmation text does not match.",
  },
  vtuber_has_open_campaigns: {
    status: 409,
    ja: "公開中または審査中のガチャがあるため、アカウントを削除できません。終了してからもう一度お試しください。",
    en: "This account has gacha campaigns in review or open. End them before deleting the account.",
  },
  link_invalid: {
    status: 400,
    ja: "このリンクは無効か、期限切れか、既に使われています。もう一度お手続きください。",
    en: "This link is invalid, has expired or was already used. Please start again.",
  },
  mail_throttled: {
    status: 429,
    ja: "メールの送信回数が上限に達しました。しばらくしてからお試しください。",
    en: "Too many mails were requested. Please try again later.",
    headers: retryAfterFromDetails,
  },
  underage_without_consent: {
    status: 422,
    ja: "未成年の方は保護者の同意が必要です。",
    en: "Minors need a guardian's consent.",
  },
  campaign_not_active: {
    status: 422,
    ja: "このガチャは現在引くことができません（公開前または終了済みです）。",
    en: "This gacha is not open for pulls right now: it has not started or has ended.",
  },
  rate_limited: {
    status: 429,
    ja: "リクエストが多すぎます。しばらくしてからお試しください。",
    en: "Too many requests. Please wait and try again.",
  },
  login_throttled: {
    status: 429,
    ja: "ログインの試行が多すぎます。しばらくしてからお試しください。",
    en: "Too many sign-in attempts. Please wait and try again.",
    headers: retryAfterFromDetails,
  },
  exchange_item_not_found: {
    status: 404,
    ja: "交換アイテムが見つかりませんでした。",
    en: "This exchange item does not exist.",
  },
  exchange_not_available: {
    status: 422,
    ja: "このアイテムは現在交換できません。",
    en: "This item cannot be exchanged right now.",
  },
  insufficient_medals: {
    status: 422,
    ja: "推しメダルが足りません。",
    en: "You do not have enough oshi medals for this item.",
  },
  out_of_stock: { status: 422, ja: "このアイテムは在庫切れです。", en: "This item is out of stock." },
  exchange_limit_reached: {
    status: 422,
    ja: "このアイテムの交換上限に達しています。",
    en: "You have reached the exchange limit for this item.",
  },
  already_owned: {
    status: 422,
    ja: "このコンテンツは既に特典BOXにあります。メダルは消費されていません。",
    en: "This content is already in your reward box. No medals were spent.",
  },
  reward_not_found: { status: 404, ja: "特典が見つかりませんでした。", en: "This reward is not in your reward box." },
  own_submission: {
    status: 403,
    ja: "ご自身の申請は審査できません。別の管理者が審査します。",
    en: "You cannot review your own submission. Another admin has to.",
  },
  review_state_conflict: {
    status: 409,
    ja: "この申請は審査待ちではありません（既に審査済みか、取り下げられています）。",
    en: "This submission is not waiting for review: it was already decided or withdrawn.",
  },
  refund_not_allowed: {
    status: 409,
    ja: "この購入は返金できません（未決済、または決済が完了していません）。",
    en: "This purchase cannot be refunded: it was not paid or is not settled yet.",
  },
  refund_failed: {
    status: 502,
    ja: "決済事業者で返金を完了できませんでした。返金は受付済みのまま残っています。しばらくしてから再度お試しください。",
    en: "The payment provider did not complete the refund. It stays requested; try again shortly.",
  },
  own_role_change: {
    status: 403,
    ja: "ご自身のロールは変更できません。別の管理者が変更します。",
    en: "You cannot change your own role. Another admin has to.",
  },
  role_requires_application: {
    status: 422,
    ja: "VTuberになるには、承認されたVTuber申請が必要です。申請を審査してください。",
    en: "An account becomes a VTuber only through an approved VTuber application. Review their application instead.",
  },
  role_has_live_campaigns: {
    status: 409,
    ja: "審査中・公開中のキャンペーンまたは交換アイテムがあるため、ファンに戻せません。先に終了させてください。",
    en: "This VTuber still has campaigns or exchange items in review or live. End them first.",
  },
  signed_url_invalid: { status: 403, ja: "このリンクは無効です。", en: "This link is not valid." },
  signed_url_expired: {
    status: 410,
    ja: "このリンクの有効期限が切れました。特典BOXから開き直してください。",
    en: "This link has expired. Open the file again from your reward box.",
  },
  application_exists: {
    status: 409,
    ja: "VTuber申請は既に受け付けています。審査結果をお待ちください。",
    en: "Your VTuber application is already in. Please wait for the review.",
  },
  slug_taken: {
    status: 409,
    ja: "このURL名は既に使われています。別の名前を選んでください。",
    en: "This URL name is already taken. Choose another.",
  },
  file_type_not_allowed: {
    status: 415,
    ja: "この種類のファイルはアップロードできません。ファイルの中身で判定しています。",
    en: "This type of file cannot be uploaded. The type is judged by the file's contents.",
  },
  file_too_large: {
    status: 413,
    ja: "ファイルが大きすぎます。",
    en: "The file is too large.",
  },
  media_unreadable: {
    status: 422,
    ja: "ファイルを読み取れませんでした。壊れていないか確認してください。",
    en: "The file could not be read. Check that it is not damaged.",
  },
  storage_quota_exceeded: {
    status: 422,
    ja: "ライブラリの容量上限を超えるためアップロードできません。",
    en: "This upload would go over your library's storage limit.",
  },
  upload_not_found: { status: 404, ja: "アップロードが見つかりませんでした。", en: "This upload does not exist." },
  upload_already_received: {
    status: 409,
    ja: "このアップロード用URLは既に使われています。もう一度アップロードをやり直してください。",
    en: "This upload URL has already been used. Start the upload again.",
  },
  upload_not_received: {
    status: 409,
    ja: "ファイルがまだ届いていません。アップロードを完了してください。",
    en: "The file has not arrived yet. Finish the upload first.",
  },
  upload_expired: {
    status: 410,
    ja: "アップロードの有効期限が切れました。もう一度やり直してください。",
    en: "This upload has expired. Start it again.",
  },
  campaign_not_editable: {
    status: 409,
    ja: "審査中または承認済みのガチャは編集できません。",
    en: "A gacha in review or approved cannot be edited.",
  },
  rates_not_open: {
    status: 409,
    ja: "新しい排出率はこの状態では編集・提出できません。承認済みのガチャで「新しい排出率を提案」してください（審査中は編集できません）。",
    en: "New rates cannot be edited or submitted now. Propose new rates on an approved gacha first (they cannot change while in review).",
  },
  exchange_item_not_editable: {
    status: 409,
    ja: "審査中の交換アイテムは編集できません。",
    en: "An exchange item in review cannot be edited.",
  },
  rate_table_invalid: {
    status: 422,
    ja: "排出率表に問題があるため、提出・承認できません。各項目の説明を確認してください。",
    en: "The rate table has problems and cannot be submitted or approved. See each one explained.",
  },
  server_busy: {
    status: 503,
    ja: "ただいまアクセスが集中しています。少し待ってからもう一度お試しください。何も処理されていません。",
    en: "The server is busy right now. Wait a moment and try again: nothing was done.",
    headers: retryAfterFromDetails,
  },
  service_unavailable: {
    status: 503,
    ja: "ただいま混み合っています。しばらくしてからお試しください。",
    en: "The service is busy. Please try again shortly.",
  },
  internal_error: {
    status: 500,
    ja: "問題が発生しました。時間をおいてお試しください。",
    en: "Something went wrong. Please try again later.",
  },
} as const satisfies Record<ApiErrorCode, ErrorEntry>;

/**
 * Thrown by the HTTP layer (body parsing, request headers, the route wrapper) for a
 * request it refuses before or instead of a domain call. Domain code throws `DomainError`.
 */
export class RequestError extends Error {
  constructor(
    readonly code: ApiErrorCode,
    readonly details: ErrorDetail[] = [],
  ) {
    super(code);
    this.name = "RequestError";
  }
}

/** The headers the table gives an error of `code` with these details. */
export function errorHeaders(code: ApiErrorCode, details: readonly ErrorDetail[] = []): Record<string, string> {
  const entry: ErrorEntry = API_ERRORS[code];
  return entry.headers?.(details) ?? {};
}

export type Lang = "ja" | "en";

/**
 * The language of a request's answers: the site's `lang` cookie (what the fan chose in
 * the footer), else English when the browser asks for it first, else Japanese.
 */
export function requestLang(headers: Headers): Lang {
  const cookie = readCookie(headers, "lang");
  if (cookie === "ja" || cookie === "en") return cookie;
  const first = headers.get("accept-language")?.split(",")[0]?.trim().toLowerCase() ?? "";
  return first.startsWith("en") ? "en" : "ja";
}

/** The error body every API error has: `{"error":{"code","message","details"}}`. */
export function errorBody(code: ApiErrorCode, lang: Lang, details: readonly ErrorDetail[] = []) {
  return { error: { code, message: API_ERRORS[code][lang], details } };
}

/**
 * A JSON error response with the table's status and headers; `headers` adds the
 * caller's own (the rate limiter's budget, a request id). Usable from the Edge gate as
 * well as from route handlers.
 */
export function errorResponse(
  code: ApiErrorCode,
  options: { lang?: Lang; details?: readonly ErrorDetail[]; headers?: Record<string, string> } = {},
): Response {
  return new Response(JSON.stringify(errorBody(code, options.lang ?? "ja", options.details)), {
    status: API_ERRORS[code].status,
    headers: {
      "content-type": "application/json; charset=utf-8",
      "cache-control": "no-store",
      ...errorHeaders(code, options.details),
      ...options.headers,
    },
  });
}
