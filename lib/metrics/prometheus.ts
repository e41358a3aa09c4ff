/**
 * The Prometheus text exposition format (version 0.0.4): one `# HELP` and `# TYPE` per
 * metric of the catalogue that has samples, then its samples with their tags as labels.
 */
import { metricDefinition, prometheusName, type MetricType } from "./catalogue";
import type { Sample } from "./snapshot";

export const PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

const PROMETHEUS_TYPE: Record<MetricType, string> = {
  counter: "counter",
  gauge: "gauge",
  // Distributions are exposed as histograms once request metrics are recorded.
  distribution: "histogram",
};

function escapeLabel(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

function escapeHelp(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
}

export function renderPrometheus(samples: readonly Sample[]): string {
  const byName = new Map<string, Sample[]>();
  for (const s of samples) byName.set(s.name, [...(byName.get(s.name) ?? []), s]);

  const lines: string[] = [];
  for (const [name, group] of byName) {
    const definition = metricDefinition(group[0]!.name);
    const exposed = prometheusName(name);
    lines.push(`# HELP ${exposed} ${escapeHelp(`${definition.description} (${definition.unit})`)}`);
    lines.push(`# TYPE ${exposed} ${PROMETHEUS_TYPE[definition.type]}`);
    for (const s of group) {
      const labels = Object.entries(s.tags).map(([k, v]) => `${k}="${escapeLabel(v)}"`);
      lines.push(`${exposed}${labels.length > 0 ? `{${labels.join(",")}}` : ""} ${s.value}`);
    }
  }
  return `${lines.join("\n")}\n`;
}
