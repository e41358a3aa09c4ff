import { getMessages } from "@/lib/i18n/server";
import "./medals.css";

/** Shown while the medals are read: placeholders shaped like the rules, balances and history. */
export default async function MedalsLoading() {
  const t = await getMessages();
  return (
    <div role="status" aria-live="polite" className="medals-page">
      <span className="visually-hidden">{t.loading}</span>
      <div className="skeleton skeleton--title" aria-hidden="true" />
      <div className="skeleton" aria-hidden="true" />
      <div className="skeleton" aria-hidden="true" />
    </div>
  );
}
