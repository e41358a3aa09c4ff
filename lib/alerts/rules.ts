/**
 * The alert rules, as data: what each watches, over which window, the threshold, the
 * minimum volume below which it stays quiet, where it pages and how loud. The evaluator
 * (./evaluate.ts) reads them, `npm run ops:monitors` writes the same rules as Datadog
 * monitors (./datadog-monitors.ts), and the README's alert table describes them: change
 * a rule here and both follow.
 *
 * Windows end at the last whole minute (the minute in progress is incomplete), so a
 * "for 5 minutes" rule judges the last five closed minutes taken together.
 */

export type Destination = "pagerduty" | "slack";
export type Severity = "critical" | "error" | "warning" | "info";

/** A ratio of two sums of process signals over the window. */
interface ShareRule {
  kind: "share";
  /** `http.requests` answers whose status class is one of these, out of all answers. */
  statusClasses: readonly ("4xx" | "5xx")[];
  windowMinutes: number;
  /** Fires when the share is strictly above. */
  above: number;
  /** Quiet unless at least this many answers were counted in the window. */
  minRequests: number;
}

/** A latency quantile of the service-wide histogram over the window. */
interface LatencyRule {
  kind: "latency";
  quantile: number;
  windowMinutes: number;
  /** Fires when the quantile's bucket bound is strictly above (ms). */
  aboveMs: number;
  minRequests: number;
}

/** A count of events over the window, optionally against its own recent past. */
interface CountRule {
  kind: "count";
  signal: "auth.login.failures" | "payments.provider_failures" | "payments.reconciliation.mismatches";
  windowMinutes: number;
  /** Fires when the count reaches this. */
  atLeast: number;
  /**
   * A spike: also at least `factor` times the mean count per window over the
   * `minutes` before it, so a busy service's usual level does not page.
   */
  baseline?: { minutes: number; factor: number };
}

/** A business figure fallen against what it was before. */
interface DropRule {
  kind: "drop";
  metric: "gacha.revenue.total" | "users.active.daily" | "users.conversion.rate";
  /**
   * `hour_week_ago`: the last whole hour's sum against the same hour a week before;
   * `day_vs_7day_mean`: the last finished JST day against the mean of the 7 days before it.
   */
  compare: "hour_week_ago" | "day_vs_7day_mean";
  /** Fires when the figure is at least this share below the baseline (0.2 = −20 %). */
  dropAtLeast: number;
  /** Quiet unless the baseline (yen, users) or, for a rate, the day's active users reach this. */
  minBaseline: number;
}

/** A dependency probed by the evaluator itself, every evaluation. */
interface ProbeRule {
  kind: "probe";
  dependency: "database" | "limiter_store";
  /**
   * Also fires on what its users saw: at least `atLeast` failures counted in the last
   * `windowMinutes` (the gate's failed limiter checks, which also catch a store too slow
   * for the gate's time limit while the evaluator's probe still gets through).
   */
  reported?: { signal: "ratelimit.store_failures"; windowMinutes: number; atLeast: number };
}

export type RuleCondition = ShareRule | LatencyRule | CountRule | DropRule | ProbeRule;

export type AlertRule = RuleCondition & {
  /** Stable id: the incident table, the dedup key and the Datadog monitor tag use it. */
  id: string;
  title: string;
  destination: Destination;
  severity: Severity;
  /** What the volume guard means, for the README and the notification. */
  guard: string;
};

export const ALERT_RULES: readonly AlertRule[] = [
  {
    id: "error_rate_high",
    title: "Error rate above 5 % for 5 minutes",
    kind: "share",
    statusClasses: ["5xx"],
    windowMinutes: 5,
    above: 0.05,
    minRequests: 100,
    destination: "pagerduty",
    severity: "critical",
    guard: "at least 100 answers in the 5 minutes",
  },
  {
    id: "server_errors_majority",
    title: "More than half of the answers are 5xx",
    kind: "share",
    statusClasses: ["5xx"],
    windowMinutes: 1,
    above: 0.5,
    minRequests: 20,
    destination: "pagerduty",
    severity: "critical",
    guard: "at least 20 answers in the minute",
  },
  {
    id: "latency_p95_slow",
    title: "P95 latency above 1 s for 5 minutes",
    kind: "latency",
    quantile: 0.95,
    windowMinutes: 5,
    aboveMs: 1_000,
    minRequests: 100,
    destination: "slack",
    severity: "warning",
    guard: "at least 100 answers in the 5 minutes",
  },
  {
    id: "revenue_drop",
    title: "Revenue 20 % below the same hour a week before",
    kind: "drop",
    metric: "gacha.revenue.total",
    compare: "hour_week_ago",
    dropAtLeast: 0.2,
    minBaseline: 10_000,
    destination: "slack",
    severity: "warning",
    guard: "the hour a week before took at least ¥10,000",
  },
  {
    id: "dau_drop",
    title: "Daily active users 15 % below the 7-day mean",
    kind: "drop",
    metric: "users.active.daily",
    compare: "day_vs_7day_mean",
    dropAtLeast: 0.15,
    minBaseline: 50,
    destination: "slack",
    severity: "warning",
    guard: "the 7-day mean is at least 50 users",
  },
  {
    id: "conversion_drop",
    title: "Conversion 10 % below the 7-day mean",
    kind: "drop",
    metric: "users.conversion.rate",
    compare: "day_vs_7day_mean",
    dropAtLeast: 0.1,
    minBaseline: 50,
    destination: "slack",
    severity: "warning",
    guard: "the day had at least 50 active users",
  },
  {
    id: "login_failures_spike",
    title: "Failed sign-ins spiking",
    kind: "count",
    signal: "auth.login.failures",
    windowMinutes: 5,
    atLeast: 50,
    baseline: { minutes: 60, factor: 5 },
    destination: "pagerduty",
    severity: "error",
    guard: "at least 50 failures in 5 minutes and 5× the usual 5-minute count of the hour before",
  },
  {
    id: "payment_provider_failures",
    title: "Payment provider failing",
    kind: "count",
    signal: "payments.provider_failures",
    windowMinutes: 5,
    atLeast: 3,
    destination: "pagerduty",
    severity: "critical",
    guard: "at least 3 failed calls in 5 minutes (declined cards are not failures)",
  },
  {
    id: "reconciliation_mismatch",
    title: "Payments do not match the provider's books",
    kind: "count",
    signal: "payments.reconciliation.mismatches",
    windowMinutes: 60,
    atLeast: 1,
    destination: "pagerduty",
    severity: "error",
    guard: "none: every mismatch is money a person must look at",
  },
  {
    id: "database_unreachable",
    title: "Database unreachable",
    kind: "probe",
    dependency: "database",
    destination: "pagerduty",
    severity: "critical",
    guard: "none: probed on every evaluation",
  },
  {
    id: "limiter_store_unreachable",
    title: "Rate-limit store unreachable",
    kind: "probe",
    dependency: "limiter_store",
    reported: { signal: "ratelimit.store_failures", windowMinutes: 5, atLeast: 20 },
    destination: "pagerduty",
    severity: "critical",
    guard:
      "the probe fails on any evaluation, or the gate counted at least 20 failed limiter checks in 5 minutes (pulls and payments are refused meanwhile)",
  },
];

export function ruleById(id: string): AlertRule | undefined {
  return ALERT_RULES.find((rule) => rule.id === id);
}
