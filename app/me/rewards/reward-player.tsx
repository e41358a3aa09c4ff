"use client";

import { useId, useRef, type SyntheticEvent } from "react";
import { rewardsMessagesFor } from "@/lib/i18n/dictionaries/rewards";
import type { Locale } from "@/lib/i18n/locales";
import { useMediaRetry } from "./use-media-retry";

interface Props {
  kind: "voice" | "video";
  /** The reward's inline download URL. */
  src: string;
  title: string;
  locale: Locale;
}

/**
 * The browser's own player for a voice clip or a video: its controls are keyboard
 * and screen-reader ready everywhere. Nothing loads until the fan presses play.
 */
export function RewardPlayer({ kind, src, title, locale }: Props) {
  const t = rewardsMessagesFor(locale);
  const { failure, failed, loaded } = useMediaRetry(t.mediaFailed);
  // A failed load often answers a press of play: the reloaded file should then play too.
  const wantsToPlay = useRef(false);
  const errorId = useId();

  function onError(event: SyntheticEvent<HTMLMediaElement>) {
    const element = event.currentTarget;
    // Read now: the browser pauses a player whose source failed right after this event.
    const resume = wantsToPlay.current;
    void failed(() => {
      element.load();
      if (resume) element.play().catch(() => undefined);
    });
  }

  const media = {
    src,
    controls: true,
    preload: "none",
    "aria-label": title,
    "aria-describedby": failure ? errorId : undefined,
    onPlay: () => {
      wantsToPlay.current = true;
    },
    onPause: () => {
      wantsToPlay.current = false;
    },
    onLoadedData: loaded,
    onError,
  };

  return (
    <div className={`reward-media reward-media--${kind}`}>
      {kind === "voice" ? <audio {...media} /> : <video {...media} playsInline />}
      {failure && (
        <p id={errorId} className="inline-alert" role="alert">
          {failure}
        </p>
      )}
    </div>
  );
}
