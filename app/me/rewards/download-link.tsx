"use client";

import { useId, useRef, useState, type MouseEvent } from "react";
import { ApiClientError, apiFetch } from "@/lib/client/api";
import { rewardsMessagesFor } from "@/lib/i18n/dictionaries/rewards";
import type { Locale } from "@/lib/i18n/locales";

interface Props {
  /** The reward's download URL (a redirect to a signed, short-lived file URL). */
  href: string;
  title: string;
  locale: Locale;
}

/**
 * A plain download link, checked first: a download is a navigation, and with an expired
 * access cookie the browser would save the API's error answer as the file. A cheap
 * signed-in call renews the session when it has to (or sends a fan whose session is
 * gone to sign in), then the same link is followed for real.
 */
export function DownloadLink({ href, title, locale }: Props) {
  const t = rewardsMessagesFor(locale);
  const checked = useRef(false);
  const [pending, setPending] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const errorId = useId();

  async function onClick(event: MouseEvent<HTMLAnchorElement>) {
    if (checked.current) {
      checked.current = false;
      return;
    }
    // Modified clicks (new tab, save as) stay the browser's own.
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    if (pending) return;
    const link = event.currentTarget;
    setPending(true);
    try {
      await apiFetch("/api/me");
      setFailure(null);
      checked.current = true;
      link.click();
    } catch (err) {
      setFailure(err instanceof ApiClientError ? err.message : t.downloadFailed);
    } finally {
      setPending(false);
    }
  }

  return (
    <>
      <a
        href={href}
        download
        className="button button--secondary button--small reward__download"
        aria-describedby={failure ? errorId : undefined}
        aria-busy={pending || undefined}
        onClick={onClick}
      >
        {t.download}
        <span className="visually-hidden">{t.downloadWhat(title)}</span>
      </a>
      {failure && (
        <p id={errorId} className="inline-alert" role="alert">
          {failure}
        </p>
      )}
    </>
  );
}
