"use client";

import Link from "next/link";
import { useState, type FormEvent } from "react";
import { AuthFormAlert, invalidFields } from "@/app/_components/auth-form-alert";
import { CredentialField } from "@/app/_components/credential-field";
import { useApiSubmit } from "@/app/_components/use-api-submit";
import type { AccountMessages } from "@/lib/i18n/dictionaries/account";

interface Props {
  t: Pick<AccountMessages, "reset" | "fields" | "form" | "passwordReasons" | "signup">;
}

export function ResetRequestForm({ t }: Props) {
  const { pending, error, submit } = useApiSubmit();
  const [sentTo, setSentTo] = useState<string | null>(null);
  const invalid = invalidFields(error);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const email = String(new FormData(event.currentTarget).get("email") ?? "");
    setSentTo(null);
    if (await submit("/api/auth/password-reset", { method: "POST", body: { email }, whenSignedOut: "throw" })) {
      setSentTo(email.trim());
    }
  }

  return (
    <>
      <p>{t.reset.requestLead}</p>
      <form className="auth-form" onSubmit={onSubmit} noValidate aria-describedby="reset-request-error">
        <CredentialField
          kind="email"
          id="reset-email"
          name="email"
          label={t.fields.email}
          required={t.fields.required}
          invalid={invalid.includes("email")}
        />
        <AuthFormAlert id="reset-request-error" error={error} t={t} />
        <p role="status" className="form-status">
          {sentTo ? t.reset.requestSent.replace("{email}", sentTo) : ""}
        </p>
        <button type="submit" className="button auth-form__submit" disabled={pending} aria-busy={pending}>
          {pending ? t.reset.requesting : t.reset.requestSubmit}
        </button>
      </form>
    </>
  );
}

export function SetPasswordForm({ token, t }: Props & { token: string }) {
  const { pending, error, result, submit } = useApiSubmit();
  const invalid = invalidFields(error);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const newPassword = String(new FormData(event.currentTarget).get("newPassword") ?? "");
    await submit("/api/auth/password-reset/confirm", {
      method: "POST",
      body: { token, newPassword },
      whenSignedOut: "throw",
    });
  }

  if (result) {
    return (
      <div className="panel" role="status">
        <p>{t.reset.done}</p>
        <Link href="/login" className="button">
          {t.reset.signIn}
        </Link>
      </div>
    );
  }

  return (
    <>
      <p>{t.reset.setLead}</p>
      <form className="auth-form" onSubmit={onSubmit} noValidate aria-describedby="reset-set-error">
        <CredentialField
          kind="new-password"
          id="reset-new-password"
          name="newPassword"
          label={t.fields.newPassword}
          required={t.fields.required}
          hint={t.signup.passwordRule}
          invalid={invalid.includes("newPassword")}
        />
        <AuthFormAlert id="reset-set-error" error={error} t={t} />
        {error?.code === "link_invalid" && (
          <p>
            <Link href="/reset-password">{t.reset.requestSubmit}</Link>
          </p>
        )}
        <button type="submit" className="button auth-form__submit" disabled={pending} aria-busy={pending}>
          {pending ? t.reset.setting : t.reset.setSubmit}
        </button>
      </form>
    </>
  );
}
