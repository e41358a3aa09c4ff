import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { DomainError } from "@/lib/domain-error";
import { vtuberMessagesFor } from "@/lib/i18n/dictionaries/vtuber";
import { getLocale } from "@/lib/i18n/server";
import { getCampaign } from "@/lib/vtuber/campaigns";
import { defaultCampaignWindow, loadConsole } from "@/lib/vtuber/console";
import { CampaignBuilder } from "../campaign-builder";
import "../../vtuber.css";

interface Props {
  params: Promise<{ id: string }>;
}

export async function generateMetadata(): Promise<Metadata> {
  return { title: vtuberMessagesFor(await getLocale()).builder.editTitle, robots: { index: false } };
}

export default async function CampaignPage({ params }: Props) {
  const { id } = await params;
  const { campaign, library, locale } = await loadConsole(`/vtuber/campaigns/${id}`, (c) => ({
    campaign: getCampaign(c.db, c.claims, id).catch((err: unknown) => {
      if (err instanceof DomainError && err.code === "campaign_not_found") notFound();
      throw err;
    }),
    library: c.library(),
  }));
  const t = vtuberMessagesFor(locale);
  return (
    <div className="console-page">
      <p>
        <Link href="/vtuber">{t.builder.back}</Link>
      </p>
      <h1>
        {t.builder.editTitle}: {campaign.title}
      </h1>
      <CampaignBuilder
        campaign={campaign}
        files={library.files}
        locale={locale}
        defaultWindow={defaultCampaignWindow()}
      />
    </div>
  );
}
