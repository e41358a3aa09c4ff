import { getMessages } from "@/lib/i18n/server";

/** Shown while a page's data loads: placeholders shaped like the cards that will replace them. */
export default async function Loading() {
  const t = await getMessages();
  return (
    <div role="status" aria-live="polite">
      <span className="visually-hidden">{t.loading}</span>
      <div className="skeleton skeleton--title" aria-hidden="true" />
      <div className="card-grid" aria-hidden="true">
        <div className="skeleton" />
        <div className="skeleton" />
        <div className="skeleton" />
      </div>
    </div>
  );
}
