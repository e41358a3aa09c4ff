import "server-only";
/**
 * The Datadog emitter, a scheduled job (lib/ops/jobs.ts), so it never runs inside a
 * request. Each run sends:
 *
 * - the business counters per minute from the rollups (`gacha.pulls.total`,
 *   `gacha.revenue.total`, `gacha.refunds.total`, as counts over 60 s at the minute's
 *   first second) with `gacha.pulls.rate` per minute, from where the last successful run
 *   stopped (the `datadog` watermark in `job_watermarks`) and again the last
 *   LOOKBACK_MINUTES, which the rollups job may have corrected. Datadog keeps the last
 *   value sent for a series and timestamp, so a minute sent twice counts once;
 * - the gate's rate-limit refusals and limiter-store failures per tier and minute, from
 *   `metric_signal_counts`, over the same minutes;
 * - the daily user gauges of the JST day so far (`users.active.daily`,
 *   `users.conversion.rate`, `users.retention.7day`);
 * - this process's request metrics since its previous run: `http.requests` counts,
 *   `system.errors.rate`, and the latency distributions `http.request.duration` per route
 *   and `system.performance.p99` of all routes, tagged with this instance as host so
 *   instances do not overwrite each other;
 * - its own signals: `metrics.emit.failures` and `metrics.emit.dropped`.
 *
 * When Datadog does not answer, the business minutes stay behind the watermark and the
 * request metrics wait in memory; the next run sends them, as long as Datadog still
 * accepts their timestamps (up to one hour old: anything older than MAX_POINT_AGE_MS is
 * dropped and counted). A failing run logs one line, whatever the number of requests
 * that failed in it.
 *
 * Several instances: the business part is sent by one at a time (a lease row in
 * `job_watermarks`); a second instance sends only its own request metrics.
 */
import os from "node:os";
import { jstDate } from "../auth/age";
import type { DatadogConfig } from "../config";
import type { Database } from "../db";
import { asService } from "../db/session";
import { log } from "../log/logger";
import { dailyUserFigures } from "./business";
import { tagsFor, type MetricName } from "./catalogue";
import { postToDatadog, type PostOptions } from "./datadog-client";
import { batches, distributionItems, seriesItem, type DistributionItem, type SeriesItem } from "./datadog-payload";
import { copyRequestMetrics, requestMetrics, requestsSince, type RequestMetrics } from "./requests";
import { LOOKBACK_MINUTES } from "./rollups";
import { requestSnapshot, type Sample } from "./snapshot";
import { advanceWatermark, readWatermark } from "./watermarks";

/**
 * Datadog ingests points up to one hour old. Five minutes are kept back for the run's own
 * retries and transit, so nothing sent is refused as too old on arrival.
 */
export const MAX_POINT_AGE_MS = 55 * 60_000;
/** …and no more than ten minutes ahead; our points are never ahead of the clock. */
export const MAX_POINT_LEAD_MS = 10 * 60_000;
/** A lease longer than a run can take (three attempts per request, each at most 10 s). */
const LEASE_MS = 5 * 60_000;
const WATERMARK = "datadog";
const LEASE = "datadog-lease";
const MINUTE = 60_000;
const GATE_SIGNALS: MetricName[] = ["ratelimit.refusals", "ratelimit.store_failures"];

type Unit = { kind: "series"; item: SeriesItem } | { kind: "distribution"; item: DistributionItem };

interface EmitterState {
  /** The request metrics as of the previous run. */
  taken: RequestMetrics | null;
  /** Request-metric points not yet accepted, oldest first. */
  pending: Unit[];
  failures: number;
  dropped: number;
  /** The totals as last sent, so each run sends what was added since. */
  sentFailures: number;
  sentDropped: number;
}

const slot = Symbol.for("koepon.datadogEmitter");
type GlobalWithEmitter = typeof globalThis & { [slot]?: EmitterState };

export function newEmitterState(): EmitterState {
  return { taken: null, pending: [], failures: 0, dropped: 0, sentFailures: 0, sentDropped: 0 };
}

/** The process's emitter state (one per process, whichever bundle asks). */
export function emitterState(): EmitterState {
  const g = globalThis as GlobalWithEmitter;
  g[slot] ??= newEmitterState();
  return g[slot];
}

/** The emitter's own counters since this process started, for Prometheus. */
export function emitterSamples(env: string, state = emitterState()): Sample[] {
  return [
    { name: "metrics.emit.failures", tags: tagsFor("metrics.emit.failures", { env }), value: state.failures },
    { name: "metrics.emit.dropped", tags: tagsFor("metrics.emit.dropped", { env }), value: state.dropped },
  ];
}

export interface EmitOptions {
  now: Date;
  env: string;
  config: DatadogConfig;
  /** @default the process's (./requests.ts) */
  requests?: RequestMetrics;
  /** @default the process's */
  state?: EmitterState;
  /** Retries, backoff, fetch and sleep of each request (./datadog-client.ts). */
  post?: Omit<PostOptions, "apiKey">;
}

export interface EmitRun {
  /** Requests Datadog accepted. */
  sent: number;
  /** Requests that failed after their retries (the first such ends the run's sending). */
  failed: number;
  /** Points given up: too old for Datadog, or refused by it for good. */
  dropped: number;
  /** Request-metric points waiting for the next run. */
  pending: number;
  /** Whether this run sent the business figures (it held the lease). */
  business: boolean;
  /** The business minutes are sent up to here. */
  doneUntil: Date | null;
}

const seconds = (ms: number) => Math.floor(ms / 1000);

export async function emitToDatadog(db: Database, options: EmitOptions): Promise<EmitRun> {
  const { now, env, config } = options;
  const state = options.state ?? emitterState();
  const host = config.hostname ?? os.hostname();
  const oldest = now.getTime() - MAX_POINT_AGE_MS;
  const minuteNow = Math.floor(now.getTime() / MINUTE) * MINUTE;

  // 1. This process's requests since the previous run, queued with the ones not yet sent.
  const current = options.requests ?? requestMetrics();
  const delta = state.taken ? requestsSince(current, state.taken) : current;
  state.taken = copyRequestMetrics(current);
  state.pending.push(...requestUnits(delta, { env, host, timestamp: seconds(now.getTime()) }));
  const fresh = state.pending.filter((u) => unitTimestamp(u) * 1000 >= oldest);
  state.dropped += countPoints(state.pending) - countPoints(fresh);
  state.pending = fresh;

  // 2. The business figures, by one instance at a time.
  const lease = await takeLease(db, now);
  let business: { units: Unit[]; until: number } | null = null;
  if (lease) {
    try {
      const { units, tooOld, until } = await businessUnits(db, { now, env, oldest, minuteNow });
      state.dropped += tooOld;
      business = { units, until };
    } catch (err) {
      // The database failed us: free the lease for whoever can read it (the requests
      // gathered above wait in memory for the next run).
      await releaseLease(db, lease, now).catch(() => {});
      throw err;
    }
  }

  // 3. Own signals, as counts of what was added since they were last sent.
  const selfCount = (name: MetricName, added: number): Unit[] =>
    added > 0
      ? [
          {
            kind: "series",
            item: seriesItem(
              name,
              tagsFor(name, { env }),
              { timestamp: seconds(minuteNow), value: added },
              {
                intervalSeconds: 60,
                host,
              },
            ),
          },
        ]
      : [];
  const selfUnits = [
    ...selfCount("metrics.emit.failures", state.failures - state.sentFailures),
    ...selfCount("metrics.emit.dropped", state.dropped - state.sentDropped),
  ];
  const failuresBefore = state.failures;
  const droppedBefore = state.dropped;

  // 4. Send: each group in requests under the limits; what failed stays for the next run.
  const post = { apiKey: config.apiKey, ...options.post };
  const errors: string[] = [];
  let sent = 0;
  let failed = 0;
  // Once a request has failed through its retries, the rest of the run waits for the
  // next one: Datadog is down or overloaded, and a run must not outlast its minute.
  let gaveUp = false;
  const send = async (units: Unit[]): Promise<{ accepted: Set<Unit>; refused: Set<Unit> }> => {
    const accepted = new Set<Unit>();
    const refused = new Set<Unit>();
    for (const kind of ["series", "distribution"] as const) {
      const path = kind === "series" ? "/api/v2/series" : "/api/v1/distribution_points";
      const ofKind = units.filter((u) => u.kind === kind);
      const unitOf = new Map<object, Unit>(ofKind.map((u) => [u.item, u]));
      for (const batch of batches(ofKind.map((u) => u.item))) {
        if (gaveUp) break;
        const outcome = await postToDatadog(`${config.apiUrl}${path}`, batch.json, post);
        const batchUnits = batch.items.map((item) => unitOf.get(item)!);
        if (outcome.ok) {
          sent++;
          batchUnits.forEach((u) => accepted.add(u));
        } else {
          failed++;
          errors.push(`${path}: ${outcome.status ?? "no answer"} ${outcome.error}`);
          if (outcome.retryable) gaveUp = true;
          else batchUnits.forEach((u) => refused.add(u));
        }
      }
    }
    return { accepted, refused };
  };

  let doneUntil: Date | null = null;
  if (business && lease) {
    const outcome = await send(business.units);
    // Refused for good (a 4xx other than 429/408): counted, and not sent again. Failed
    // otherwise: the watermark stays, and the next run sends the same minutes.
    state.dropped += countPoints([...outcome.refused]);
    if (outcome.accepted.size + outcome.refused.size === business.units.length) {
      doneUntil = new Date(business.until);
      await finishBusiness(db, lease, doneUntil, now);
    } else {
      await releaseLease(db, lease, now);
    }
  }
  const queued = [...state.pending, ...selfUnits];
  const outcome = await send(queued);
  state.pending = state.pending.filter((u) => !outcome.accepted.has(u) && !outcome.refused.has(u));
  state.dropped += countPoints([...outcome.refused]);
  if (selfUnits.every((u) => outcome.accepted.has(u) || outcome.refused.has(u))) {
    state.sentFailures = failuresBefore;
    state.sentDropped = droppedBefore;
  }

  if (failed > 0) {
    state.failures += failed;
    // One line per run, however many requests failed in it.
    log("error", "datadog.emit_failed", {
      failed,
      sent,
      pending: countPoints(state.pending),
      dropped: state.dropped,
      reasons: errors.slice(0, 3),
    });
  }
  return {
    sent,
    failed,
    dropped: state.dropped,
    pending: countPoints(state.pending),
    business: lease !== null,
    doneUntil,
  };
}

function unitTimestamp(unit: Unit): number {
  return unit.kind === "series" ? unit.item.points[0]!.timestamp : unit.item.points[0]![0];
}

function countPoints(units: readonly Unit[]): number {
  return units.reduce(
    (n, u) => n + (u.kind === "series" ? u.item.points.length : u.item.points.reduce((m, p) => m + p[1].length, 0)),
    0,
  );
}

function requestUnits(delta: RequestMetrics, options: { env: string; host: string; timestamp: number }): Unit[] {
  const { samples, histograms } = requestSnapshot(delta, options.env);
  return [
    ...samples.map((s): Unit => ({
      kind: "series",
      item: seriesItem(
        s.name,
        s.tags,
        { timestamp: options.timestamp, value: s.value },
        {
          intervalSeconds: 60,
          host: options.host,
        },
      ),
    })),
    ...histograms.flatMap((h) =>
      distributionItems(h.name, h.tags, h.histogram, { timestamp: options.timestamp, host: options.host }).map(
        (item): Unit => ({ kind: "distribution", item }),
      ),
    ),
  ];
}

/**
 * The rollups' minutes from the watermark (less the lookback) to the last closed minute,
 * as counts, and the pulls per minute as a gauge; minutes Datadog would refuse as too
 * old are counted, not sent. Then the JST day's user gauges.
 */
async function businessUnits(
  db: Database,
  options: { now: Date; env: string; oldest: number; minuteNow: number },
): Promise<{ units: Unit[]; tooOld: number; until: number }> {
  const { env, oldest, minuteNow } = options;
  const firstSendable = Math.ceil(oldest / MINUTE) * MINUTE;
  const { rows, gate, done } = await asService(db, "metrics-datadog", async (tx) => {
    const done = (await readWatermark(tx, WATERMARK))?.getTime() ?? firstSendable;
    const from = done - LOOKBACK_MINUTES * MINUTE;
    const rows = await tx.query<{
      metric: MetricName;
      bucket: Date;
      campaign_id: string | null;
      kind: string | null;
      value: string;
    }>(
      `select metric, bucket, campaign_id, kind, value from public.metric_rollups
        where resolution = 'minute' and bucket >= $1 and bucket < $2
        order by bucket, metric, campaign_id, kind`,
      [new Date(from), new Date(minuteNow)],
    );
    // The gate's rate-limit signals, summed over whoever counted them (lib/metrics/gate-signals.ts).
    const gate = await tx.query<{ metric: MetricName; bucket: Date; tag: string; value: string }>(
      `select metric, bucket, tag, sum(value) as value from public.metric_signal_counts
        where metric = any($1::text[]) and bucket >= $2 and bucket < $3
        group by metric, bucket, tag order by bucket, metric, tag`,
      [GATE_SIGNALS, new Date(from), new Date(minuteNow)],
    );
    return { rows, gate, done };
  });

  const units: Unit[] = [];
  let tooOld = 0;
  const pullsPerMinute = new Map<number, number>();
  for (const r of rows) {
    const at = r.bucket.getTime();
    if (at < firstSendable) {
      // Only minutes never sent count as dropped; the lookback's re-sends were sent before.
      if (at >= done) tooOld++;
      continue;
    }
    const tags: Record<string, string> = { env };
    if (r.campaign_id) tags.campaign_id = r.campaign_id;
    if (r.kind) tags.kind = r.kind;
    const value = Number(r.value);
    units.push({
      kind: "series",
      item: seriesItem(r.metric, tagsFor(r.metric, tags), { timestamp: seconds(at), value }, { intervalSeconds: 60 }),
    });
    if (r.metric === "gacha.pulls.total") pullsPerMinute.set(at, (pullsPerMinute.get(at) ?? 0) + value);
  }
  for (const r of gate) {
    const at = r.bucket.getTime();
    if (at < firstSendable) continue;
    const tags = tagsFor(r.metric, { env, tier: r.tag.slice("tier:".length) });
    units.push({
      kind: "series",
      item: seriesItem(r.metric, tags, { timestamp: seconds(at), value: Number(r.value) }, { intervalSeconds: 60 }),
    });
  }
  // A gauge per minute, zero when nothing was drawn: a quiet minute is a figure too.
  const rateFrom = Math.max(firstSendable, done - LOOKBACK_MINUTES * MINUTE);
  for (let at = rateFrom; at < minuteNow; at += MINUTE) {
    units.push({
      kind: "series",
      item: seriesItem(
        "gacha.pulls.rate",
        tagsFor("gacha.pulls.rate", { env }),
        { timestamp: seconds(at), value: pullsPerMinute.get(at) ?? 0 },
        { intervalSeconds: 60 },
      ),
    });
  }

  const today = await dailyUserFigures(db, jstDate(options.now));
  const gauge = (name: MetricName, value: number | null) => {
    if (value === null) return;
    units.push({
      kind: "series",
      item: seriesItem(name, tagsFor(name, { env }), { timestamp: seconds(minuteNow), value }, { intervalSeconds: 60 }),
    });
  };
  gauge("users.active.daily", today.active);
  gauge("users.conversion.rate", today.conversion);
  gauge("users.retention.7day", today.retention7day);
  return { units, tooOld, until: minuteNow };
}

/** Takes the business lease when it is free or expired; null when another instance holds it. */
async function takeLease(db: Database, now: Date): Promise<Date | null> {
  const until = new Date(now.getTime() + LEASE_MS);
  const rows = await asService(db, "metrics-datadog", (tx) =>
    tx.query(
      `insert into public.job_watermarks (job, done_until) values ($1, $2)
       on conflict (job) do update set done_until = excluded.done_until, updated_at = now()
        where public.job_watermarks.done_until <= $3
       returning job`,
      [LEASE, until, now],
    ),
  );
  return rows.length > 0 ? until : null;
}

async function releaseLease(db: Database, lease: Date, now: Date): Promise<void> {
  await asService(db, "metrics-datadog", (tx) =>
    tx.query("update public.job_watermarks set done_until = $3 where job = $1 and done_until = $2", [
      LEASE,
      lease,
      now,
    ]),
  );
}

async function finishBusiness(db: Database, lease: Date, doneUntil: Date, now: Date): Promise<void> {
  await asService(db, "metrics-datadog", async (tx) => {
    await advanceWatermark(tx, WATERMARK, doneUntil);
    await tx.query("update public.job_watermarks set done_until = $3 where job = $1 and done_until = $2", [
      LEASE,
      lease,
      now,
    ]);
  });
}
