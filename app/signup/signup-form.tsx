"use client";

import Link from "next/link";
import { useState, type FormEvent } from "react";
import { FormField } from "@/app/_components/form-field";
import { CredentialField } from "@/app/_components/credential-field";
import { AuthFormAlert, invalidFields } from "@/app/_components/auth-form-alert";
import { useApiSubmit } from "@/app/_components/use-api-submit";
import { ageBand, ageOn, isCalendarDate } from "@/lib/auth/age";
import type { AccountMessages } from "@/lib/i18n/dictionaries/account";

interface Props {
  /** The sign-in page, carrying where to go after it; already checked to be on this site. */
  loginHref: string;
  /** Today in Japan (YYYY-MM-DD), from the server so both renders agree. */
  today: string;
  t: Pick<AccountMessages, "signup" | "fields" | "form" | "passwordReasons">;
}

/**
 * Every rule is the API's: the browser's validation is off (`noValidate`) so refusals are
 * the API's sentences in the fan's language, read out from one alert region. The only
 * rule computed here is whether to ask for a guardian's consent, from the birthdate in
 * Japan time, the way the server counts ages.
 *
 * Signing up signs nobody in: the API answers the same for a new address and one that
 * already has an account, and the mail tells them apart. So the form ends on "check your
 * mail", and the fan signs in once the address is confirmed.
 */
export function SignupForm({ loginHref, today, t }: Props) {
  const { pending, error, result, submit } = useApiSubmit<{ email: string }>();
  const [birthdate, setBirthdate] = useState("");
  const isMinor = isCalendarDate(birthdate) && birthdate <= today && ageBand(ageOn(birthdate, new Date())) !== "adult";
  const invalid = invalidFields(error);
  const ariaInvalid = (field: string) => invalid.includes(field) || undefined;

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    await submit("/api/auth/signup", {
      method: "POST",
      whenSignedOut: "throw",
      body: {
        email: String(data.get("email") ?? ""),
        password: String(data.get("password") ?? ""),
        displayName: String(data.get("displayName") ?? ""),
        birthdate,
        acceptTerms: data.get("acceptTerms") === "on",
        ...(isMinor && data.get("guardianConsent") === "on" ? { guardianConsent: true } : {}),
      },
    });
  }

  if (result) {
    return (
      <div className="panel" role="status">
        <h2>{t.signup.sentHeading}</h2>
        <p>{t.signup.sentBody.replace("{email}", result.email)}</p>
        <Link href={loginHref} className="button">
          {t.signup.signInLink}
        </Link>
      </div>
    );
  }

  return (
    <form className="auth-form" onSubmit={onSubmit} noValidate aria-describedby="signup-error">
      <CredentialField
        kind="email"
        id="signup-email"
        name="email"
        label={t.fields.email}
        required={t.fields.required}
        invalid={ariaInvalid("email")}
      />

      <CredentialField
        kind="new-password"
        id="signup-password"
        name="password"
        label={t.fields.password}
        required={t.fields.required}
        hint={t.signup.passwordRule}
        invalid={ariaInvalid("password")}
      />

      <FormField
        id="signup-display-name"
        label={t.fields.displayName}
        required={t.fields.required}
        hint={t.signup.displayNameRule}
      >
        <input
          id="signup-display-name"
          name="displayName"
          type="text"
          autoComplete="nickname"
          maxLength={50}
          required
          aria-describedby="signup-display-name-hint"
          aria-invalid={ariaInvalid("displayName")}
        />
      </FormField>

      <FormField
        id="signup-birthdate"
        label={t.fields.birthdate}
        required={t.fields.required}
        hint={t.signup.minorsNotice}
        hintStyle="notice"
      >
        <input
          id="signup-birthdate"
          name="birthdate"
          type="date"
          autoComplete="bday"
          max={today}
          required
          value={birthdate}
          onChange={(event) => setBirthdate(event.target.value)}
          aria-describedby="signup-birthdate-hint"
          aria-invalid={ariaInvalid("birthdate")}
        />
      </FormField>

      {isMinor && (
        <div className="checkbox-field checkbox-field--notice">
          <input
            id="signup-guardian-consent"
            name="guardianConsent"
            type="checkbox"
            required
            aria-invalid={ariaInvalid("guardianConsent")}
          />
          <label htmlFor="signup-guardian-consent">
            {t.signup.guardianConsent} <span className="form-field__required">{t.fields.required}</span>
          </label>
        </div>
      )}

      <div className="checkbox-field">
        <input
          id="signup-terms"
          name="acceptTerms"
          type="checkbox"
          required
          aria-invalid={ariaInvalid("acceptTerms")}
        />
        <label htmlFor="signup-terms">
          {t.signup.termsBefore}
          <a href="/legal/terms" target="_blank" rel="noopener">
            {t.signup.termsLink}
            <span className="visually-hidden">{t.form.newTab}</span>
          </a>
          {t.signup.termsAnd}
          <a href="/legal/privacy" target="_blank" rel="noopener">
            {t.signup.privacyLink}
            <span className="visually-hidden">{t.form.newTab}</span>
          </a>
          {t.signup.termsAfter} <span className="form-field__required">{t.fields.required}</span>
        </label>
      </div>

      <AuthFormAlert id="signup-error" error={error} t={t} />
      <button type="submit" className="button auth-form__submit" disabled={pending} aria-busy={pending}>
        {pending ? t.signup.submitting : t.signup.submit}
      </button>
    </form>
  );
}
