import "server-only";
/**
 * Creating an account, answered the same whether or not the address already has one, so
 * the form cannot be used to find out who is a customer:
 * - the checks Joi cannot make (a real address, a real birthdate, the password rules, a
 *   guardian's consent for minors) come first and do not depend on the address;
 * - the password is hashed in both cases, so both take bcrypt's time;
 * - a new address gets its user row (unverified) and a verification link; an address
 *   with an account gets, instead, a mail telling its owner someone tried to sign up
 *   with it. Either way one mail is sent, after the answer (lib/api/after-response.ts);
 * - nobody is signed in by signing up. The new user opens the link, then signs in with
 *   their password: signing in at once would tell a new address from a taken one.
 * The unique index on the address settles two signups racing for one address: the
 * second finds the first's row and is answered as for a taken address.
 */
import { auditAccount } from "../account/audit";
import { issueToken, LINKS_PER_HOUR, TOKEN_TTL_MS } from "../account/tokens";
import { link, type PendingMail } from "../account/mail";
import type { AccountDeps } from "../account/deps";
import { asService } from "../db/session";
import { DomainError, type ErrorDetail } from "../domain-error";
import { ageOn, isCalendarDate, jstDate } from "./age";
import { normaliseEmail } from "./email";
import { hashPassword } from "./password";
import { checkPassword } from "./password-policy";
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

/** What signup answers, identical for a new and a taken address. */
export interface SignupAccepted {
  status: "verification_sent";
  email: string;
}

export const DISPLAY_NAME_MAX_LENGTH = 50;
/** Nobody alive is older; an earlier year is a typo. */
const MAX_AGE = 120;
const ADULT_AGE = 18;
const CONTROL_CHARACTERS = /\p{Cc}/u;
const HOUR_MS = 3_600_000;

export async function signup(
  deps: Pick<AccountDeps, "db" | "now" | "bcryptCost" | "appUrl">,
  input: SignupInput,
  options: { requestId?: string } = {},
): Promise<{
  answer: SignupAccepted;
  mails: PendingMail[];
  /** The new account, or null when the address had one (for tools and tests; never answered). */
  createdUserId: string | null;
}> {
  const { email, displayName, age } = checkFields(input, deps.now);

  const rejection = checkPassword(input.password, { email });
  if (rejection) throw new DomainError("password_rejected", [{ field: "password", reason: rejection }]);
  if (age < ADULT_AGE && input.guardianConsent !== true) {
    throw new DomainError("underage_without_consent", [{ field: "guardianConsent", reason: "required_under_18" }]);
  }

  const passwordHash = await hashPassword(input.password, deps.bcryptCost);
  const { mails, createdUserId } = await asService(deps.db, "signup", async (tx) => {
    const [created] = await tx.query<{ id: string }>(
      `insert into public.users
         (email, password_hash, display_name, birthdate, role, status, terms_version, terms_accepted_at,
          guardian_consent_at)
       values ($1, $2, $3, $4, 'user', 'active', $5, $6, $7)
       on conflict (email) do nothing
       returning id`,
      [email, passwordHash, displayName, input.birthdate, TERMS_VERSION, deps.now, age < ADULT_AGE ? deps.now : null],
    );
    if (created) {
      const token = await issueToken(tx, { userId: created.id, purpose: "verify_email", now: deps.now });
      await auditAccount(tx, {
        userId: created.id,
        action: "account.signup",
        now: deps.now,
        requestId: options.requestId,
      });
      const mail = { kind: "verify_email", displayName, link: link(deps, "/verify-email", token) } as const;
      const mails: PendingMail[] = [
        { to: email, mail: { ...mail, expiresHours: TOKEN_TTL_MS.verify_email / HOUR_MS } },
      ];
      return { mails, createdUserId: created.id };
    }

    const [existing] = await tx.query<{ id: string }>("select id from public.users where email = $1", [email]);
    await auditAccount(tx, {
      userId: existing!.id,
      action: "account.signup_existing",
      now: deps.now,
      requestId: options.requestId,
    });
    // The notice is audited each time, but mailed at most a few times an hour.
    const recent = await tx.query(
      `select 1 from public.audit_log
        where actor_id = $1 and action = 'account.signup_existing' and created_at > $2`,
      [existing!.id, new Date(deps.now.getTime() - HOUR_MS)],
    );
    if (recent.length > LINKS_PER_HOUR) return { mails: [], createdUserId: null };
    const notice: PendingMail = {
      to: email,
      mail: { kind: "signup_existing", loginLink: link(deps, "/login"), resetLink: link(deps, "/reset-password") },
    };
    return { mails: [notice], createdUserId: null };
  });
  return { answer: { status: "verification_sent", email }, mails, createdUserId };
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
