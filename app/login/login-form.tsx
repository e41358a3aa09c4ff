"use client";

import { useEffect, type FormEvent } from "react";
import { CredentialField } from "@/app/_components/credential-field";
import { AuthFormAlert, invalidFields } from "@/app/_components/auth-form-alert";
import { useSessionSubmit } from "@/app/_components/use-session-submit";
import { resumeSession } from "@/lib/client/api";
import { loadPageAfterSessionChange } from "@/lib/client/session-navigation";
import type { AccountMessages } from "@/lib/i18n/dictionaries/account";

interface Props {
  /** Where to go once signed in; already checked to be a path on this site. */
  next: string;
  t: Pick<AccountMessages, "login" | "fields" | "form" | "passwordReasons">;
}

/**
 * The form submits through script so the API's sentence can be shown in place; the
 * browser's own validation bubbles are switched off (`noValidate`) because they speak
 * the browser's language, not the one the fan chose.
 */
export function LoginForm({ next, t }: Props) {
  const { pending, error, submit } = useSessionSubmit(next);
  const invalid = invalidFields(error);

  // The access cookie lasts 15 minutes, the session 30 days: a fan sent here after a
  // break is usually still signed in, and goes straight back without typing anything.
  useEffect(() => {
    let cancelled = false;
    void resumeSession().then((signedIn) => {
      if (signedIn && !cancelled) loadPageAfterSessionChange(next);
    });
    return () => {
      cancelled = true;
    };
  }, [next]);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    await submit("/api/auth/login", {
      email: String(data.get("email") ?? ""),
      password: String(data.get("password") ?? ""),
    });
  }

  return (
    <form className="auth-form" onSubmit={onSubmit} noValidate aria-describedby="login-error">
      <CredentialField
        kind="email"
        id="login-email"
        name="email"
        label={t.fields.email}
        required={t.fields.required}
        invalid={error?.code === "invalid_credentials" || invalid.includes("email")}
      />
      <CredentialField
        kind="current-password"
        id="login-password"
        name="password"
        label={t.fields.password}
        required={t.fields.required}
        invalid={error?.code === "invalid_credentials" || invalid.includes("password")}
      />
      <AuthFormAlert id="login-error" error={error} t={t} />
      <button type="submit" className="button auth-form__submit" disabled={pending} aria-busy={pending}>
        {pending ? t.login.submitting : t.login.submit}
      </button>
    </form>
  );
}
