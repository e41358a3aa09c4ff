/**
 * Request metrics of this process: answers per route template and status class, and a
 * latency histogram per route template. Recorded once per request by the route wrapper;
 * the record is a few additions in memory, cheaper than scheduling it for after the
 * response. Per process: each instance exposes its own, and their histograms merge
 * exactly (fixed buckets, see ./histogram.ts).
 */
import { emptyHistogram, merge, observe, type Histogram } from "./histogram";

export interface RequestRecord {
  /** The route template (`/api/gachas/[id]/pulls`), never the concrete URL. */
  route: string;
  status: number;
  durationMs: number;
}

export interface RequestMetrics {
  /** Answers by route template, then status class (`2xx`…`5xx`). */
  answers: Map<string, Map<string, number>>;
  latency: Map<string, Histogram>;
}

const slot = Symbol.for("koepon.requestMetrics");
type GlobalWithMetrics = typeof globalThis & { [slot]?: RequestMetrics };

/** The process's request metrics (one per process, whichever bundle asks). */
export function requestMetrics(): RequestMetrics {
  const g = globalThis as GlobalWithMetrics;
  g[slot] ??= { answers: new Map(), latency: new Map() };
  return g[slot];
}

export function recordRequest(metrics: RequestMetrics, record: RequestRecord): void {
  const statusClass = `${Math.trunc(record.status / 100)}xx`;
  const byStatus = metrics.answers.get(record.route) ?? new Map<string, number>();
  byStatus.set(statusClass, (byStatus.get(statusClass) ?? 0) + 1);
  metrics.answers.set(record.route, byStatus);
  const histogram = metrics.latency.get(record.route) ?? emptyHistogram();
  observe(histogram, record.durationMs);
  metrics.latency.set(record.route, histogram);
}

/**
 * The route template of a request: each path segment that is a route parameter's value
 * becomes `[name]`, so `/api/gachas/3f…/pulls` with `{ id: "3f…" }` is `/api/gachas/[id]/pulls`.
 */
export function routeTemplate(pathname: string, params: Readonly<Record<string, string>>): string {
  const names = new Map(Object.entries(params).map(([name, value]) => [value, name]));
  return pathname
    .split("/")
    .map((segment) => {
      const name = names.get(decodeURIComponent(segment));
      return name === undefined ? segment : `[${name}]`;
    })
    .join("/");
}

/** A copy that later requests do not change. */
export function copyRequestMetrics(metrics: RequestMetrics): RequestMetrics {
  return {
    answers: new Map([...metrics.answers].map(([route, byStatus]) => [route, new Map(byStatus)])),
    latency: new Map([...metrics.latency].map(([route, h]) => [route, merge(h)])),
  };
}

/**
 * What was recorded after `before` (an earlier copy of the same metrics): the requests of
 * one interval, for an emitter that sends deltas. Routes with nothing new are left out.
 */
export function requestsSince(now: RequestMetrics, before: RequestMetrics): RequestMetrics {
  const delta: RequestMetrics = { answers: new Map(), latency: new Map() };
  for (const [route, byStatus] of now.answers) {
    for (const [statusClass, count] of byStatus) {
      const added = count - (before.answers.get(route)?.get(statusClass) ?? 0);
      if (added > 0) {
        const into = delta.answers.get(route) ?? new Map<string, number>();
        into.set(statusClass, added);
        delta.answers.set(route, into);
      }
    }
  }
  for (const [route, h] of now.latency) {
    const earlier = before.latency.get(route);
    if (earlier && earlier.count === h.count) continue;
    delta.latency.set(route, {
      counts: h.counts.map((c, i) => c - (earlier?.counts[i] ?? 0)),
      count: h.count - (earlier?.count ?? 0),
      sumMs: h.sumMs - (earlier?.sumMs ?? 0),
    });
  }
  return delta;
}
