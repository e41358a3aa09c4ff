import Link from "next/link";
import { listIncidents } from "@/lib/admin/incidents";
import { RANGES, readOverview, type RangeKey } from "@/lib/admin/overview";
import { getDb } from "@/lib/db";
import { formatDateTime } from "@/lib/i18n/format";
import { adminPage } from "./_components/admin-page";
import { formatBucket, formatFigure } from "./_components/format";
import { LineChart } from "./_components/line-chart";

export const dynamic = "force-dynamic";

export default async function AdminOverviewPage({ searchParams }: { searchParams: Promise<{ range?: string }> }) {
  const { locale, t } = await adminPage();
  const requested = (await searchParams).range;
  const range: RangeKey = requested && requested in RANGES ? (requested as RangeKey) : "24h";
  const db = await getDb();
  const [series, incidents] = await Promise.all([readOverview(db, range, new Date()), listIncidents(db)]);

  return (
    <div className="admin-overview">
      <h1>{t.overview.title}</h1>

      <section className="panel admin-firing" aria-labelledby="overview-firing">
        <h2 id="overview-firing">{t.overview.firing}</h2>
        {incidents.firing.length === 0 ? (
          <p>{t.overview.noFiring}</p>
        ) : (
          <ul>
            {incidents.firing.map((i) => (
              <li key={i.id}>
                <Link href="/admin/alerts">{i.summary}</Link> ({i.severity},{" "}
                {formatDateTime(new Date(i.openedAt), locale)})
              </li>
            ))}
          </ul>
        )}
      </section>

      <p>{t.overview.lead}</p>
      <nav aria-label={t.overview.rangeLabel} className="button-row">
        {(Object.keys(RANGES) as RangeKey[]).map((key) => (
          <Link
            key={key}
            href={`/admin?range=${key}`}
            className={key === range ? "button button--small" : "button button--secondary button--small"}
            aria-current={key === range ? "page" : undefined}
          >
            {t.overview.ranges[key]}
          </Link>
        ))}
      </nav>

      <div className="admin-grid">
        {series.map((s) => {
          const title = t.overview.metrics[s.metric] ?? s.metric;
          const headingId = `chart-${s.metric.replace(/\./g, "-")}`;
          return (
            <section key={s.metric} className="panel" aria-labelledby={headingId}>
              <h2 id={headingId}>{title}</h2>
              <p className="admin-figure">{s.current === null ? "—" : formatFigure(s.current, s.unit, locale)}</p>
              <p className="note">
                {t.overview.change}:{" "}
                {s.change === null ? "—" : `${s.change >= 0 ? "+" : ""}${(s.change * 100).toFixed(1)} %`}
              </p>
              <LineChart
                title={title}
                points={s.points}
                threshold={s.threshold}
                format={(v) => formatFigure(v, s.unit, locale)}
                formatTime={(at) => formatBucket(at, range !== "30d")}
                t={t.overview}
              />
            </section>
          );
        })}
      </div>
    </div>
  );
}
