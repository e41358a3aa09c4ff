"use client";

import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { AuthFormAlert } from "@/app/_components/auth-form-alert";
import { ApiClientError, apiFetch } from "@/lib/client/api";
import type { AccountMessages } from "@/lib/i18n/dictionaries/account";
import { FormField } from "@/app/_components/form-field";

interface Props {
  /** The limit the fan set before, null when none. */
  current: number | null;
  t: Pick<AccountMessages, "account" | "fields" | "form" | "passwordReasons">;
}

/**
 * An adult's own monthly limit. Whatever was typed goes to the API as typed once digit
 * separators are dropped: a value that is not a whole number must be refused there, never
 * turn into "no limit".
 */
export function VoluntaryLimitForm({ current, t }: Props) {
  const router = useRouter();
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<ApiClientError | null>(null);
  const [saved, setSaved] = useState(false);

  async function save(limit: number | string | null) {
    setPending(true);
    setError(null);
    setSaved(false);
    try {
      await apiFetch("/api/me", { method: "PATCH", body: { voluntaryMonthlyLimitJpy: limit } });
      setSaved(true);
      // The spending panel above is server-rendered: read it again with the new limit.
      router.refresh();
    } catch (err) {
      if (!(err instanceof ApiClientError)) throw err;
      setError(err);
    } finally {
      setPending(false);
    }
  }

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const typed = String(new FormData(event.currentTarget).get("limit") ?? "").replace(/[,\s¥￥]/g, "");
    void save(/^\d+$/.test(typed) ? Number(typed) : typed);
  }

  return (
    <form className="limit-form" onSubmit={onSubmit} noValidate aria-describedby="limit-error">
      <FormField id="voluntary-limit" label={t.account.limitLabel} hint={t.account.limitHint}>
        <input
          id="voluntary-limit"
          name="limit"
          type="text"
          inputMode="numeric"
          autoComplete="off"
          defaultValue={current ?? ""}
          aria-describedby="voluntary-limit-hint"
          aria-invalid={error ? true : undefined}
        />
      </FormField>
      <AuthFormAlert id="limit-error" error={error} t={t} />
      <p role="status" className="form-status">
        {saved ? t.account.limitSaved : ""}
      </p>
      <div className="button-row">
        <button type="submit" className="button" disabled={pending} aria-busy={pending}>
          {pending ? t.account.saving : t.account.saveLimit}
        </button>
        {current !== null && (
          <button type="button" className="button button--secondary" disabled={pending} onClick={() => save(null)}>
            {t.account.removeLimit}
          </button>
        )}
      </div>
    </form>
  );
}
