/**
 * The Prometheus text exposition format (version 0.0.4): one `# HELP` and `# TYPE` per
 * metric of the catalogue that has samples, then its samples with their tags as labels.
 */
import { metricDefinition, prometheusName, type MetricType } from "./catalogue";
import { LATENCY_BUCKETS_MS } from "./histogram";
import type { HistogramSample, Sample } from "./snapshot";

export const PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

const PROMETHEUS_TYPE: Record<MetricType, string> = {
  counter: "counter",
  gauge: "gauge",
  distribution: "histogram",
};

function escapeLabel(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

function escapeHelp(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
}

function labels(tags: Sample["tags"], extra: Record<string, string> = {}): string {
  const pairs = Object.entries({ ...tags, ...extra }).map(([k, v]) => `${k}="${escapeLabel(v!)}"`);
  return pairs.length > 0 ? `{${pairs.join(",")}}` : "";
}

function header(name: Sample["name"]): string[] {
  const definition = metricDefinition(name);
  const exposed = prometheusName(name);
  return [
    `# HELP ${exposed} ${escapeHelp(`${definition.description} (${definition.unit})`)}`,
    `# TYPE ${exposed} ${PROMETHEUS_TYPE[definition.type]}`,
  ];
}

/** Groups by metric name, keeping the order in which names first appear. */
function byName<T extends { name: Sample["name"] }>(items: readonly T[]): Map<Sample["name"], T[]> {
  const groups = new Map<Sample["name"], T[]>();
  for (const item of items) groups.set(item.name, [...(groups.get(item.name) ?? []), item]);
  return groups;
}

export function renderPrometheus(samples: readonly Sample[], histograms: readonly HistogramSample[] = []): string {
  const lines: string[] = [];
  for (const [name, group] of byName(samples)) {
    lines.push(...header(name));
    for (const s of group) lines.push(`${prometheusName(name)}${labels(s.tags)} ${s.value}`);
  }
  // Histograms: cumulative buckets by upper bound (`le`), then the sum and the count.
  for (const [name, group] of byName(histograms)) {
    const exposed = prometheusName(name);
    lines.push(...header(name));
    for (const { tags, histogram } of group) {
      let cumulative = 0;
      histogram.counts.forEach((count, i) => {
        cumulative += count;
        const le = i < LATENCY_BUCKETS_MS.length ? String(LATENCY_BUCKETS_MS[i]) : "+Inf";
        lines.push(`${exposed}_bucket${labels(tags, { le })} ${cumulative}`);
      });
      lines.push(`${exposed}_sum${labels(tags)} ${histogram.sumMs}`);
      lines.push(`${exposed}_count${labels(tags)} ${histogram.count}`);
    }
  }
  return `${lines.join("\n")}\n`;
}
