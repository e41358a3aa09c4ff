import { listCampaignSubmissions, listExchangeItemSubmissions, listVtuberApplications } from "@/lib/admin/review-queue";
import { getDb } from "@/lib/db";
import { formatDateTime, formatYen } from "@/lib/i18n/format";
import { getStorage } from "@/lib/storage";
import { ActionForm } from "../_components/action-form";
import { adminPage } from "../_components/admin-page";

export const dynamic = "force-dynamic";

export default async function AdminReviewPage() {
  const { locale, t } = await adminPage();
  const r = t.review;
  const db = await getDb();
  const storage = getStorage();
  const [vtubers, campaigns, items] = await Promise.all([
    listVtuberApplications(db),
    listCampaignSubmissions(db, { storage }),
    listExchangeItemSubmissions(db, { storage }),
  ]);
  const date = (iso: string | null) => (iso ? formatDateTime(new Date(iso), locale) : "—");
  const decide = (kind: string, id: string) => (
    <div className="button-row">
      <ActionForm endpoint={`/api/admin/${kind}/${id}/approve`} submitLabel={r.approve} t={t.form} />
      <ActionForm
        endpoint={`/api/admin/${kind}/${id}/reject`}
        submitLabel={r.reject}
        field={{ name: "reason", label: r.reason, required: true }}
        secondary
        t={t.form}
      />
    </div>
  );

  return (
    <div>
      <h1>{r.title}</h1>

      <section aria-labelledby="review-campaigns">
        <h2 id="review-campaigns">{r.campaigns}</h2>
        {campaigns.length === 0 && <p>{r.empty}</p>}
        {campaigns.map((c) => (
          <article key={c.id} className="panel" aria-labelledby={`campaign-${c.id}`}>
            <h3 id={`campaign-${c.id}`}>
              {c.title} — {c.vtuber.name}
            </h3>
            {c.revisionOf && c.rateTable && (
              <p data-testid="rate-revision">{r.rateRevision(c.rateTable.version, c.revisionOf.version)}</p>
            )}
            {c.warnings.length > 0 && (
              <div>
                <h4>{r.warnings}</h4>
                <ul>
                  {c.warnings.map((w) => (
                    <li key={w.code + ("rarity" in w ? w.rarity : "")} className="admin-warning">
                      {r.warning[w.code] ?? w.code}
                      {"rarity" in w ? ` (${w.rarity}: ${w.fromPpm / 10_000} % → ${w.toPpm / 10_000} %)` : ""}
                      {w.code === "ssr_rate_low" ? ` (${w.ppm / 10_000} %)` : ""}
                      {w.code === "campaign_too_long" ? ` (${w.days})` : ""}
                    </li>
                  ))}
                </ul>
              </div>
            )}
            <dl className="summary-list">
              <div>
                <dt>{r.window}</dt>
                <dd>
                  {date(c.startsAt)} – {date(c.endsAt)}
                </dd>
              </div>
              <div>
                <dt>{r.prices}</dt>
                <dd>
                  {r.single} {formatYen(c.singlePriceJpy)} / {r.ten} {formatYen(c.tenPriceJpy)}
                </dd>
              </div>
              <div>
                <dt>{r.medals}</dt>
                <dd>
                  {c.medals.N} / {c.medals.R} / {c.medals.SR} / {c.medals.SSR}
                </dd>
              </div>
            </dl>
            {c.odds && (
              <div className="admin-scroll">
                <table className="admin-table">
                  <caption>{r.odds}</caption>
                  <thead>
                    <tr>
                      <th scope="col">{r.items}</th>
                      <th scope="col">{r.regular}</th>
                      <th scope="col">{r.guaranteed}</th>
                      <th scope="col">{r.preview}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {c.items.map((item) => {
                      const regular = c.odds!.slots.regular.items.find((o) => o.itemId === item.id);
                      const guaranteed = c.odds!.slots.guaranteed.items.find((o) => o.itemId === item.id);
                      return (
                        <tr key={item.id}>
                          <th scope="row">
                            [{item.rarity}] {item.name}
                          </th>
                          <td>{regular ? `${regular.percent} %` : "—"}</td>
                          <td>{guaranteed ? `${guaranteed.percent} %` : "—"}</td>
                          <td>
                            {item.previewUrl ? (
                              <a href={item.previewUrl} target="_blank" rel="noreferrer">
                                {r.preview} ({item.kind})
                              </a>
                            ) : (
                              <span className="admin-warning">{r.mediaMissing}</span>
                            )}
                          </td>
                        </tr>
                      );
                    })}
                  </tbody>
                </table>
              </div>
            )}
            {decide("campaigns", c.id)}
          </article>
        ))}
      </section>

      <section aria-labelledby="review-vtubers">
        <h2 id="review-vtubers">{r.vtubers}</h2>
        {vtubers.length === 0 && <p>{r.empty}</p>}
        {vtubers.map((v) => (
          <article key={v.id} className="panel" aria-labelledby={`vtuber-${v.id}`}>
            <h3 id={`vtuber-${v.id}`}>
              {v.name} ({v.slug})
            </h3>
            <p>
              {r.applicant}: {v.applicant.displayName} &lt;{v.applicant.email}&gt; — {date(v.appliedAt)}
            </p>
            <p>{v.bio}</p>
            {decide("vtubers", v.id)}
          </article>
        ))}
      </section>

      <section aria-labelledby="review-items">
        <h2 id="review-items">{r.exchangeItems}</h2>
        {items.length === 0 && <p>{r.empty}</p>}
        {items.map((e) => (
          <article key={e.id} className="panel" aria-labelledby={`item-${e.id}`}>
            <h3 id={`item-${e.id}`}>
              {e.name} — {e.vtuber.name}
            </h3>
            <p>
              {r.cost}: {e.costMedals} / {r.stock}: {e.stock ?? r.unlimited} / {r.window}: {date(e.availableFrom)} –{" "}
              {date(e.availableUntil)}
            </p>
            <p>
              {e.previewUrl ? (
                <a href={e.previewUrl} target="_blank" rel="noreferrer">
                  {r.preview} ({e.kind})
                </a>
              ) : (
                <span className="admin-warning">{r.mediaMissing}</span>
              )}
            </p>
            {decide("exchange-items", e.id)}
          </article>
        ))}
      </section>
    </div>
  );
}
