import Link from "next/link";
import { medalsMessagesFor } from "@/lib/i18n/dictionaries/medals";
import { getLocale, getMessages } from "@/lib/i18n/server";

/** An unknown VTuber and one no longer listed look the same to the public: say both. */
export default async function ExchangeNotFound() {
  const t = medalsMessagesFor(await getLocale()).exchange;
  const common = await getMessages();
  return (
    <section className="legal" aria-labelledby="exchange-not-found-title">
      <h1 id="exchange-not-found-title">{t.notFoundTitle}</h1>
      <p>{t.notFoundBody}</p>
      <Link href="/" className="button">
        {common.notFound.backHome}
      </Link>
    </section>
  );
}
