import "server-only";
/**
 * Judges each alert rule (./rules.ts) at an instant, from the figures in the database
 * (./inputs.ts) and, for the dependency rules, a live probe. The clock is a parameter,
 * so a test can walk a rule across its threshold and back minute by minute.
 *
 * Below a rule's volume guard the rule is ok, not firing: a quiet night pages nobody,
 * and an incident open when traffic fades away resolves.
 */
import { jstDate } from "../auth/age";
import { log } from "../log/logger";
import type { Queryable } from "../db";
import { addDays, jstDay } from "../metrics/business";
import { LATENCY_BUCKETS_MS } from "../metrics/histogram";
import { LATENCY_LE } from "../metrics/signals";
import { dailyValues, mismatchCount, rollupSum, signalSums, total, type Interval } from "./inputs";
import type { AlertRule, RuleCondition } from "./rules";

export interface Judgement {
  firing: boolean;
  /** The figure the rule compared (a share, ms, a count, the relative drop); null without data. */
  value: number | null;
  threshold: number;
  /** The volume the guard looked at (answers, events, baseline); null where there is none. */
  volume: number | null;
  /** True when the guard kept the rule quiet. */
  belowGuard: boolean;
  /** One line for people: what was seen against what is allowed. */
  summary: string;
  window: Interval;
}

/** A dependency check: resolves when reachable, throws why not. */
export type DependencyProbe = () => Promise<void>;
export type Probes = Record<"database" | "limiter_store", DependencyProbe>;

const MINUTE = 60_000;
const HOUR = 3_600_000;
const WEEK = 7 * 86_400_000;

/** The window of `minutes` closed minutes ending at the last whole minute before `now`. */
export function closedWindow(now: Date, minutes: number): Interval {
  const to = new Date(Math.floor(now.getTime() / MINUTE) * MINUTE);
  return { from: new Date(to.getTime() - minutes * MINUTE), to };
}

export async function judge(rule: AlertRule, tx: Queryable, now: Date, probes: Probes): Promise<Judgement> {
  switch (rule.kind) {
    case "share":
      return judgeShare(rule, tx, now);
    case "latency":
      return judgeLatency(rule, tx, now);
    case "count":
      return judgeCount(rule, tx, now);
    case "drop":
      return judgeDrop(rule, tx, now);
    case "probe":
      return judgeProbe(rule, tx, now, probes);
  }
}

type Of<K extends RuleCondition["kind"]> = Extract<AlertRule, { kind: K }>;

const pct = (x: number) => `${(x * 100).toFixed(1)} %`;

async function judgeShare(rule: Of<"share">, tx: Queryable, now: Date): Promise<Judgement> {
  const window = closedWindow(now, rule.windowMinutes);
  const answers = await signalSums(tx, "http.requests", window);
  const all = total(answers);
  const bad = rule.statusClasses.reduce((sum, c) => sum + (answers.get(`status_class:${c}`) ?? 0), 0);
  const share = all > 0 ? bad / all : null;
  const belowGuard = all < rule.minRequests;
  const firing = !belowGuard && share !== null && share > rule.above;
  return {
    firing,
    value: share,
    threshold: rule.above,
    volume: all,
    belowGuard,
    window,
    summary: `${rule.statusClasses.join("+")} share ${share === null ? "n/a" : pct(share)} of ${all} answers in ${rule.windowMinutes} min (threshold ${pct(rule.above)}, guard ${rule.minRequests} answers)`,
  };
}

async function judgeLatency(rule: Of<"latency">, tx: Queryable, now: Date): Promise<Judgement> {
  const window = closedWindow(now, rule.windowMinutes);
  const buckets = await signalSums(tx, "system.performance.p99", window);
  const counts = LATENCY_LE.map((le) => buckets.get(`le:${le}`) ?? 0);
  const all = counts.reduce((a, b) => a + b, 0);
  // The upper bound of the bucket holding the quantile: exact to the bucket over every instance.
  let quantile: number | null = null;
  if (all > 0) {
    const rank = Math.ceil(rule.quantile * all);
    let seen = 0;
    const index = counts.findIndex((c) => (seen += c) >= rank);
    quantile = LATENCY_BUCKETS_MS[index] ?? Infinity;
  }
  const belowGuard = all < rule.minRequests;
  const firing = !belowGuard && quantile !== null && quantile > rule.aboveMs;
  const shown =
    quantile === null ? "n/a" : quantile === Infinity ? `> ${LATENCY_BUCKETS_MS.at(-1)} ms` : `≤ ${quantile} ms`;
  return {
    firing,
    value: quantile === Infinity ? null : quantile,
    threshold: rule.aboveMs,
    volume: all,
    belowGuard,
    window,
    summary: `P${Math.round(rule.quantile * 100)} ${shown} over ${all} answers in ${rule.windowMinutes} min (threshold ${rule.aboveMs} ms, guard ${rule.minRequests} answers)`,
  };
}

async function judgeCount(rule: Of<"count">, tx: Queryable, now: Date): Promise<Judgement> {
  const count = (interval: Interval) =>
    rule.signal === "payments.reconciliation.mismatches"
      ? mismatchCount(tx, interval)
      : signalSums(tx, rule.signal, interval).then(total);
  const window = closedWindow(now, rule.windowMinutes);
  const seen = await count(window);
  let threshold = rule.atLeast;
  let usual: number | null = null;
  if (rule.baseline) {
    const before = await count({
      from: new Date(window.from.getTime() - rule.baseline.minutes * MINUTE),
      to: window.from,
    });
    usual = (before / rule.baseline.minutes) * rule.windowMinutes;
    threshold = Math.max(rule.atLeast, usual * rule.baseline.factor);
  }
  const firing = seen >= threshold;
  return {
    firing,
    value: seen,
    threshold,
    volume: usual,
    belowGuard: seen < rule.atLeast,
    window,
    summary:
      `${seen} ${rule.signal} in ${rule.windowMinutes} min (fires at ${Math.ceil(threshold)}` +
      (usual === null ? ")" : `, usual ${usual.toFixed(1)} per ${rule.windowMinutes} min)`),
  };
}

async function judgeDrop(rule: Of<"drop">, tx: Queryable, now: Date): Promise<Judgement> {
  let current: number | null;
  let baseline: number | null;
  let guardVolume: number | null;
  let window: Interval;
  if (rule.compare === "hour_week_ago") {
    const hourEnd = Math.floor(now.getTime() / HOUR) * HOUR;
    window = { from: new Date(hourEnd - HOUR), to: new Date(hourEnd) };
    const weekAgo = { from: new Date(hourEnd - HOUR - WEEK), to: new Date(hourEnd - WEEK) };
    current = await rollupSum(tx, rule.metric, window);
    baseline = await rollupSum(tx, rule.metric, weekAgo);
    guardVolume = baseline;
  } else {
    const day = addDays(jstDate(now), -1);
    window = jstDay(day);
    const before = Array.from({ length: 7 }, (_, i) => jstDay(addDays(day, -1 - i)).from);
    const values = await dailyValues(tx, rule.metric, [window.from, ...before]);
    current = values.get(window.from.getTime()) ?? null;
    const past = before.map((b) => values.get(b.getTime())).filter((v): v is number => v !== undefined);
    baseline = past.length === 7 ? past.reduce((a, b) => a + b, 0) / 7 : null;
    guardVolume =
      rule.metric === "users.conversion.rate"
        ? ((await dailyValues(tx, "users.active.daily", [window.from])).get(window.from.getTime()) ?? null)
        : baseline;
  }
  const drop = current !== null && baseline !== null && baseline > 0 ? (baseline - current) / baseline : null;
  const belowGuard = guardVolume === null || guardVolume < rule.minBaseline;
  const firing = !belowGuard && drop !== null && drop >= rule.dropAtLeast;
  const label = rule.compare === "hour_week_ago" ? "the same hour a week before" : "the 7-day mean";
  return {
    firing,
    value: drop,
    threshold: rule.dropAtLeast,
    volume: guardVolume,
    belowGuard,
    window,
    summary: `${rule.metric} ${current ?? "n/a"} against ${baseline === null ? "n/a" : +baseline.toFixed(4)} for ${label}: ${drop === null ? "no comparison" : `${drop >= 0 ? "−" : "+"}${pct(Math.abs(drop))}`} (fires at −${pct(rule.dropAtLeast)}, guard ${rule.minBaseline})`,
  };
}

async function judgeProbe(rule: Of<"probe">, tx: Queryable, now: Date, probes: Probes): Promise<Judgement> {
  let failure: string | null = null;
  try {
    await probes[rule.dependency]();
  } catch (err) {
    failure = err instanceof Error ? err.message : String(err);
    // Every failed probe is a log line too: Datadog's log monitor for the rule counts these.
    log("alert", "alert.dependency_unreachable", { dependency: rule.dependency, error: failure });
  }
  if (failure !== null) {
    return {
      firing: true,
      value: 1,
      threshold: 1,
      volume: null,
      belowGuard: false,
      window: { from: now, to: now },
      summary: `${rule.dependency} unreachable: ${failure.slice(0, 300)}`,
    };
  }
  if (!rule.reported) {
    return {
      firing: false,
      value: 0,
      threshold: 1,
      volume: null,
      belowGuard: false,
      window: { from: now, to: now },
      summary: `${rule.dependency} reachable`,
    };
  }
  const { signal, windowMinutes, atLeast } = rule.reported;
  const window = closedWindow(now, windowMinutes);
  const seen = total(await signalSums(tx, signal, window));
  return {
    firing: seen >= atLeast,
    value: seen,
    threshold: atLeast,
    volume: seen,
    belowGuard: seen < atLeast,
    window,
    summary: `${rule.dependency} reachable from here; ${seen} ${signal} in ${windowMinutes} min (fires at ${atLeast})`,
  };
}
