import type { Metadata } from "next";
import Link from "next/link";
import { vtuberMessagesFor } from "@/lib/i18n/dictionaries/vtuber";
import { getLocale } from "@/lib/i18n/server";
import { loadConsole } from "@/lib/vtuber/console";
import { listExchangeItems } from "@/lib/vtuber/exchange-items";
import { ExchangeItems } from "./exchange-items";
import "../vtuber.css";

export async function generateMetadata(): Promise<Metadata> {
  return { title: vtuberMessagesFor(await getLocale()).exchange.title, robots: { index: false } };
}

/** The VTuber's exchange items: list with status and reviewer's reason, create, edit, submit. */
export default async function ExchangePage() {
  const { items, library, locale } = await loadConsole("/vtuber/exchange", (c) => ({
    items: listExchangeItems(c.db, c.claims),
    library: c.library(),
  }));
  const t = vtuberMessagesFor(locale).exchange;
  return (
    <div className="console-page">
      <p>
        <Link href="/vtuber">{t.back}</Link>
      </p>
      <h1>{t.title}</h1>
      <p className="note">{t.lead}</p>
      <ExchangeItems items={items} files={library.files.map((f) => ({ id: f.id, title: f.title }))} locale={locale} />
    </div>
  );
}
