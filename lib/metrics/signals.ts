import "server-only";
/**
 * System signals that exist only inside a server process (answers by status class, the
 * latency distribution, failed sign-ins, sign-in locks, webhook signature failures,
 * payment-provider failures, the database pool), counted per minute in memory and
 * written to `metric_signal_counts` under this process's instance id. Readers sum the
 * instances, so the alert rules see the whole service, exactly: latency is kept as the
 * fixed buckets of ./histogram.ts, and bucket counts add across instances.
 *
 * A write carries the process's running figure for the minute, never an increment, and
 * the database keeps the greater of what it has and what arrives: a retried or repeated
 * flush changes nothing. Figures the database already records (reconciliation mismatches
 * in `audit_log`) are read from there instead (./signal-reader.ts).
 */
import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import type { Database } from "../db";
import { asService } from "../db/session";
import type { MetricName } from "./catalogue";
import { LATENCY_BUCKETS_MS } from "./histogram";

/** The series counted here, and the one tag key each takes (null: none). */
export const PROCESS_SIGNALS = {
  "http.requests": { kind: "counter", tag: "status_class" },
  "system.performance.p99": { kind: "counter", tag: "le" },
  "auth.login.failures": { kind: "counter", tag: null },
  "auth.login.throttle_locks": { kind: "counter", tag: null },
  "webhooks.signature_failures": { kind: "counter", tag: null },
  "payments.provider_failures": { kind: "counter", tag: null },
  // Gauges keep the highest value seen in the minute; instances add up.
  "db.pool.in_use": { kind: "gauge", tag: null },
  "db.pool.waiting": { kind: "gauge", tag: null },
} as const satisfies Partial<Record<MetricName, { kind: "counter" | "gauge"; tag: string | null }>>;

export type ProcessSignal = keyof typeof PROCESS_SIGNALS;

/** The `le` tag of a latency bucket: its upper bound in ms, `+Inf` for the open one. */
export const LATENCY_LE = [...LATENCY_BUCKETS_MS.map(String), "+Inf"] as const;

const MINUTE = 60_000;
/** Minutes kept in memory while writes fail. */
const MAX_HELD_MINUTES = 60;

interface SignalStore {
  instanceId: string;
  /** minute (epoch ms) → `metric|tag` → value */
  minutes: Map<number, Map<string, number>>;
  lastFlush: number;
}

const slot = Symbol.for("koepon.signals");
type GlobalWithSignals = typeof globalThis & { [slot]?: SignalStore };

/** This process's signals (one per process, whichever bundle asks). */
export function processSignals(): SignalStore {
  const g = globalThis as GlobalWithSignals;
  g[slot] ??= {
    instanceId: `${hostname().slice(0, 80)}-${process.pid}-${randomBytes(4).toString("hex")}`,
    minutes: new Map(),
    lastFlush: 0,
  };
  return g[slot];
}

function cell(store: SignalStore, at: number): Map<string, number> {
  const minute = Math.floor(at / MINUTE) * MINUTE;
  let series = store.minutes.get(minute);
  if (!series) store.minutes.set(minute, (series = new Map()));
  return series;
}

/** Counts `n` occurrences of a counter signal now. */
export function countSignal(
  name: ProcessSignal,
  options: { tag?: string; n?: number; now?: number; store?: SignalStore } = {},
): void {
  const store = options.store ?? processSignals();
  const key = seriesKey(name, options.tag);
  const series = cell(store, options.now ?? Date.now());
  series.set(key, (series.get(key) ?? 0) + (options.n ?? 1));
}

/** Records a gauge reading; the minute keeps its highest. */
export function sampleGauge(
  name: ProcessSignal,
  value: number,
  options: { now?: number; store?: SignalStore } = {},
): void {
  const store = options.store ?? processSignals();
  const key = seriesKey(name);
  const series = cell(store, options.now ?? Date.now());
  series.set(key, Math.max(series.get(key) ?? 0, value));
}

/** One answer of the route wrapper: its status class and its latency bucket. */
export function countAnswer(status: number, durationMs: number, options: { now?: number; store?: SignalStore } = {}) {
  countSignal("http.requests", { ...options, tag: `${Math.trunc(status / 100)}xx` });
  const index = LATENCY_BUCKETS_MS.findIndex((bound) => durationMs <= bound);
  countSignal("system.performance.p99", { ...options, tag: LATENCY_LE[index === -1 ? LATENCY_LE.length - 1 : index] });
}

function seriesKey(name: ProcessSignal, tagValue?: string): string {
  const tagKey = PROCESS_SIGNALS[name].tag;
  if ((tagKey === null) !== (tagValue === undefined)) {
    throw new Error(`${name} takes ${tagKey === null ? "no tag" : `the tag ${tagKey}`}`);
  }
  return `${name}|${tagKey === null ? "" : `${tagKey}:${tagValue}`}`;
}

/**
 * Writes every minute this process holds (the current one too, as it stands) and
 * forgets the closed minutes once they are written. The pool gauges are sampled first.
 */
export async function flushSignals(
  db: Database,
  options: { now: Date; store?: SignalStore },
): Promise<{ instanceId: string; rows: number }> {
  const store = options.store ?? processSignals();
  const now = options.now.getTime();
  const pool = db.poolStats?.();
  if (pool) {
    sampleGauge("db.pool.in_use", pool.inUse, { now, store });
    sampleGauge("db.pool.waiting", pool.waiting, { now, store });
  }
  const minutes = [...store.minutes.keys()].sort((a, b) => a - b);
  const rows = minutes.flatMap((minute) =>
    [...store.minutes.get(minute)!].map(([key, value]) => {
      const [metric, tag] = key.split("|") as [string, string];
      return { metric, bucket: new Date(minute).toISOString(), tag, value };
    }),
  );
  store.lastFlush = now;
  // While the database is away the minutes pile up here; past an hour they are dropped.
  for (const minute of minutes) if (minute < now - MAX_HELD_MINUTES * MINUTE) store.minutes.delete(minute);
  if (rows.length === 0) return { instanceId: store.instanceId, rows: 0 };
  await writeSignalRows(db, store.instanceId, rows);
  const current = Math.floor(now / MINUTE) * MINUTE;
  for (const minute of minutes) if (minute < current) store.minutes.delete(minute);
  return { instanceId: store.instanceId, rows: rows.length };
}

export interface SignalRow {
  metric: string;
  /** The minute, ISO 8601. */
  bucket: string;
  /** `key:value`, or "" for a series without a tag. */
  tag: string;
  value: number;
}

/**
 * Writes running figures of one counting instance (a process, or the gate's counts
 * read from the limiter store): each row keeps the greater of what it had and what
 * arrives, so a repeated write changes nothing.
 */
export async function writeSignalRows(db: Database, instanceId: string, rows: readonly SignalRow[]): Promise<void> {
  if (rows.length === 0) return;
  await asService(db, "metrics-signals", (tx) =>
    tx.query(
      `insert into public.metric_signal_counts (instance_id, metric, bucket, tag, value)
       select $1, r.metric, r.bucket, r.tag, r.value
         from jsonb_to_recordset($2::jsonb) as r(metric text, bucket timestamptz, tag text, value numeric)
        order by r.metric, r.bucket, r.tag
       on conflict (instance_id, metric, bucket, tag)
       do update set value = greatest(public.metric_signal_counts.value, excluded.value), updated_at = now()
        where public.metric_signal_counts.value < excluded.value`,
      [instanceId, JSON.stringify(rows)],
    ),
  );
}

/**
 * Where no scheduler runs in the process (serverless functions), the route wrapper
 * flushes after answering, at most this often per instance: a function instance that is
 * frozen loses at most this much of its counts.
 */
export const REQUEST_FLUSH_INTERVAL_MS = 20_000;

/** True when this instance should write its counts now; claims the turn so concurrent requests do not all flush. */
export function claimRequestFlush(now: number, store: SignalStore = processSignals()): boolean {
  if (store.minutes.size === 0 || now - store.lastFlush < REQUEST_FLUSH_INTERVAL_MS) return false;
  store.lastFlush = now;
  return true;
}
