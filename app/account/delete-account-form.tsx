"use client";

import { useState, type FormEvent } from "react";
import { AuthFormAlert, invalidFields } from "@/app/_components/auth-form-alert";
import { FormField } from "@/app/_components/form-field";
import { CredentialField } from "@/app/_components/credential-field";
import { ApiClientError, apiFetch } from "@/lib/client/api";
import { loadPageAfterSessionChange } from "@/lib/client/session-navigation";
import type { AccountMessages } from "@/lib/i18n/dictionaries/account";
import type { AccountDataMessages } from "@/lib/i18n/dictionaries/account-data";

interface Props {
  t: AccountDataMessages["deleteAccount"];
  alert: Pick<AccountMessages, "fields" | "form" | "passwordReasons">;
}

/**
 * Two steps: a button that opens the form, then the current password and the typed
 * confirmation. The server checks both; on success the session is gone and the fan
 * lands on the top page signed out.
 */
export function DeleteAccountForm({ t, alert }: Props) {
  const [open, setOpen] = useState(false);
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<ApiClientError | null>(null);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setPending(true);
    setError(null);
    try {
      await apiFetch("/api/me/delete", {
        method: "POST",
        body: { password: String(form.get("password") ?? ""), confirmation: String(form.get("confirmation") ?? "") },
        whenSignedOut: "throw",
      });
    } catch (err) {
      if (!(err instanceof ApiClientError)) throw err;
      setError(err);
      setPending(false);
      return;
    }
    loadPageAfterSessionChange("/");
  }

  if (!open) {
    return (
      <div className="button-row">
        <button type="button" className="button button--danger" onClick={() => setOpen(true)}>
          {t.start}
        </button>
      </div>
    );
  }

  const invalid = invalidFields(error);
  return (
    <form onSubmit={onSubmit} noValidate aria-labelledby="delete-confirm-heading" aria-describedby="delete-error">
      <h3 id="delete-confirm-heading">{t.confirmHeading}</h3>
      <CredentialField
        kind="current-password"
        id="delete-password"
        name="password"
        label={t.password}
        invalid={invalid.includes("password")}
      />
      <FormField id="delete-confirmation" label={t.confirmation} hint={t.confirmationHint}>
        <input
          id="delete-confirmation"
          name="confirmation"
          type="text"
          autoComplete="off"
          required
          aria-describedby="delete-confirmation-hint"
          aria-invalid={invalid.includes("confirmation") || undefined}
        />
      </FormField>
      <AuthFormAlert id="delete-error" error={error} t={alert} />
      <div className="button-row">
        <button type="submit" className="button button--danger" disabled={pending} aria-busy={pending}>
          {pending ? t.pending : t.submit}
        </button>
        <button type="button" className="button button--secondary" disabled={pending} onClick={() => setOpen(false)}>
          {t.cancel}
        </button>
      </div>
    </form>
  );
}
