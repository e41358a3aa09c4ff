import { NotFoundNotice } from "@/app/_components/not-found-notice";
import { medalsMessagesFor } from "@/lib/i18n/dictionaries/medals";
import { getLocale } from "@/lib/i18n/server";

/** An unknown VTuber and one no longer listed look the same to the public: say both. */
export default async function ExchangeNotFound() {
  const t = medalsMessagesFor(await getLocale()).exchange;
  return <NotFoundNotice title={t.notFoundTitle} body={t.notFoundBody} />;
}
