import { useCallback, useRef, useState } from "react";
import { ApiClientError, refreshSession } from "@/lib/client/api";

type RetryState = "idle" | "retrying" | "retried";

/**
 * Media load through /api/me/rewards/{id}/download, which needs the access-token
 * cookie, and that cookie lives 15 minutes: a fan who opens a clip later finds it
 * failing. The first failure renews the session once and loads the element again;
 * a second failure, or a session that cannot be renewed, becomes a sentence to show.
 */
export function useMediaRetry(fallbackMessage: string) {
  const state = useRef<RetryState>("idle");
  const [failure, setFailure] = useState<string | null>(null);

  const failed = useCallback(
    async (reload: () => void) => {
      // One element can report twice (an error before hydration, then its replay).
      if (state.current === "retrying") return;
      if (state.current === "retried") {
        setFailure(fallbackMessage);
        return;
      }
      state.current = "retrying";
      try {
        await refreshSession();
      } catch (err) {
        state.current = "retried";
        setFailure(err instanceof ApiClientError ? err.message : fallbackMessage);
        return;
      }
      state.current = "retried";
      reload();
    },
    [fallbackMessage],
  );

  // A later expiry deserves its own retry once this load went through.
  const loaded = useCallback(() => {
    state.current = "idle";
    setFailure(null);
  }, []);

  return { failure, failed, loaded };
}
