import { getMessages } from "@/lib/i18n/server";
import "./rewards.css";

/** Placeholders shaped like the reward box while it is read: title, filters, cards. */
export default async function RewardsLoading() {
  const t = await getMessages();
  return (
    <div role="status" aria-live="polite" className="rewards-page">
      <span className="visually-hidden">{t.loading}</span>
      <div className="skeleton skeleton--title" aria-hidden="true" />
      <div className="skeleton" aria-hidden="true" />
      <ul className="card-grid" aria-hidden="true">
        <li className="skeleton" />
        <li className="skeleton" />
        <li className="skeleton" />
      </ul>
    </div>
  );
}
