/**
 * The one list of what the app measures. Every emitter (the Prometheus route today) and
 * every rollup reads its names, types, units and tags from here, so a figure means the
 * same wherever it shows up.
 *
 * Tags are bounded on purpose: each metric names the few tag keys it takes, and each key
 * accepts a small, known set of values (a campaign id is the widest). A user id, an email
 * or a raw URL would make one series per person: a cost explosion in Datadog and a
 * privacy leak, so `tagsFor` refuses any key or value outside this table.
 */

export type MetricType = "counter" | "gauge" | "distribution";

/**
 * Where a figure comes from: the database (exact, recomputable), the route wrapper's
 * request records, or a count kept by the running process (written per instance to
 * `metric_signal_counts` by lib/metrics/signals.ts, so readers can sum the instances).
 */
export type MetricSource = "database" | "requests" | "process";

export const TAG_KEYS = ["env", "route", "status_class", "campaign_id", "kind", "tier"] as const;
export type TagKey = (typeof TAG_KEYS)[number];
export type Tags = Partial<Record<TagKey, string>>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** A path segment that is an id (uuid, long hex or digits), i.e. a URL that was not templated. */
const ID_SEGMENT = /^([0-9a-f-]{16,}|[0-9]+)$/i;

/** What each tag key accepts. */
const TAG_VALUES: Record<TagKey, (value: string) => boolean> = {
  env: (v) => ["development", "production", "test"].includes(v),
  // Route templates only (`/api/gachas/[id]/pulls`): a concrete id per series is unbounded.
  route: (v) => v.startsWith("/") && v.length <= 100 && v.split("/").every((s) => !ID_SEGMENT.test(s)),
  status_class: (v) => /^[1-5]xx$/.test(v),
  campaign_id: (v) => UUID.test(v),
  kind: (v) => v === "single" || v === "ten",
  tier: (v) => ["anonymous", "user", "vtuber", "admin", "gacha", "payment", "account", "mail"].includes(v),
};

export interface MetricDefinition {
  name: string;
  type: MetricType;
  unit: string;
  description: string;
  source: MetricSource;
  tags: readonly TagKey[];
}

function metric<const N extends string>(
  name: N,
  type: MetricType,
  unit: string,
  source: MetricSource,
  tags: readonly TagKey[],
  description: string,
): MetricDefinition & { name: N } {
  return { name, type, unit, source, tags, description };
}

/** The eight business metrics, with the names operators and dashboards know them by. */
export const BUSINESS_METRICS = [
  metric(
    "gacha.pulls.total",
    "counter",
    "item",
    "database",
    ["env", "kind", "campaign_id"],
    "Items drawn (a 10-pull counts 10), by kind single|ten.",
  ),
  metric("gacha.pulls.rate", "gauge", "item/minute", "database", ["env"], "Items drawn per minute over the interval."),
  metric(
    "gacha.revenue.total",
    "counter",
    "JPY",
    "database",
    ["env", "campaign_id"],
    "Yen of fulfilled purchases, by the time they were fulfilled; refunds are not subtracted.",
  ),
  metric(
    "users.active.daily",
    "gauge",
    "user",
    "database",
    ["env"],
    "Distinct users who signed in, refreshed their sign-in or started a purchase in the JST day.",
  ),
  metric(
    "users.retention.7day",
    "gauge",
    "ratio",
    "database",
    ["env"],
    "Share of the users who signed up 7 JST days earlier who are active on the day.",
  ),
  metric(
    "users.conversion.rate",
    "gauge",
    "ratio",
    "database",
    ["env"],
    "Share of the day's active users who paid that JST day.",
  ),
  metric(
    "system.errors.rate",
    "gauge",
    "ratio",
    "requests",
    ["env", "status_class"],
    "Share of responses that are 5xx, and (status_class 4xx) a second series for 4xx.",
  ),
  metric(
    "system.performance.p99",
    "distribution",
    "millisecond",
    "requests",
    ["env", "route"],
    "Request latency; p50, p95 and p99 come from the distribution.",
  ),
] as const;

/** Refunds are their own counter, so revenue stays the figure of what was sold. */
export const REFUNDS_METRIC = metric(
  "gacha.refunds.total",
  "counter",
  "JPY",
  "database",
  ["env", "campaign_id"],
  "Yen of refunded purchases, by the time they were refunded.",
);

/** The signals the architecture names for running the service. */
export const SYSTEM_SIGNALS = [
  metric(
    "http.requests",
    "counter",
    "request",
    "requests",
    ["env", "route", "status_class"],
    "Requests answered, per route template and status class (requests per minute from the rate).",
  ),
  metric(
    "http.request.duration",
    "distribution",
    "millisecond",
    "requests",
    ["env", "route"],
    "Latency per route template.",
  ),
  metric("db.pool.in_use", "gauge", "connection", "process", ["env"], "Database connections checked out."),
  metric("db.pool.waiting", "gauge", "request", "process", ["env"], "Queries waiting for a connection."),
  metric(
    "ratelimit.refusals",
    "counter",
    "request",
    "process",
    ["env", "tier"],
    "Requests the gate refused with 429, under the tier that refused them.",
  ),
  metric(
    "ratelimit.store_failures",
    "counter",
    "check",
    "process",
    ["env", "tier"],
    "Tier checks of the gate that found the limiter store slow or down (the tier's policy answered).",
  ),
  metric("auth.login.failures", "counter", "attempt", "process", ["env"], "Failed sign-in attempts."),
  metric("auth.login.throttle_locks", "counter", "lock", "process", ["env"], "Sign-in throttles engaged."),
  metric(
    "webhooks.signature_failures",
    "counter",
    "request",
    "process",
    ["env"],
    "Webhook deliveries refused for a bad signature.",
  ),
  metric(
    "payments.provider_failures",
    "counter",
    "call",
    "process",
    ["env"],
    "Calls to the payment provider that failed or timed out (declines are not failures).",
  ),
  metric(
    "metrics.emit.failures",
    "counter",
    "request",
    "process",
    ["env"],
    "Requests to Datadog that failed after their retries (the data waits for the next run).",
  ),
  metric(
    "metrics.emit.dropped",
    "counter",
    "point",
    "process",
    ["env"],
    "Points not sent to Datadog: older than it accepts after an outage, or refused by it.",
  ),
  metric(
    "payments.reconciliation.mismatches",
    "counter",
    "mismatch",
    "database",
    ["env"],
    "Differences found between the provider's books and ours.",
  ),
] as const;

export const CATALOGUE: readonly MetricDefinition[] = [...BUSINESS_METRICS, REFUNDS_METRIC, ...SYSTEM_SIGNALS];

export type MetricName =
  (typeof BUSINESS_METRICS)[number]["name"] | typeof REFUNDS_METRIC.name | (typeof SYSTEM_SIGNALS)[number]["name"];

const BY_NAME = new Map(CATALOGUE.map((m) => [m.name, m]));

export function metricDefinition(name: MetricName): MetricDefinition {
  return BY_NAME.get(name)!;
}

export class MetricTagError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "MetricTagError";
  }
}

/**
 * The tags of one data point, checked against the catalogue: a key the metric does not
 * take, or a value outside its key's bounded set, throws. Returned sorted by key so one
 * series always has one spelling.
 */
export function tagsFor(name: MetricName, tags: Readonly<Record<string, string>>): Tags {
  const definition = metricDefinition(name);
  const checked: Tags = {};
  for (const key of Object.keys(tags).sort()) {
    const value = tags[key]!;
    if (!(definition.tags as readonly string[]).includes(key)) {
      throw new MetricTagError(`${name} takes no tag "${key}" (allowed: ${definition.tags.join(", ")})`);
    }
    if (!TAG_VALUES[key as TagKey](value)) {
      throw new MetricTagError(`${name}: "${value}" is not a bounded value for tag "${key}"`);
    }
    checked[key as TagKey] = value;
  }
  return checked;
}

/** Prometheus spells names with underscores: `gacha.pulls.total` → `gacha_pulls_total`. */
export function prometheusName(name: string): string {
  return name.replace(/[^a-zA-Z0-9_]/g, "_");
}
