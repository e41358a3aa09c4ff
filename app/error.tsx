"use client";

import { errorMessages } from "@/lib/i18n/dictionaries/error-messages";

const { ja, en } = errorMessages;

/**
 * Error boundary for every page below the root layout. Client components cannot read
 * the locale cookie while rendering, so the message is shown in both languages. The
 * details stay in the server log; the browser only gets the digest to quote.
 */
export default function ErrorPage({ error, retry }: { error: unknown; retry: () => void }) {
  const digest = error instanceof Error && "digest" in error ? String(error.digest) : null;
  return (
    <section className="legal" aria-labelledby="error-title">
      <h1 id="error-title">
        {ja.title} <span lang="en">/ {en.title}</span>
      </h1>
      <p>
        {ja.body}
        <br />
        <span lang="en">{en.body}</span>
      </p>
      {digest && (
        <p className="note">
          ID: <code>{digest}</code>
        </p>
      )}
      <button type="button" className="button" onClick={() => retry()}>
        {ja.retry} / <span lang="en">{en.retry}</span>
      </button>
    </section>
  );
}
