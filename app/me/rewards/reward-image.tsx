"use client";

import { useCallback, useId, useRef, useState, type MouseEvent } from "react";
import { rewardsMessagesFor } from "@/lib/i18n/dictionaries/rewards";
import type { Locale } from "@/lib/i18n/locales";
import { useMediaRetry } from "./use-media-retry";

interface Props {
  /** The reward's inline download URL. */
  src: string;
  title: string;
  locale: Locale;
}

/**
 * An image reward: a thumbnail that opens a large view in a modal <dialog>. The
 * browser's dialog traps focus, closes on Esc and puts the page behind it out of
 * reach; closing hands focus back to the thumbnail.
 */
export function RewardImage({ src, title, locale }: Props) {
  const t = rewardsMessagesFor(locale);
  const dialog = useRef<HTMLDialogElement>(null);
  const opener = useRef<HTMLButtonElement>(null);
  const closer = useRef<HTMLButtonElement>(null);
  const [open, setOpen] = useState(false);
  // A new key makes a new <img>: a fresh request, whatever the browser cached about the failed one.
  const [thumbAttempt, setThumbAttempt] = useState(0);
  const [largeAttempt, setLargeAttempt] = useState(0);
  const thumb = useMediaRetry(t.mediaFailed);
  const large = useMediaRetry(t.mediaFailed);
  const titleId = useId();
  const { failed: thumbFailed } = thumb;

  const retryThumb = useCallback(() => {
    void thumbFailed(() => setThumbAttempt((n) => n + 1));
  }, [thumbFailed]);

  // An image that failed before the page was interactive told no handler.
  const checkThumb = useCallback(
    (img: HTMLImageElement | null) => {
      if (img?.complete && img.currentSrc !== "" && img.naturalWidth === 0) retryThumb();
    },
    [retryThumb],
  );

  function show() {
    setOpen(true);
    dialog.current?.showModal();
    closer.current?.focus();
  }

  function hide() {
    dialog.current?.close();
  }

  function closeOnBackdrop(event: MouseEvent<HTMLDialogElement>) {
    // The dialog's own box is covered by its body: a click that lands on it is outside.
    if (event.target === event.currentTarget) hide();
  }

  return (
    <div className="reward-media reward-media--image">
      <button ref={opener} type="button" className="reward-thumb" aria-haspopup="dialog" onClick={show}>
        {/* eslint-disable-next-line @next/next/no-img-element -- one fan's private file behind a redirect: the image optimiser must neither fetch nor cache it. */}
        <img
          key={thumbAttempt}
          ref={checkThumb}
          src={src}
          alt={title}
          loading="lazy"
          decoding="async"
          onLoad={thumb.loaded}
          onError={retryThumb}
        />
        <span className="visually-hidden">{t.enlarge}</span>
      </button>
      {thumb.failure && (
        <p className="inline-alert" role="alert">
          {thumb.failure}
        </p>
      )}
      <dialog
        ref={dialog}
        className="reward-viewer"
        aria-labelledby={titleId}
        onClose={() => {
          setOpen(false);
          opener.current?.focus();
        }}
        onClick={closeOnBackdrop}
      >
        <div className="reward-viewer__body">
          <div className="reward-viewer__bar">
            <h2 id={titleId} className="reward-viewer__title">
              {title}
            </h2>
            <button ref={closer} type="button" className="button button--secondary button--small" onClick={hide}>
              {t.close}
            </button>
          </div>
          {open && (
            // eslint-disable-next-line @next/next/no-img-element -- a private file, as for the thumbnail.
            <img
              key={largeAttempt}
              className="reward-viewer__image"
              src={src}
              alt={title}
              onLoad={large.loaded}
              onError={() => void large.failed(() => setLargeAttempt((n) => n + 1))}
            />
          )}
          {large.failure && (
            <p className="inline-alert" role="alert">
              {large.failure}
            </p>
          )}
        </div>
      </dialog>
    </div>
  );
}
