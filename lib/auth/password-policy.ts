import "server-only";
/**
 * Password rules after NIST SP 800-63B (5.1.1.2): length, not composition. At least 8
 * and at most 128 characters (Unicode code points after NFKC, so a kanji counts as one),
 * any characters allowed, and no password that is known to be common or is built from
 * the account's own email or the service's name.
 */
import { dictionary } from "@zxcvbn-ts/language-common";

export const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MAX_LENGTH = 128;

export type PasswordRejection =
  "too_short" | "too_long" | "common" | "contains_email" | "contains_service_name" | "repetitive";

/**
 * zxcvbn-ts's list of the most used passwords (about 49,000 from breach corpora); a
 * password shorter than 8 is refused for length anyway, so only the longer ones are kept.
 */
const COMMON = new Set(
  dictionary["passwords-common"].map((p) => p.toLowerCase()).filter((p) => [...p].length >= PASSWORD_MIN_LENGTH),
);

const SERVICE_NAMES = ["koepon", "こえぽん", "こえポン", "コエポン"];
/** Shorter local parts ("a@…") are too common as substrings to forbid. */
const MIN_LOCAL_PART_TO_MATCH = 3;

/** Why the password is refused, or null when it is acceptable. */
export function checkPassword(password: string, context: { email: string }): PasswordRejection | null {
  const normalised = password.normalize("NFKC");
  const length = [...normalised].length;
  if (length < PASSWORD_MIN_LENGTH) return "too_short";
  if (length > PASSWORD_MAX_LENGTH) return "too_long";

  const lower = normalised.toLowerCase();
  if (COMMON.has(lower)) return "common";
  if (new Set(lower).size === 1) return "repetitive";

  const localPart = context.email.slice(0, context.email.lastIndexOf("@")).toLowerCase();
  if (lower === localPart || (localPart.length >= MIN_LOCAL_PART_TO_MATCH && lower.includes(localPart))) {
    return "contains_email";
  }
  if (SERVICE_NAMES.some((name) => lower.includes(name))) return "contains_service_name";
  return null;
}
