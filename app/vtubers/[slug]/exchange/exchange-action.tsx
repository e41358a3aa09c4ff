"use client";

import { useRouter } from "next/navigation";
import { useId, useRef, useState } from "react";
import { ApiClientError, apiFetch } from "@/lib/client/api";
import { medalsMessagesFor } from "@/lib/i18n/dictionaries/medals";
import type { Locale } from "@/lib/i18n/locales";
import { useExchangeShop } from "./exchange-shop";

export interface ExchangeActionItem {
  id: string;
  name: string;
  costMedals: number;
  soldOut: boolean;
  /** The fan has already exchanged it as often as the item allows. */
  limitReached: boolean;
}

interface Receipt {
  exchange: { id: string; itemId: string; costMedals: number; medalBalance: number };
}

interface Failure {
  message: string;
  /** The server answered: nothing was spent (unlike a lost connection, where we cannot know). */
  definitive: boolean;
}

function failureOf(err: unknown, networkError: string): Failure {
  if (!(err instanceof ApiClientError)) return { message: networkError, definitive: false };
  // No answer or a server fault: the first attempt may yet have gone through, so its key
  // is kept for the retry. Any other answer means nothing was spent.
  return { message: err.message, definitive: err.status > 0 && err.status < 500 };
}

/**
 * One item's exchange button and its confirmation dialog.
 *
 * One Idempotency-Key per attempt: a retry after a lost answer re-sends the same key and
 * the server answers the first receipt instead of spending twice. A new key is taken
 * after a receipt or after the server said nothing was spent.
 */
export function ExchangeAction({ item, locale }: { item: ExchangeActionItem; locale: Locale }) {
  const t = medalsMessagesFor(locale);
  const router = useRouter();
  const { balance, recordExchange, clearDone, statusRef } = useExchangeShop();
  const dialogRef = useRef<HTMLDialogElement>(null);
  const triggerRef = useRef<HTMLButtonElement>(null);
  const cancelRef = useRef<HTMLButtonElement>(null);
  const noteRef = useRef<HTMLParagraphElement>(null);
  const idempotencyKey = useRef<string | null>(null);
  // After a success the trigger may end up disabled (limit, balance): focus goes to the message instead.
  const focusAfterClose = useRef<"trigger" | "status">("trigger");
  const [sending, setSending] = useState(false);
  const [failure, setFailure] = useState<Failure | null>(null);
  const id = useId();

  const shortfall = item.costMedals - balance;
  const blocked = item.soldOut
    ? t.exchange.soldOut
    : item.limitReached
      ? t.exchange.limitReached
      : shortfall > 0
        ? t.exchange.needMore(shortfall)
        : null;

  function openDialog() {
    dialogRef.current?.showModal();
    // The safe choice first: an exchange cannot be undone.
    cancelRef.current?.focus();
  }

  function start() {
    clearDone();
    setFailure(null);
    openDialog();
  }

  function onClose() {
    setFailure(null);
    const trigger = triggerRef.current;
    // A disabled button cannot take focus; the sentence saying why it is disabled can.
    const target =
      focusAfterClose.current === "status" ? statusRef.current : trigger?.disabled ? noteRef.current : trigger;
    focusAfterClose.current = "trigger";
    target?.focus();
  }

  async function confirm() {
    if (sending) return;
    idempotencyKey.current ??= crypto.randomUUID();
    setSending(true);
    setFailure(null);
    try {
      const { exchange } = await apiFetch<Receipt>(`/api/exchange/${item.id}`, {
        method: "POST",
        headers: { "Idempotency-Key": idempotencyKey.current },
      });
      idempotencyKey.current = null;
      recordExchange(exchange.medalBalance);
      if (dialogRef.current?.open) {
        focusAfterClose.current = "status";
        dialogRef.current.close();
      } else {
        statusRef.current?.focus();
      }
      // Stock, the per-fan limit and every other item's affordability come from the server.
      router.refresh();
    } catch (err) {
      const next = failureOf(err, t.exchange.networkError);
      if (next.definitive) {
        idempotencyKey.current = null;
        // The refusal may mean the page is stale (sold out, limit, balance): read it again.
        router.refresh();
      }
      // Closed while it was sending: the fan still needs to learn it did not go through.
      if (!dialogRef.current?.open) openDialog();
      setFailure(next);
    } finally {
      setSending(false);
    }
  }

  const noteId = `${id}-note`;
  return (
    <div className="exchange-action">
      {blocked && (
        <p id={noteId} ref={noteRef} tabIndex={-1} className="exchange-action__blocked">
          {blocked}
        </p>
      )}
      <button
        ref={triggerRef}
        type="button"
        className="button"
        onClick={start}
        disabled={blocked !== null}
        aria-describedby={blocked ? noteId : undefined}
      >
        {t.exchange.exchangeButton}
        <span className="visually-hidden">{t.exchange.itemContext(item.name)}</span>
      </button>

      <dialog
        ref={dialogRef}
        className="exchange-dialog"
        aria-labelledby={`${id}-title`}
        aria-describedby={`${id}-lead`}
        onClose={onClose}
      >
        <h2 id={`${id}-title`}>{t.exchange.confirmTitle}</h2>
        <p id={`${id}-lead`} className="exchange-dialog__lead">
          {t.exchange.confirmLead(item.name, item.costMedals)}
        </p>
        <dl className="summary-list">
          <div>
            <dt>{t.exchange.balanceNow}</dt>
            <dd>{t.medals.count(balance)}</dd>
          </div>
          {shortfall <= 0 && (
            <div>
              <dt>{t.exchange.balanceAfter}</dt>
              <dd>{t.medals.count(balance - item.costMedals)}</dd>
            </div>
          )}
        </dl>
        <p className="exchange-dialog__notice">{t.exchange.confirmNotice}</p>
        {failure && (
          <div className="alert" role="alert">
            <p className="alert__title">{t.exchange.errorTitle}</p>
            <p>{failure.message}</p>
            <p>{failure.definitive ? t.exchange.notSpent : t.exchange.retryNote}</p>
          </div>
        )}
        <div className="button-row">
          <button
            type="button"
            className="button"
            onClick={confirm}
            disabled={sending || blocked !== null}
            aria-busy={sending}
          >
            {sending ? t.exchange.sending : t.exchange.confirmButton}
          </button>
          <button
            ref={cancelRef}
            type="button"
            className="button button--secondary"
            onClick={() => dialogRef.current?.close()}
          >
            {t.exchange.cancel}
          </button>
        </div>
      </dialog>
    </div>
  );
}
