import type { Metadata } from "next";
import Link from "next/link";
import { formatDateTime, formatYen } from "@/lib/i18n/format";
import { vtuberMessagesFor } from "@/lib/i18n/dictionaries/vtuber";
import { getLocale } from "@/lib/i18n/server";
import { loadConsole } from "@/lib/vtuber/console";
import { readSales, type SalesPoint } from "@/lib/vtuber/sales";
import "../vtuber.css";

export async function generateMetadata(): Promise<Metadata> {
  return { title: vtuberMessagesFor(await getLocale()).sales.title, robots: { index: false } };
}

/** Sales per campaign and in total, the running totals as a small SVG chart, and the CSV. */
export default async function SalesPage() {
  const { sales, locale } = await loadConsole("/vtuber/sales", (c) => ({ sales: readSales(c.db, c.claims) }));
  const all = vtuberMessagesFor(locale);
  const t = all.sales;
  const figures = [
    [t.pulls, String(sales.total.pulls)],
    [t.revenue, formatYen(sales.total.revenueJpy)],
    [t.refunds, formatYen(sales.total.refundsJpy)],
    [t.medalsGranted, String(sales.total.medalsGranted)],
    [t.medalsSpent, String(sales.total.medalsSpent)],
    [t.exchanges, String(sales.total.exchanges)],
    [t.fans, String(sales.total.fans)],
  ] as const;

  return (
    <div className="console-page">
      <p>
        <Link href="/vtuber">{all.builder.back}</Link>
      </p>
      <h1>{t.title}</h1>
      <p>{t.lead}</p>
      <p className="note" data-testid="sales-as-of">
        {sales.asOf ? t.asOf(formatDateTime(new Date(sales.asOf), locale)) : t.notYet}
      </p>

      <section className="panel" aria-labelledby="sales-total">
        <h2 id="sales-total">{t.totalHeading}</h2>
        <dl className="summary-list" data-testid="sales-total">
          {figures.map(([label, value]) => (
            <div key={label}>
              <dt>{label}</dt>
              <dd>{value}</dd>
            </div>
          ))}
        </dl>
        <p>
          <a className="button button--secondary" href="/api/vtuber/sales?format=csv" download>
            {t.csv}
          </a>
        </p>
      </section>

      {sales.series.length > 0 && (
        <section className="panel" aria-labelledby="sales-chart">
          <h2 id="sales-chart">{t.chartHeading}</h2>
          <SalesChart points={sales.series} label={(p) => t.chartLabel(p.pulls, formatYen(p.revenueJpy))} />
        </section>
      )}

      <section className="panel" aria-labelledby="sales-campaigns">
        <h2 id="sales-campaigns">{t.perCampaignHeading}</h2>
        <div className="table-scroll" role="region" aria-labelledby="sales-campaigns" tabIndex={0}>
          <table className="console-table" data-testid="sales-campaigns">
            <thead>
              <tr>
                <th scope="col">{t.campaign}</th>
                <th scope="col">{t.pulls}</th>
                <th scope="col">{t.revenue}</th>
                <th scope="col">{t.refunds}</th>
                <th scope="col">{t.medalsGranted}</th>
                <th scope="col">{t.fans}</th>
                <th scope="col">{t.topItems}</th>
              </tr>
            </thead>
            <tbody>
              {sales.campaigns.map((c) => (
                <tr key={c.campaignId} data-campaign-id={c.campaignId}>
                  <th scope="row">{c.title}</th>
                  <td className="num" data-figure="pulls">
                    {c.pulls}
                  </td>
                  <td className="num">{formatYen(c.revenueJpy)}</td>
                  <td className="num">{formatYen(c.refundsJpy)}</td>
                  <td className="num">{c.medalsGranted}</td>
                  <td className="num">{c.fans}</td>
                  <td>
                    {c.topItems.map((item) => `${item.name} (${item.rarity}) ${t.drawn(item.drawn)}`).join(" / ")}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
    </div>
  );
}

/** Running totals as a line: hand-drawn SVG, no chart library for one line. */
function SalesChart({ points, label }: { points: SalesPoint[]; label: (p: SalesPoint) => string }) {
  const width = 600;
  const height = 160;
  const max = Math.max(1, ...points.map((p) => p.revenueJpy));
  const x = (i: number) => (points.length === 1 ? width / 2 : (i / (points.length - 1)) * (width - 20) + 10);
  const y = (v: number) => height - 10 - (v / max) * (height - 20);
  const last = points.at(-1)!;
  return (
    <figure className="sales-chart">
      <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-label={label(last)}>
        <polyline
          fill="none"
          stroke="#b00060"
          strokeWidth="3"
          points={points.map((p, i) => `${x(i)},${y(p.revenueJpy)}`).join(" ")}
        />
        {points.map((p, i) => (
          <circle key={p.at} cx={x(i)} cy={y(p.revenueJpy)} r="4" fill="#b00060" />
        ))}
      </svg>
      <figcaption>{label(last)}</figcaption>
    </figure>
  );
}
