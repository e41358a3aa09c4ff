"use client";

import { useState } from "react";
import { ApiClientError, apiFetch } from "@/lib/client/api";
import { loadPageAfterSessionChange } from "@/lib/client/session-navigation";

/**
 * Posts a form that starts a session (login) and, once it has, loads `next`
 * fresh so the header and every server component see the new session. A refusal is
 * kept as `error` for the form's alert region; anything else is a bug and throws.
 */
export function useSessionSubmit(next: string) {
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<ApiClientError | null>(null);

  async function submit(path: string, body: unknown): Promise<void> {
    setPending(true);
    setError(null);
    try {
      await apiFetch(path, { method: "POST", body, whenSignedOut: "throw" });
    } catch (err) {
      if (!(err instanceof ApiClientError)) throw err;
      setError(err);
      setPending(false);
      return;
    }
    loadPageAfterSessionChange(next);
  }

  return { pending, error, submit };
}
