/**
 * The two payloads Datadog's HTTP API takes, built from catalogue samples, and cut into
 * requests under its documented limits:
 *
 * - `POST /api/v2/series`: `{ series: [{ metric, type, interval?, unit?, points:
 *   [{ timestamp, value }], tags, resources? }] }`, `type` 0 unspecified, 1 count, 2 rate,
 *   3 gauge; a payload at most 512,000 bytes on the wire and under 5,242,880 bytes
 *   decompressed.
 * - `POST /api/v1/distribution_points`: `{ series: [{ metric, points: [[timestamp,
 *   [values…]]], tags, host?, type: "distribution" }] }`.
 *
 * Timestamps are POSIX seconds; Datadog ingests a point no older than one hour and no more
 * than ten minutes ahead (./datadog.ts keeps to that). Each request is cut so that its
 * JSON, before compression, stays under 512,000 bytes: then both the wire limit and the
 * decompressed one hold whatever gzip makes of it.
 */
import { gzipSync } from "node:zlib";
import { metricDefinition, type MetricName, type Tags } from "./catalogue";
import { LATENCY_BUCKETS_MS, type Histogram } from "./histogram";

/** The documented wire limit of one request, which the uncompressed JSON is held under. */
export const MAX_PAYLOAD_BYTES = 512_000;
/** Values per distribution point: a busy minute's latencies are split over several points. */
export const MAX_VALUES_PER_POINT = 20_000;

export const SERIES_TYPE = { unspecified: 0, count: 1, rate: 2, gauge: 3 } as const;

export interface SeriesItem {
  metric: MetricName;
  type: (typeof SERIES_TYPE)[keyof typeof SERIES_TYPE];
  /** Seconds a count covers. */
  interval?: number;
  unit?: string;
  points: { timestamp: number; value: number }[];
  tags: string[];
  resources?: { name: string; type: "host" }[];
}

export interface DistributionItem {
  metric: MetricName;
  points: [number, number[]][];
  tags: string[];
  host?: string;
  type: "distribution";
}

/**
 * `key:value` tags as Datadog stores them: lower case, and characters outside letters,
 * digits, `_ - : . /` become `_` (Datadog would convert them itself; doing it here keeps
 * one spelling), at most 200 characters.
 */
export function datadogTags(tags: Tags): string[] {
  return Object.entries(tags)
    .map(([key, value]) =>
      `${key}:${value}`
        .toLowerCase()
        .replace(/[^a-z0-9_\-:./]/g, "_")
        .slice(0, 200),
    )
    .sort();
}

/** Datadog's own unit names, where ours have one (the others are described in the catalogue). */
const UNITS: Record<string, string> = { millisecond: "millisecond", request: "request", ratio: "fraction" };

/** One point of a counter (a count over `intervalSeconds`) or a gauge, per the catalogue. */
export function seriesItem(
  name: MetricName,
  tags: Tags,
  point: { timestamp: number; value: number },
  options: { intervalSeconds: number; host?: string },
): SeriesItem {
  const definition = metricDefinition(name);
  const item: SeriesItem = {
    metric: name,
    type: definition.type === "counter" ? SERIES_TYPE.count : SERIES_TYPE.gauge,
    points: [point],
    tags: datadogTags(tags),
  };
  if (definition.type === "counter") item.interval = options.intervalSeconds;
  if (UNITS[definition.unit]) item.unit = UNITS[definition.unit];
  if (options.host) item.resources = [{ name: options.host, type: "host" }];
  return item;
}

/**
 * A latency histogram as distribution points: each request is one value, the upper bound
 * of its bucket (the same "exact to the bucket" reading as the p99 of ./histogram.ts);
 * requests slower than the last bound count as that bound. Split into points of at most
 * MAX_VALUES_PER_POINT values, all at `timestamp`.
 */
export function distributionItems(
  name: MetricName,
  tags: Tags,
  histogram: Histogram,
  options: { timestamp: number; host?: string },
): DistributionItem[] {
  const values: number[] = [];
  histogram.counts.forEach((count, i) => {
    const bound = LATENCY_BUCKETS_MS[Math.min(i, LATENCY_BUCKETS_MS.length - 1)]!;
    for (let n = 0; n < count; n++) values.push(bound);
  });
  const items: DistributionItem[] = [];
  for (let start = 0; start < values.length; start += MAX_VALUES_PER_POINT) {
    const item: DistributionItem = {
      metric: name,
      points: [[options.timestamp, values.slice(start, start + MAX_VALUES_PER_POINT)]],
      tags: datadogTags(tags),
      type: "distribution",
    };
    if (options.host) item.host = options.host;
    items.push(item);
  }
  return items;
}

export interface Batch<T> {
  items: T[];
  /** The JSON body, `{"series":[…]}`. */
  json: string;
}

/**
 * Packs items into request bodies of at most `maxBytes` of JSON, in order. An item too
 * large on its own (it cannot be: a point holds at most MAX_VALUES_PER_POINT short
 * numbers) is sent alone rather than lost.
 */
export function batches<T>(items: readonly T[], maxBytes = MAX_PAYLOAD_BYTES): Batch<T>[] {
  const envelope = Buffer.byteLength('{"series":[]}');
  const out: Batch<T>[] = [];
  let current: { items: T[]; parts: string[]; bytes: number } = { items: [], parts: [], bytes: envelope };
  const flush = () => {
    if (current.items.length === 0) return;
    out.push({ items: current.items, json: `{"series":[${current.parts.join(",")}]}` });
    current = { items: [], parts: [], bytes: envelope };
  };
  for (const item of items) {
    const part = JSON.stringify(item);
    const bytes = Buffer.byteLength(part) + (current.items.length > 0 ? 1 : 0);
    if (current.bytes + bytes > maxBytes) flush();
    current.items.push(item);
    current.parts.push(part);
    current.bytes += Buffer.byteLength(part) + (current.items.length > 1 ? 1 : 0);
  }
  flush();
  return out;
}

export function gzip(json: string): Buffer {
  return gzipSync(Buffer.from(json));
}
