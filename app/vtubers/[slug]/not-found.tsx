import Link from "next/link";
import { gachaMessagesFor } from "@/lib/i18n/dictionaries/gacha";
import { getLocale, getMessages } from "@/lib/i18n/server";

export default async function VtuberNotFound() {
  const t = gachaMessagesFor(await getLocale()).vtuber;
  const common = await getMessages();
  return (
    <section className="legal" aria-labelledby="vtuber-not-found-title">
      <h1 id="vtuber-not-found-title">{t.notFoundTitle}</h1>
      <p>{t.notFoundBody}</p>
      <Link href="/" className="button">
        {common.notFound.backHome}
      </Link>
    </section>
  );
}
