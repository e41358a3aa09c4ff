/**
 * Why the domain refuses: a code from one vocabulary, and details a client can act on
 * (which field, how many medals short, how much is left this month). Nothing here knows
 * about HTTP: `lib/api/errors.ts` gives each code its status, its sentence in Japanese
 * and English, and any response headers. This module imports nothing, so every layer,
 * the browser's included, can use it.
 */

export type DomainErrorCode =
  // input the domain rules refuse
  | "validation_failed"
  | "not_found"
  | "forbidden"
  // identity and sessions
  | "unauthenticated"
  | "token_invalid"
  | "token_expired"
  | "invalid_credentials"
  | "refresh_token_invalid"
  | "account_suspended"
  | "login_throttled"
  | "email_taken"
  | "password_rejected"
  | "underage_without_consent"
  | "reauthentication_required"
  | "current_password_incorrect"
  | "confirmation_mismatch"
  | "vtuber_has_open_campaigns"
  | "email_unverified"
  | "link_invalid"
  | "mail_throttled"
  // catalog and campaigns
  | "vtuber_not_found"
  | "campaign_not_found"
  | "campaign_not_active"
  // payments
  | "idempotency_key_reused"
  | "payment_failed"
  | "payment_requires_action"
  | "payment_method_invalid"
  | "payment_method_not_yours"
  | "card_setup_unavailable"
  | "purchase_in_progress"
  | "spending_cap_exceeded"
  | "webhook_signature_invalid"
  // commit–reveal draws
  | "seed_rotation_blocked"
  // exchange and rewards
  | "exchange_item_not_found"
  | "exchange_not_available"
  | "insufficient_medals"
  | "out_of_stock"
  | "exchange_limit_reached"
  | "already_owned"
  | "reward_not_found"
  // admin reviews
  | "own_submission"
  | "review_state_conflict"
  // a rate table the database's checks (or the builder's lint, which agrees with them) refuse
  | "rate_table_invalid"
  | "refund_not_allowed"
  | "refund_failed"
  // admin role changes
  | "own_role_change"
  | "role_requires_application"
  | "role_has_live_campaigns"
  // signed file URLs
  | "signed_url_invalid"
  | "signed_url_expired"
  // the VTuber console
  | "application_exists"
  | "slug_taken"
  | "file_type_not_allowed"
  | "file_too_large"
  | "media_unreadable"
  | "storage_quota_exceeded"
  | "upload_not_found"
  | "upload_already_received"
  | "upload_not_received"
  | "upload_expired"
  | "campaign_not_editable"
  | "rates_not_open"
  | "exchange_item_not_editable"
  // capacity
  | "server_busy";

export interface ErrorDetail {
  /** Dotted path of the offending field, when there is one. */
  field?: string;
  /** Machine-readable reason, e.g. `any.required`, `string.min`. */
  reason: string;
  message?: string;
  [key: string]: unknown;
}

const BRAND = Symbol.for("koepon.DomainError");

export class DomainError extends Error {
  readonly [BRAND] = true;

  constructor(
    readonly code: DomainErrorCode,
    readonly details: ErrorDetail[] = [],
  ) {
    super(code);
    this.name = "DomainError";
  }

  /**
   * Recognised by a process-wide brand, not by class identity: Next bundles this module
   * into several chunks, and an error thrown by the database handle the server opened
   * at start (another chunk's copy) must still map to its 4xx/5xx, never to a 500.
   */
  static [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === "object" && value !== null && (value as { [BRAND]?: unknown })[BRAND] === true;
  }
}
