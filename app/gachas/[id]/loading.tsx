import { getMessages } from "@/lib/i18n/server";

/** Placeholders shaped like the campaign page while it loads. */
export default async function GachaLoading() {
  const t = await getMessages();
  return (
    <div role="status" aria-live="polite">
      <span className="visually-hidden">{t.loading}</span>
      <div className="skeleton skeleton--title" aria-hidden="true" />
      <div className="skeleton" aria-hidden="true" />
      <div className="skeleton" aria-hidden="true" />
    </div>
  );
}
