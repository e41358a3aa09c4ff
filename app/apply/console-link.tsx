"use client";

import { resumeSession } from "@/lib/client/api";
import { loadPageAfterSessionChange } from "@/lib/client/session-navigation";

/**
 * Opens the console after approval. The access token still names the role it was issued
 * with (the Edge gate reads it, not the database), so the session is renewed first:
 * the new token carries the `vtuber` role the review gave.
 */
export function ConsoleLink({ label }: { label: string }) {
  return (
    <a
      className="button"
      href="/vtuber"
      onClick={(event) => {
        event.preventDefault();
        void resumeSession().then(() => loadPageAfterSessionChange("/vtuber"));
      }}
    >
      {label}
    </a>
  );
}
