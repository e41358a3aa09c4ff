"use client";

import { useState } from "react";
import { ApiClientError, apiFetch } from "@/lib/client/api";
import { loadPageAfterSessionChange } from "@/lib/client/session-navigation";
import type { AccountDataMessages } from "@/lib/i18n/dictionaries/account-data";

interface Props {
  t: AccountDataMessages["exportData"];
}

/**
 * Fetches the export and saves it as a file. Fetched rather than linked, so an expired
 * access token is renewed first and a refusal is shown here instead of as a bare JSON
 * page. A sign-in older than the export allows offers signing in again, back to here.
 */
export function ExportDataButton({ t }: Props) {
  const [pending, setPending] = useState(false);
  const [done, setDone] = useState(false);
  const [error, setError] = useState<ApiClientError | null>(null);

  async function download() {
    setPending(true);
    setDone(false);
    setError(null);
    try {
      const data = await apiFetch<unknown>("/api/me/export");
      const url = URL.createObjectURL(new Blob([JSON.stringify(data, null, 2)], { type: "application/json" }));
      const link = document.createElement("a");
      link.href = url;
      link.download = `koepon-export-${new Date().toISOString().slice(0, 10)}.json`;
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      setDone(true);
    } catch (err) {
      if (!(err instanceof ApiClientError)) throw err;
      setError(err);
    } finally {
      setPending(false);
    }
  }

  async function signInAgain() {
    await apiFetch("/api/auth/logout", { method: "POST", whenSignedOut: "throw" }).catch(() => undefined);
    loadPageAfterSessionChange(`/login?${new URLSearchParams({ next: "/account" })}`);
  }

  const reauth = error?.code === "reauthentication_required";
  return (
    <div>
      <div className="button-row">
        <button
          type="button"
          className="button button--secondary"
          onClick={download}
          disabled={pending}
          aria-busy={pending}
        >
          {pending ? t.pending : t.button}
        </button>
      </div>
      <div role="alert" className={error ? "form-alert" : undefined}>
        {error && <p>{reauth ? t.reauthLead : error.message}</p>}
        {reauth && (
          <button type="button" className="button" onClick={signInAgain}>
            {t.reauthButton}
          </button>
        )}
      </div>
      <p role="status" className="form-status">
        {done ? t.done : ""}
      </p>
    </div>
  );
}
