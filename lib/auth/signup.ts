import "server-only";
/**
 * Creating an account: the checks Joi cannot make (a real address, a real birthdate, the
 * password rules, a guardian's consent for minors), then the user row and the first
 * session in one transaction, so a signup either signs in or leaves nothing behind.
 */
import { asService } from "../db/session";
import { DomainError, type ErrorDetail } from "../domain-error";
import { ageOn, isCalendarDate, jstDate } from "./age";
import { normaliseEmail } from "./email";
import { hashPassword } from "./password";
import { checkPassword } from "./password-policy";
import { startSession, type AuthDeps, type SignedIn } from "./session";
import { TERMS_VERSION } from "./terms";

export interface SignupInput {
  email: string;
  password: string;
  displayName: string;
  /** YYYY-MM-DD */
  birthdate: string;
  acceptTerms: true;
  /** A minor's statement that a guardian consented (未成年者の法定代理人の同意). */
  guardianConsent?: boolean;
}

export const DISPLAY_NAME_MAX_LENGTH = 50;
/** Nobody alive is older; an earlier year is a typo. */
const MAX_AGE = 120;
const ADULT_AGE = 18;
const CONTROL_CHARACTERS = /\p{Cc}/u;

export async function signup(deps: AuthDeps, input: SignupInput, userAgent: string | null): Promise<SignedIn> {
  const { email, displayName, age } = checkFields(input, deps.now);

  const rejection = checkPassword(input.password, { email });
  if (rejection) throw new DomainError("password_rejected", [{ field: "password", reason: rejection }]);
  if (age < ADULT_AGE && input.guardianConsent !== true) {
    throw new DomainError("underage_without_consent", [{ field: "guardianConsent", reason: "required_under_18" }]);
  }

  const passwordHash = await hashPassword(input.password, deps.bcryptCost);
  try {
    return await asService(deps.db, "signup", async (tx) => {
      const [user] = await tx.query<{ id: string }>(
        `insert into public.users
           (email, password_hash, display_name, birthdate, role, status, terms_version, terms_accepted_at,
            guardian_consent_at)
         values ($1, $2, $3, $4, 'user', 'active', $5, $6, $7)
         returning id`,
        [email, passwordHash, displayName, input.birthdate, TERMS_VERSION, deps.now, age < ADULT_AGE ? deps.now : null],
      );
      const tokens = await startSession(tx, deps, { id: user!.id, role: "user" }, userAgent);
      return { user: { id: user!.id, email, displayName, role: "user" as const }, ...tokens };
    });
  } catch (err) {
    // The unique index decides between two signups racing for one address.
    if (isUniqueViolation(err, "users_email_key"))
      throw new DomainError("email_taken", [{ field: "email", reason: "taken" }]);
    throw err;
  }
}

function checkFields(input: SignupInput, now: Date): { email: string; displayName: string; age: number } {
  const details: ErrorDetail[] = [];
  const email = normaliseEmail(input.email);
  if (email === null) details.push({ field: "email", reason: "email.invalid" });

  const displayName = input.displayName.trim();
  const nameLength = [...displayName].length;
  if (nameLength < 1 || nameLength > DISPLAY_NAME_MAX_LENGTH) {
    details.push({ field: "displayName", reason: "string.length", min: 1, max: DISPLAY_NAME_MAX_LENGTH });
  } else if (CONTROL_CHARACTERS.test(displayName)) {
    details.push({ field: "displayName", reason: "string.control_characters" });
  }

  let age = 0;
  if (!isCalendarDate(input.birthdate)) {
    details.push({ field: "birthdate", reason: "date.invalid" });
  } else if (input.birthdate > jstDate(now)) {
    details.push({ field: "birthdate", reason: "date.future" });
  } else {
    age = ageOn(input.birthdate, now);
    if (age > MAX_AGE) details.push({ field: "birthdate", reason: "date.too_old", maxAge: MAX_AGE });
  }

  if (details.length > 0) throw new DomainError("validation_failed", details);
  return { email: email!, displayName, age };
}

function isUniqueViolation(err: unknown, constraint: string): boolean {
  const e = err as { code?: unknown; constraint?: unknown; message?: unknown } | null;
  if (e?.code !== "23505") return false;
  // pg reports the constraint; PGlite only names it in the message.
  return e.constraint === constraint || (typeof e.message === "string" && e.message.includes(`"${constraint}"`));
}
