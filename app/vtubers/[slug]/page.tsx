import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { cache } from "react";
import { CampaignCard } from "@/app/_components/campaign-card";
import { getVtuber } from "@/lib/catalog/get-vtuber";
import { listActiveCampaigns } from "@/lib/catalog/list-active-campaigns";
import { getDb } from "@/lib/db";
import { asAnon } from "@/lib/db/session";
import { gachaMessagesFor } from "@/lib/i18n/dictionaries/gacha";
import { getLocale, messagesFor } from "@/lib/i18n/server";
import { RichText } from "@/app/_components/rich-text";

const CAMPAIGN_LIMIT = 24;

interface Props {
  params: Promise<{ slug: string }>;
}

// One read per request, shared by the metadata and the page; read as `anon` so RLS
// shows exactly what the public may see.
const loadVtuber = cache(async (slug: string) =>
  asAnon(await getDb(), async (tx) => {
    const vtuber = await getVtuber(tx, slug);
    if (!vtuber) return null;
    return { vtuber, campaigns: await listActiveCampaigns(tx, { limit: CAMPAIGN_LIMIT, vtuberId: vtuber.id }) };
  }),
);

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const found = await loadVtuber((await params).slug);
  return found ? { title: found.vtuber.name } : {};
}

/** A VTuber's profile and the campaigns they are running now. */
export default async function VtuberPage({ params }: Props) {
  const found = await loadVtuber((await params).slug);
  if (!found) notFound();
  const { vtuber, campaigns } = found;
  const locale = await getLocale();
  const t = gachaMessagesFor(locale).vtuber;

  return (
    <article aria-labelledby="vtuber-title">
      <header className="vtuber-profile">
        {/* Initial as a stand-in until VTubers upload avatars. */}
        <span className="avatar avatar--large" aria-hidden="true">
          {Array.from(vtuber.name)[0]}
        </span>
        <div>
          <h1 id="vtuber-title">{vtuber.name}</h1>
          {vtuber.bio && <RichText html={vtuber.bio} className="vtuber-profile__bio" />}
        </div>
      </header>

      <section className="section" aria-labelledby="vtuber-campaigns-title">
        <h2 id="vtuber-campaigns-title">{t.campaignsHeading}</h2>
        {campaigns.length === 0 ? (
          <p className="empty-state">{t.campaignsEmpty}</p>
        ) : (
          <ul className="card-grid">
            {campaigns.map((campaign) => (
              <li key={campaign.id}>
                <CampaignCard campaign={campaign} t={messagesFor(locale).home} locale={locale} />
              </li>
            ))}
          </ul>
        )}
      </section>
    </article>
  );
}
