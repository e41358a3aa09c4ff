import type { Metadata } from "next";
import Link from "next/link";
import { formatDateTime } from "@/lib/i18n/format";
import { formatBytes, vtuberMessagesFor } from "@/lib/i18n/dictionaries/vtuber";
import { getLocale } from "@/lib/i18n/server";
import { listCampaigns } from "@/lib/vtuber/campaigns";
import { loadConsole } from "@/lib/vtuber/console";
import { UploadPanel } from "./upload-panel";
import "./vtuber.css";

export async function generateMetadata(): Promise<Metadata> {
  return { title: vtuberMessagesFor(await getLocale()).console.title, robots: { index: false } };
}

/** The console's home: the content library with its upload form, and the campaigns. */
export default async function ConsolePage() {
  const { library, campaigns, locale } = await loadConsole("/vtuber", (c) => ({
    library: c.library(),
    campaigns: listCampaigns(c.db, c.claims),
  }));
  const t = vtuberMessagesFor(locale).console;

  return (
    <div className="console-page">
      <h1>{t.title}</h1>

      <section className="panel" aria-labelledby="console-campaigns">
        <h2 id="console-campaigns">{t.campaignsHeading}</h2>
        {campaigns.length === 0 ? (
          <p>{t.campaignsEmpty}</p>
        ) : (
          <ul className="console-list" data-testid="console-campaigns">
            {campaigns.map((c) => (
              <li key={c.id}>
                <Link href={`/vtuber/campaigns/${c.id}`}>{c.title}</Link>
                <span className={`console-status console-status--${c.status}`}>{t.campaignStatus[c.status]}</span>
                <span className="note">
                  {formatDateTime(new Date(c.startsAt), locale)} – {formatDateTime(new Date(c.endsAt), locale)}
                </span>
              </li>
            ))}
          </ul>
        )}
        <p className="button-row">
          <Link className="button" href="/vtuber/campaigns/new">
            {t.newCampaign}
          </Link>
          <Link className="button button--secondary" href="/vtuber/sales">
            {t.salesLink}
          </Link>
          <Link className="button button--secondary" href="/vtuber/exchange">
            {vtuberMessagesFor(locale).exchange.link}
          </Link>
          <Link className="button button--secondary" href="/vtuber/profile">
            {vtuberMessagesFor(locale).profile.link}
          </Link>
        </p>
      </section>

      <section className="panel" aria-labelledby="console-library">
        <h2 id="console-library">{t.libraryHeading}</h2>
        <p className="note">{t.quota(formatBytes(library.usedBytes), formatBytes(library.quotaBytes))}</p>
        <UploadPanel locale={locale} />
        {library.files.length === 0 ? (
          <p>{t.filesEmpty}</p>
        ) : (
          <div className="table-scroll" role="region" aria-labelledby="console-library" tabIndex={0}>
            <table className="console-table" data-testid="console-files">
              <thead>
                <tr>
                  <th scope="col">{t.colTitle}</th>
                  <th scope="col">{t.colKind}</th>
                  <th scope="col">{t.colSize}</th>
                  <th scope="col">{t.colDuration}</th>
                </tr>
              </thead>
              <tbody>
                {library.files.map((f) => (
                  <tr key={f.id} data-file-id={f.id}>
                    <th scope="row">{f.title}</th>
                    <td>{t.kinds[f.kind]}</td>
                    <td className="num">{formatBytes(f.sizeBytes)}</td>
                    <td className="num">
                      {f.durationMs !== null ? `${(f.durationMs / 1000).toFixed(1)}s` : `${f.width}×${f.height}`}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </div>
  );
}
