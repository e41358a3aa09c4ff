"use client";

import { useState } from "react";
import { ApiClientError, apiFetch, type ApiFetchOptions } from "@/lib/client/api";

/**
 * Sends a form's request and keeps what the form shows: pending while it runs, the API's
 * refusal as `error` (for the form's alert region), the answer once it succeeded.
 * Anything but an API refusal is a bug and throws.
 */
export function useApiSubmit<T = unknown>() {
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<ApiClientError | null>(null);
  const [result, setResult] = useState<T | null>(null);

  async function submit(path: string, options: ApiFetchOptions): Promise<T | null> {
    setPending(true);
    setError(null);
    setResult(null);
    try {
      const answer = (await apiFetch<T>(path, options)) ?? ({} as T);
      setResult(answer);
      return answer;
    } catch (err) {
      if (!(err instanceof ApiClientError)) throw err;
      setError(err);
      return null;
    } finally {
      setPending(false);
    }
  }

  return { pending, error, result, submit };
}
