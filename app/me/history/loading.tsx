import { getMessages } from "@/lib/i18n/server";
import "./history.css";

/** Shown while the history is read: placeholders shaped like the spend panel, the tabs and the list. */
export default async function Loading() {
  const t = await getMessages();
  return (
    <div role="status" aria-live="polite" className="history-page">
      <span className="visually-hidden">{t.loading}</span>
      <div className="skeleton skeleton--title" aria-hidden="true" />
      <div className="skeleton" aria-hidden="true" />
      <div className="skeleton history-skeleton--tabs" aria-hidden="true" />
      <div className="skeleton history-skeleton--list" aria-hidden="true" />
    </div>
  );
}
