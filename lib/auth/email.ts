/**
 * How an email address becomes an account key.
 *
 * Only what is certainly the same mailbox is merged: surrounding spaces are dropped and
 * the address is lower-cased (validator's `normalizeEmail` with every provider-specific
 * rewrite switched off). Gmail dots, `+tags` and googlemail.com are NOT folded: those
 * rules belong to one provider, change over time, and folding them would store an
 * address the user never typed and may not receive mail at. The price is that one
 * person can sign up twice with `a.b@gmail.com` and `ab@gmail.com`, as they could with
 * two mailboxes anyway.
 *
 * Addresses must be ASCII (an internationalised domain in its xn-- form): the database
 * compares lower-case forms, and ASCII is where JavaScript and PostgreSQL agree on case.
 */
import isEmail from "validator/lib/isEmail";
import normalizeEmail from "validator/lib/normalizeEmail";

/** What the users table allows (RFC 5321's practical limit). */
export const EMAIL_MAX_LENGTH = 254;

const PRINTABLE_ASCII = /^[\x21-\x7e]+$/;

/** The normalised address, or null when it is not a valid address. */
export function normaliseEmail(input: string): string | null {
  const trimmed = input.trim();
  if (trimmed.length > EMAIL_MAX_LENGTH || !PRINTABLE_ASCII.test(trimmed)) return null;
  if (!isEmail(trimmed, { allow_display_name: false, require_tld: true, allow_ip_domain: false })) return null;
  const normalised = normalizeEmail(trimmed, {
    all_lowercase: true,
    gmail_lowercase: true,
    gmail_remove_dots: false,
    gmail_remove_subaddress: false,
    gmail_convert_googlemaildotcom: false,
    outlookdotcom_lowercase: true,
    outlookdotcom_remove_subaddress: false,
    yahoo_lowercase: true,
    yahoo_remove_subaddress: false,
    yandex_lowercase: true,
    yandex_convert_yandexru: false,
    icloud_lowercase: true,
    icloud_remove_subaddress: false,
  });
  return normalised || null;
}
