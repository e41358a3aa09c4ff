import { getMessages } from "@/lib/i18n/server";
import "./exchange.css";

/** Placeholders shaped like the exchange while it loads: title, balance, item cards. */
export default async function ExchangeLoading() {
  const t = await getMessages();
  return (
    <div role="status" aria-live="polite" className="exchange-page">
      <span className="visually-hidden">{t.loading}</span>
      <div className="skeleton skeleton--title" aria-hidden="true" />
      <div className="skeleton" aria-hidden="true" />
      <div className="exchange-items" aria-hidden="true">
        <div className="skeleton" />
        <div className="skeleton" />
        <div className="skeleton" />
      </div>
    </div>
  );
}
