import Link from "next/link";
import { gachaMessagesFor } from "@/lib/i18n/dictionaries/gacha";
import { getLocale, getMessages } from "@/lib/i18n/server";

/** Unknown ids and ended campaigns look the same to the public: say both. */
export default async function GachaNotFound() {
  const t = gachaMessagesFor(await getLocale()).campaign;
  const common = await getMessages();
  return (
    <section className="legal" aria-labelledby="gacha-not-found-title">
      <h1 id="gacha-not-found-title">{t.notFoundTitle}</h1>
      <p>{t.notFoundBody}</p>
      <Link href="/" className="button">
        {common.notFound.backHome}
      </Link>
    </section>
  );
}
