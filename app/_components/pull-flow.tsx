"use client";

import Link from "next/link";
import { useId, useRef, useState, type FormEvent, type ReactNode } from "react";
import { gachaMessagesFor, type GachaMessages } from "@/lib/i18n/dictionaries/gacha";
import { formatYen } from "@/lib/i18n/format";
import type { Locale } from "@/lib/i18n/locales";
import { ApiClientError, apiFetch } from "@/lib/client/api";
import type { PullReceipt } from "@/lib/payments/pull-receipt";
import { bestRarity, PullAnimation } from "./pull-animation";
import { PullResults } from "./pull-results";

/** The sandbox provider's test payment methods (Stripe's ids), success first. */
const TEST_CARDS = ["pm_card_visa", "pm_card_chargeDeclined", "pm_card_visa_chargeDeclinedInsufficientFunds"] as const;
type TestCard = (typeof TEST_CARDS)[number];

interface PullFailure {
  message: string;
  /** Left to spend this month, when the spending cap refused the pull. */
  remainingJpy: number | null;
  /** The server answered: nothing was charged (unlike a lost connection, where we cannot know). */
  definitive: boolean;
}

type Phase =
  | { name: "confirm"; failure: PullFailure | null }
  | { name: "paying" }
  | { name: "animating"; pull: PullReceipt }
  | { name: "results"; pull: PullReceipt };

interface Props {
  gachaId: string;
  count: 1 | 10;
  /** Formatted total, e.g. "¥1,000". */
  price: string;
  vtuberName: string;
  locale: Locale;
  /** The server-rendered confirmation details, shown until the pull is paid. */
  children: ReactNode;
}

function failureOf(err: unknown, networkError: string): PullFailure {
  if (!(err instanceof ApiClientError)) return { message: networkError, remainingJpy: null, definitive: false };
  const remaining = err.details.find((d) => typeof d.remainingJpy === "number")?.remainingJpy;
  return {
    message: err.message,
    remainingJpy: typeof remaining === "number" ? remaining : null,
    // No answer, a server fault or "still processing": the first attempt may yet charge,
    // so its key is kept for the retry. Any other answer means nothing was charged.
    definitive: err.status > 0 && err.status < 500 && err.code !== "purchase_in_progress",
  };
}

function announcement(phase: Phase, t: GachaMessages): string {
  switch (phase.name) {
    case "paying":
      return t.confirm.processing;
    case "animating":
      return t.pull.drawingAnnouncement;
    case "results":
      return t.pull.resultsAnnouncement(phase.pull.results.length, t.rarity[bestRarity(phase.pull)]);
    case "confirm":
      return "";
  }
}

function prefersReducedMotion(): boolean {
  return window.matchMedia("(prefers-reduced-motion: reduce)").matches;
}

/**
 * The pay button and what follows it: pay and draw, the animation, the results.
 *
 * One Idempotency-Key per confirmation: a double click or a retry after a lost answer
 * re-sends the same key, and the server then replays the first outcome instead of
 * charging again. A new key is taken only when the request itself changes (another
 * card) or after the server said it charged nothing, or for the next pull.
 */
export function PullFlow({ gachaId, count, price, vtuberName, locale, children }: Props) {
  const t = gachaMessagesFor(locale);
  const [card, setCard] = useState<TestCard>("pm_card_visa");
  const [phase, setPhase] = useState<Phase>({ name: "confirm", failure: null });
  const idempotencyKey = useRef<string | null>(null);
  const errorId = useId();

  function chooseCard(next: TestCard) {
    setCard(next);
    idempotencyKey.current = null;
  }

  async function pay(event: FormEvent) {
    event.preventDefault();
    if (phase.name === "paying") return;
    idempotencyKey.current ??= crypto.randomUUID();
    setPhase({ name: "paying" });
    try {
      const { pull } = await apiFetch<{ pull: PullReceipt }>(`/api/gachas/${gachaId}/pulls`, {
        method: "POST",
        headers: { "Idempotency-Key": idempotencyKey.current },
        body: { count, paymentMethodId: card },
      });
      idempotencyKey.current = null;
      setPhase(prefersReducedMotion() ? { name: "results", pull } : { name: "animating", pull });
    } catch (err) {
      const failure = failureOf(err, t.confirm.networkError);
      if (failure.definitive) idempotencyKey.current = null;
      setPhase({ name: "confirm", failure });
    }
  }

  const failure = phase.name === "confirm" ? phase.failure : null;
  const paying = phase.name === "paying";
  return (
    <>
      {/* One live region for the whole flow, present from the start, so each change of step is announced. */}
      <p role="status" className="visually-hidden">
        {announcement(phase, t)}
      </p>
      {phase.name === "animating" ? (
        <PullAnimation pull={phase.pull} t={t} onDone={() => setPhase({ name: "results", pull: phase.pull })} />
      ) : phase.name === "results" ? (
        <PullResults
          pull={phase.pull}
          vtuberName={vtuberName}
          t={t}
          onAgain={() => setPhase({ name: "confirm", failure: null })}
        />
      ) : (
        <article className="confirm" aria-labelledby="confirm-title">
          {children}
          <form className="section pay-form" onSubmit={pay} aria-describedby={failure ? errorId : undefined}>
            <fieldset disabled={paying}>
              <legend>{t.confirm.cardHeading}</legend>
              <p className="note">{t.confirm.cardNotice}</p>
              {TEST_CARDS.map((id) => (
                <label key={id} className="radio">
                  <input
                    type="radio"
                    name="paymentMethod"
                    value={id}
                    checked={card === id}
                    onChange={() => chooseCard(id)}
                  />
                  {t.confirm.cards[id]}
                </label>
              ))}
            </fieldset>
            {failure && (
              <div id={errorId} className="alert" role="alert">
                <p className="alert__title">{t.confirm.errorHeading}</p>
                <p>{failure.message}</p>
                {failure.remainingJpy !== null && <p>{t.confirm.remaining(formatYen(failure.remainingJpy))}</p>}
                {failure.definitive && <p>{t.confirm.notCharged}</p>}
              </div>
            )}
            <button type="submit" className="button button--pay" disabled={paying} aria-busy={paying}>
              {paying ? t.confirm.processing : t.confirm.confirmButton(price, count)}
            </button>
            <p>
              <Link href={`/gachas/${gachaId}`}>{t.confirm.backToCampaign}</Link>
            </p>
          </form>
        </article>
      )}
    </>
  );
}
