import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { cache } from "react";
import Link from "next/link";
import { CampaignCard } from "@/app/_components/campaign-card";
import { getCurrentUser } from "@/lib/auth/current-user";
import { getVtuber } from "@/lib/catalog/get-vtuber";
import { listActiveCampaigns } from "@/lib/catalog/list-active-campaigns";
import { getDb } from "@/lib/db";
import { asAnon, asUser } from "@/lib/db/session";
import { gachaMessagesFor } from "@/lib/i18n/dictionaries/gacha";
import { medalsMessagesFor } from "@/lib/i18n/dictionaries/medals";
import { getLocale, messagesFor } from "@/lib/i18n/server";
import { getMedalBalance } from "@/lib/medals/get-medal-balance";
import { VtuberProfileHeader } from "@/app/_components/vtuber-profile-header";

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
  const [user, locale] = await Promise.all([getCurrentUser(), getLocale()]);
  const t = gachaMessagesFor(locale).vtuber;
  const m = medalsMessagesFor(locale);
  const balance = user && (await asUser(await getDb(), user.claims, (tx) => getMedalBalance(tx, user.id, vtuber.id)));

  return (
    <article aria-labelledby="vtuber-title">
      <VtuberProfileHeader
        name={vtuber.name}
        bio={vtuber.bio}
        links={vtuber.links}
        avatarUrl={vtuber.avatarUrl}
        headingId="vtuber-title"
        linksLabel={t.links}
      />

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

      <section className="section panel" aria-labelledby="vtuber-medals-title">
        <h2 id="vtuber-medals-title">{m.vtuber.heading}</h2>
        <p>{m.vtuber.lead}</p>
        {balance !== null && (
          <dl className="summary-list">
            <div>
              <dt>{m.vtuber.balanceLabel}</dt>
              <dd data-testid="vtuber-medal-balance" data-balance={balance}>
                {m.medals.count(balance)}
              </dd>
            </div>
          </dl>
        )}
        <Link href={`/vtubers/${vtuber.slug}/exchange`} className="button button--secondary">
          {m.vtuber.exchangeLink(vtuber.name)}
        </Link>
      </section>
    </article>
  );
}
