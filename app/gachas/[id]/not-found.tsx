import { NotFoundNotice } from "@/app/_components/not-found-notice";
import { gachaMessagesFor } from "@/lib/i18n/dictionaries/gacha";
import { getLocale } from "@/lib/i18n/server";

/** Unknown ids and ended campaigns look the same to the public: say both. */
export default async function GachaNotFound() {
  const t = gachaMessagesFor(await getLocale()).campaign;
  return <NotFoundNotice title={t.notFoundTitle} body={t.notFoundBody} />;
}
