import { getMessages } from "@/lib/i18n/server";

/** Shown while the account is read: placeholders shaped like its three panels. */
export default async function Loading() {
  const t = await getMessages();
  return (
    <div role="status" aria-live="polite" className="account-page">
      <span className="visually-hidden">{t.loading}</span>
      <div className="skeleton skeleton--title" aria-hidden="true" />
      <div className="skeleton" aria-hidden="true" />
      <div className="skeleton" aria-hidden="true" />
      <div className="skeleton" aria-hidden="true" />
    </div>
  );
}
