import { NotFoundNotice } from "@/app/_components/not-found-notice";
import { gachaMessagesFor } from "@/lib/i18n/dictionaries/gacha";
import { getLocale } from "@/lib/i18n/server";

export default async function VtuberNotFound() {
  const t = gachaMessagesFor(await getLocale()).vtuber;
  return <NotFoundNotice title={t.notFoundTitle} body={t.notFoundBody} />;
}
