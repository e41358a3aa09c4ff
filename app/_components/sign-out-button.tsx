"use client";

import { useState } from "react";
import { loadPageAfterSessionChange } from "@/lib/client/session-navigation";
import { ApiClientError, apiFetch } from "@/lib/client/api";

interface Props {
  label: string;
  /** @default label */
  pendingLabel?: string;
  /** Revoke every session of the account, not only this browser's. */
  everywhere?: boolean;
  className?: string;
}

/**
 * Signs out, then reloads from the top page: everything rendered on the server (the
 * header above all) depends on the session, so a full load is the honest refresh.
 */
export function SignOutButton({ label, pendingLabel = label, everywhere = false, className }: Props) {
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function signOut() {
    setPending(true);
    setError(null);
    try {
      await apiFetch("/api/auth/logout", {
        method: "POST",
        body: everywhere ? { everywhere: true } : undefined,
        whenSignedOut: "throw",
      });
    } catch (err) {
      // 401: the session had already ended, which is what signing out wants.
      if (!(err instanceof ApiClientError)) throw err;
      if (err.status !== 401) {
        setError(err.message);
        setPending(false);
        return;
      }
    }
    loadPageAfterSessionChange("/");
  }

  return (
    <>
      <button type="button" className={className} onClick={signOut} disabled={pending} aria-busy={pending}>
        {pending ? pendingLabel : label}
      </button>
      {error && (
        <span role="alert" className="inline-alert">
          {error}
        </span>
      )}
    </>
  );
}
