"use client";

import Link from "next/link";
import { createContext, useContext, useRef, useState, type ReactNode, type RefObject } from "react";
import { medalsMessagesFor } from "@/lib/i18n/dictionaries/medals";
import type { Locale } from "@/lib/i18n/locales";

interface ShopState {
  /** The fan's medals with this VTuber as this page last learnt them. */
  balance: number;
  /** An exchange went through: show its receipt's balance and say so. */
  recordExchange(medalBalance: number): void;
  /** A new attempt starts: the last success message no longer describes it. */
  clearDone(): void;
  /** Where focus goes after a success, next to the link to the reward box. */
  statusRef: RefObject<HTMLDivElement | null>;
}

const ShopContext = createContext<ShopState | null>(null);

export function useExchangeShop(): ShopState {
  const state = useContext(ShopContext);
  if (!state) throw new Error("useExchangeShop: render inside <ExchangeShop>");
  return state;
}

interface Props {
  /** The balance the server read for this request. */
  initialBalance: number;
  locale: Locale;
  /** The server-rendered item list, holding one ExchangeAction per item. */
  children: ReactNode;
}

/**
 * A signed-in fan's side of the exchange: their balance, the success message, and the
 * balance every item's button checks against. The receipt's balance shows at once; the
 * page's refresh then brings the server's, which wins (a pull in another tab counts too).
 */
export function ExchangeShop({ initialBalance, locale, children }: Props) {
  const t = medalsMessagesFor(locale);
  const [balance, setBalance] = useState(initialBalance);
  const [serverBalance, setServerBalance] = useState(initialBalance);
  const [done, setDone] = useState(false);
  const statusRef = useRef<HTMLDivElement>(null);
  if (initialBalance !== serverBalance) {
    setServerBalance(initialBalance);
    setBalance(initialBalance);
  }

  const state: ShopState = {
    balance,
    recordExchange(medalBalance) {
      setBalance(medalBalance);
      setDone(true);
    },
    clearDone: () => setDone(false),
    statusRef,
  };

  return (
    <ShopContext value={state}>
      <div className="panel exchange-wallet">
        <dl className="summary-list exchange-wallet__balance">
          <div>
            <dt>{t.exchange.balanceLabel}</dt>
            <dd data-testid="exchange-balance" data-balance={balance}>
              {t.medals.count(balance)}
            </dd>
          </div>
        </dl>
        {/* Present from the start, so the success message is announced when it appears. */}
        <div role="status" ref={statusRef} tabIndex={-1} className="exchange-wallet__status">
          {done && (
            <p className="form-status">
              {t.exchange.done} <Link href="/me/rewards">{t.exchange.toRewards}</Link>
            </p>
          )}
        </div>
      </div>
      {children}
    </ShopContext>
  );
}
