import type { Metadata } from "next";
import Link from "next/link";
import { vtuberMessagesFor } from "@/lib/i18n/dictionaries/vtuber";
import { getLocale } from "@/lib/i18n/server";
import { defaultCampaignWindow, loadConsole } from "@/lib/vtuber/console";
import { CampaignBuilder } from "../campaign-builder";
import "../../vtuber.css";

export async function generateMetadata(): Promise<Metadata> {
  return { title: vtuberMessagesFor(await getLocale()).builder.newTitle, robots: { index: false } };
}

export default async function NewCampaignPage() {
  const { library, locale } = await loadConsole("/vtuber/campaigns/new", (c) => ({ library: c.library() }));
  const t = vtuberMessagesFor(locale);
  return (
    <div className="console-page">
      <p>
        <Link href="/vtuber">{t.builder.back}</Link>
      </p>
      <h1>{t.builder.newTitle}</h1>
      <CampaignBuilder campaign={null} files={library.files} locale={locale} defaultWindow={defaultCampaignWindow()} />
    </div>
  );
}
