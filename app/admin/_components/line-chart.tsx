import type { SeriesPoint } from "@/lib/admin/overview";

interface Props {
  title: string;
  points: SeriesPoint[];
  threshold?: number;
  format: (value: number) => string;
  formatTime: (at: string) => string;
  t: { threshold: string; table: string; time: string; value: string; noData: string };
}

const W = 600;
const H = 160;
const PAD = { left: 8, right: 8, top: 12, bottom: 22 };

/**
 * A line chart drawn on the server as SVG: no chart library and no script reach the
 * browser, so the charts cost the fans' pages nothing and the admin's only the markup.
 * The SVG is labelled for screen readers, and the same figures follow as a table.
 */
export function LineChart({ title, points, threshold, format, formatTime, t }: Props) {
  const values = points.flatMap((p) => (p.value === null ? [] : [p.value]));
  if (values.length === 0) return <p className="note">{t.noData}</p>;
  const max = Math.max(...values, threshold ?? 0) * 1.1 || 1;
  const x = (i: number) => PAD.left + (i / Math.max(points.length - 1, 1)) * (W - PAD.left - PAD.right);
  const y = (v: number) => PAD.top + (1 - v / max) * (H - PAD.top - PAD.bottom);
  const segments: string[][] = [[]];
  points.forEach((p, i) => {
    if (p.value === null) segments.push([]);
    else segments[segments.length - 1]!.push(`${x(i).toFixed(1)},${y(p.value).toFixed(1)}`);
  });
  const ticks = [0, Math.floor((points.length - 1) / 2), points.length - 1];

  return (
    <figure className="admin-chart">
      <svg
        viewBox={`0 0 ${W} ${H}`}
        role="img"
        aria-label={`${title}: ${format(Math.min(...values))} – ${format(Math.max(...values))}`}
      >
        <line x1={PAD.left} x2={W - PAD.right} y1={y(0)} y2={y(0)} className="admin-chart__axis" />
        {threshold !== undefined && (
          <g>
            <line
              x1={PAD.left}
              x2={W - PAD.right}
              y1={y(threshold)}
              y2={y(threshold)}
              className="admin-chart__threshold"
            />
            <text x={W - PAD.right} y={y(threshold) - 4} textAnchor="end" className="admin-chart__label">
              {t.threshold} {format(threshold)}
            </text>
          </g>
        )}
        {segments
          .filter((s) => s.length > 0)
          .map((s, i) => (
            <polyline key={i} points={s.join(" ")} className="admin-chart__line" />
          ))}
        {ticks.map((i) => (
          <text
            key={i}
            x={x(i)}
            y={H - 6}
            textAnchor={i === 0 ? "start" : i === points.length - 1 ? "end" : "middle"}
            className="admin-chart__label"
          >
            {formatTime(points[i]!.at)}
          </text>
        ))}
      </svg>
      <details>
        <summary>{t.table}</summary>
        <table className="admin-table">
          <caption className="visually-hidden">{title}</caption>
          <thead>
            <tr>
              <th scope="col">{t.time}</th>
              <th scope="col">{t.value}</th>
            </tr>
          </thead>
          <tbody>
            {points.map((p) => (
              <tr key={p.at}>
                <td>{formatTime(p.at)}</td>
                <td>{p.value === null ? "—" : format(p.value)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
