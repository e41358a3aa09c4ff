import { connection } from "next/server";
import { listActiveCampaigns } from "@/lib/catalog/list-active-campaigns";
import { listVtubers } from "@/lib/catalog/list-vtubers";
import { getDb } from "@/lib/db";
import { asAnon } from "@/lib/db/session";
import { getLocale, messagesFor } from "@/lib/i18n/server";
import { CampaignCard } from "./_components/campaign-card";
import { VtuberCard } from "./_components/vtuber-card";

const HOME_LIST_LIMIT = 12;

export default async function HomePage() {
  // The catalog changes with time and reviews: read it per request, never at build.
  await connection();
  const locale = await getLocale();
  const t = messagesFor(locale).home;

  const { campaigns, vtubers } = await asAnon(await getDb(), async (tx) => ({
    campaigns: await listActiveCampaigns(tx, { limit: HOME_LIST_LIMIT }),
    vtubers: await listVtubers(tx, { limit: HOME_LIST_LIMIT }),
  }));

  return (
    <>
      <section className="hero" aria-labelledby="hero-title">
        <h1 id="hero-title">{t.heroTitle}</h1>
        <p>{t.heroLead}</p>
      </section>

      <section id="campaigns" className="section" aria-labelledby="campaigns-title">
        <h2 id="campaigns-title">{t.campaignsHeading}</h2>
        {campaigns.length === 0 ? (
          <p className="empty-state">{t.campaignsEmpty}</p>
        ) : (
          <ul className="card-grid">
            {campaigns.map((campaign) => (
              <li key={campaign.id}>
                <CampaignCard campaign={campaign} t={t} locale={locale} />
              </li>
            ))}
          </ul>
        )}
      </section>

      <section id="vtubers" className="section" aria-labelledby="vtubers-title">
        <h2 id="vtubers-title">{t.vtubersHeading}</h2>
        {vtubers.length === 0 ? (
          <p className="empty-state">{t.vtubersEmpty}</p>
        ) : (
          <ul className="card-grid">
            {vtubers.map((vtuber) => (
              <li key={vtuber.id}>
                <VtuberCard vtuber={vtuber} />
              </li>
            ))}
          </ul>
        )}
      </section>
    </>
  );
}
