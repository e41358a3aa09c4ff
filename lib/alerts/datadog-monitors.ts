/**
 * The alert rules (./rules.ts) as Datadog monitors, so production is watched from
 * Datadog too, also when the app itself is down: `npm run ops:monitors` writes them as
 * JSON and, given API and application keys, creates or updates them through the
 * monitors API (`GET /api/v1/monitor?monitor_tags=…`, `POST /api/v1/monitor`,
 * `PUT /api/v1/monitor/{id}`). Each monitor carries the tag `koepon_rule:<id>`, which is
 * how a second run finds and updates it instead of creating another.
 *
 * The queries read the metrics the Datadog emitter sends under the catalogue's names.
 * A rule with a minimum-volume guard becomes three monitors: its condition and its guard
 * (each silent, tagged `koepon_rule:<id>.condition` and `.volume`) and a composite
 * `<condition> && <volume>` that pages, so a quiet night pages nobody in Datadog either.
 * A spike rule (a count against its own recent past) is built the same way from its
 * floor (`.condition`) and its factor (`.baseline`: the window's count minus `factor`
 * times the mean count per window of the hour before it, ≥ 0, with `moving_rollup` for
 * the sums and `timeshift` for "before it"; `default_zero` so an hour without any
 * failure counts as 0 rather than as no data). A composite names its parts by id, so
 * the parts are written first and the JSON file holds `{{<id>.condition}}`-style
 * placeholders until a sync fills them in.
 *
 * Differences from the in-app evaluator, because Datadog's query language has no
 * equivalent: the day rules compare with the same day a week earlier (a change monitor)
 * rather than the 7-day mean, and the dependency rules watch the app's `level: alert`
 * log events (log monitors, which need an unscoped application key): the gate logs
 * every failed store check as it happens, while its counts reach Datadog only once the
 * store is back.
 */
import { sendWithRetry, type RetryOptions } from "./http";
import { ALERT_RULES, type AlertRule } from "./rules";

export const MANAGED_TAG = "managed_by:koepon-ops-monitors";

export interface MonitorDefinition {
  name: string;
  type: "query alert" | "log alert" | "composite";
  /** A composite's names its parts as `{{<rule>.condition}}`, replaced by their ids on sync. */
  query: string;
  message: string;
  tags: string[];
  /** 1 (highest) … 5. */
  priority: number;
  options: {
    /** Absent on a composite: its parts carry the thresholds. */
    thresholds?: { critical: number };
    notify_no_data: boolean;
    require_full_window: boolean;
    include_tags: boolean;
    /** Seconds to wait for late data before evaluating. */
    evaluation_delay?: number;
    renotify_interval?: number;
  };
}

export interface MonitorOptions {
  /** The `env` tag the app's metrics carry (its NODE_ENV). */
  env: string;
  /** Notification handles, e.g. `@pagerduty-Koepon` and `@slack-koepon-alerts`. */
  pagerdutyHandle: string;
  slackHandle: string;
}

const PRIORITY = { critical: 1, error: 2, warning: 3, info: 4 } as const;

/** The query of one rule and the number in it (Datadog requires the critical threshold to match). */
function queryOf(rule: AlertRule, env: string): { type: MonitorDefinition["type"]; query: string; critical: number } {
  const scope = `env:${env}`;
  switch (rule.kind) {
    case "share": {
      const window = `last_${rule.windowMinutes}m`;
      const bad = rule.statusClasses.map((c) => `sum:http.requests{${scope},status_class:${c}}.as_count()`).join(" + ");
      return {
        type: "query alert",
        query: `sum(${window}):(${bad}) / sum:http.requests{${scope}}.as_count() > ${rule.above}`,
        critical: rule.above,
      };
    }
    case "latency":
      return {
        type: "query alert",
        query: `percentile(last_${rule.windowMinutes}m):p${Math.round(rule.quantile * 100)}:system.performance.p99{${scope}} > ${rule.aboveMs}`,
        critical: rule.aboveMs,
      };
    case "count":
      return {
        type: "query alert",
        query: `sum(last_${rule.windowMinutes}m):sum:${rule.signal}{${scope}}.as_count() >= ${rule.atLeast}`,
        critical: rule.atLeast,
      };
    case "drop": {
      const percent = -Math.round(rule.dropAtLeast * 100);
      const [aggregate, window, metric] =
        rule.compare === "hour_week_ago"
          ? ["sum", "last_1h", `sum:${rule.metric}{${scope}}.as_count()`]
          : ["avg", "last_1d", `avg:${rule.metric}{${scope}}`];
      return {
        type: "query alert",
        query: `pct_change(${aggregate}(${window}),last_1w):${metric} <= ${percent}`,
        critical: percent,
      };
    }
    case "probe": {
      // The gate logs one line per failed limiter check, so the log count is the same
      // figure as the rule's reported failures; the database probe's own line otherwise.
      if (rule.reported) {
        const { windowMinutes, atLeast } = rule.reported;
        return {
          type: "log alert",
          query: `logs("service:koepon ${scope} @event:ratelimit.store_unavailable").index("*").rollup("count").last("${windowMinutes}m") >= ${atLeast}`,
          critical: atLeast,
        };
      }
      return {
        type: "log alert",
        query: `logs("service:koepon ${scope} @event:alert.dependency_unreachable @dependency:${rule.dependency}").index("*").rollup("count").last("5m") > 0`,
        critical: 0,
      };
    }
  }
}

/**
 * The rule's minimum-volume guard as a query that holds while the volume is enough;
 * null for a rule without one (or whose threshold is its own floor).
 */
function volumeOf(rule: AlertRule, env: string): { query: string; critical: number } | null {
  const scope = `env:${env}`;
  switch (rule.kind) {
    case "share":
    case "latency":
      return {
        query: `sum(last_${rule.windowMinutes}m):sum:http.requests{${scope}}.as_count() >= ${rule.minRequests}`,
        critical: rule.minRequests,
      };
    case "drop":
      if (rule.compare === "hour_week_ago") {
        return {
          query: `sum(last_1h):week_before(sum:${rule.metric}{${scope}}.as_count()) >= ${rule.minBaseline}`,
          critical: rule.minBaseline,
        };
      }
      // DAU: the 7-day mean; conversion: the day's active users.
      return {
        query:
          rule.metric === "users.active.daily"
            ? `avg(last_1w):avg:users.active.daily{${scope}} >= ${rule.minBaseline}`
            : `avg(last_1d):avg:users.active.daily{${scope}} >= ${rule.minBaseline}`,
        critical: rule.minBaseline,
      };
    case "count":
    case "probe":
      return null;
  }
}

/**
 * A spike rule's factor as a query that holds while the window's count is at least
 * `factor` times the mean count per window of the `minutes` before the window (the
 * evaluator's `usual × factor`); null for a rule without a baseline.
 */
function baselineOf(rule: AlertRule, env: string): { query: string; critical: number } | null {
  if (rule.kind !== "count" || !rule.baseline) return null;
  const metric = `sum:${rule.signal}{env:${env}}.as_count()`;
  const windowSeconds = rule.windowMinutes * 60;
  const { minutes, factor } = rule.baseline;
  const windowsBefore = minutes / rule.windowMinutes;
  const now = `default_zero(moving_rollup(${metric}, ${windowSeconds}, 'sum'))`;
  const before = `default_zero(timeshift(moving_rollup(${metric}, ${minutes * 60}, 'sum'), -${windowSeconds}))`;
  // The latest point is the window ending now; `max(last_1m)` reads it.
  return { query: `max(last_1m):${now} - ${factor} * ${before} / ${windowsBefore} >= 0`, critical: 0 };
}

/** The second part of a composite: a volume guard or a spike's factor. */
type SecondPart = "volume" | "baseline";

/** The placeholder a composite's query uses for one of its parts. */
export const partRef = (ruleId: string, part: "condition" | SecondPart) => `{{${ruleId}.${part}}}`;

export function monitorDefinitions(
  options: MonitorOptions,
  rules: readonly AlertRule[] = ALERT_RULES,
): MonitorDefinition[] {
  const parts: MonitorDefinition[] = [];
  const paging = rules.map((rule): MonitorDefinition => {
    const { type, query, critical } = queryOf(rule, options.env);
    const handle = rule.destination === "pagerduty" ? options.pagerdutyHandle : options.slackHandle;
    const tags = (key: string) => ["service:koepon", `env:${options.env}`, MANAGED_TAG, `koepon_rule:${key}`];
    const queryOptions = (critical: number, of: MonitorDefinition["type"]) => ({
      thresholds: { critical },
      notify_no_data: false,
      require_full_window: rule.kind === "share" || rule.kind === "latency",
      include_tags: true,
      // Business figures arrive once a minute from the rollups job; give them a minute.
      ...(of === "query alert" ? { evaluation_delay: 60 } : {}),
    });
    const message = [
      `{{#is_alert}}${rule.title} (${rule.severity}). Guard: ${rule.guard}.{{/is_alert}}`,
      `{{#is_recovery}}${rule.title}: recovered.{{/is_recovery}}`,
      `The app raises the same rule itself (rule \`${rule.id}\`, admin console). ${handle}`,
    ].join("\n");
    const renotify = rule.severity === "critical" ? { renotify_interval: 60 } : {};
    const volume = volumeOf(rule, options.env);
    const baseline = baselineOf(rule, options.env);
    const second: { part: SecondPart; query: string; critical: number; name: string; message: string } | null = volume
      ? {
          part: "volume",
          ...volume,
          name: "volume guard",
          message: `The volume guard of rule \`${rule.id}\` (${rule.guard}); it notifies nobody itself.`,
        }
      : baseline
        ? {
            part: "baseline",
            ...baseline,
            name: "against the hour before",
            message: `The factor of rule \`${rule.id}\` (${rule.guard}); it notifies nobody itself.`,
          }
        : null;
    if (second === null) {
      return {
        name: `[Koepon!] ${rule.title}`,
        type,
        query,
        message,
        tags: tags(rule.id),
        priority: PRIORITY[rule.severity],
        options: { ...queryOptions(critical, type), ...renotify },
      };
    }
    // The parts notify nobody: only the composite pages.
    parts.push(
      {
        name: `[Koepon!] ${rule.title} (condition)`,
        type,
        query,
        message: `Part of the composite monitor of rule \`${rule.id}\`; it notifies nobody itself.`,
        tags: tags(`${rule.id}.condition`),
        priority: PRIORITY[rule.severity],
        options: queryOptions(critical, type),
      },
      {
        name: `[Koepon!] ${rule.title} (${second.name})`,
        type: "query alert",
        query: second.query,
        message: second.message,
        tags: tags(`${rule.id}.${second.part}`),
        priority: PRIORITY[rule.severity],
        options: { ...queryOptions(second.critical, "query alert"), require_full_window: false },
      },
    );
    return {
      name: `[Koepon!] ${rule.title}`,
      type: "composite",
      query: `${partRef(rule.id, "condition")} && ${partRef(rule.id, second.part)}`,
      message,
      tags: tags(rule.id),
      priority: PRIORITY[rule.severity],
      options: { notify_no_data: false, require_full_window: false, include_tags: true, ...renotify },
    };
  });
  // Parts first: a composite can only name monitors that exist.
  return [...parts, ...paging];
}

export interface DatadogApi {
  /** `https://api.<site>` (or a test server). */
  apiUrl: string;
  apiKey: string;
  appKey: string;
  retry?: RetryOptions;
}

export interface SyncOutcome {
  created: string[];
  updated: string[];
  /** Monitors with our managed tag whose rule no longer exists: left alone, listed for a person. */
  stale: { id: number; name: string }[];
}

/** Creates the monitors that are missing and updates the others; idempotent. */
export async function syncMonitors(api: DatadogApi, definitions: readonly MonitorDefinition[]): Promise<SyncOutcome> {
  const call = async (method: string, path: string, body?: unknown) => {
    const answer = await sendWithRetry(
      `${api.apiUrl}${path}`,
      {
        method,
        headers: {
          "DD-API-KEY": api.apiKey,
          "DD-APPLICATION-KEY": api.appKey,
          accept: "application/json",
          ...(body === undefined ? {} : { "content-type": "application/json" }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      },
      api.retry,
    );
    if (answer.status < 200 || answer.status > 299) {
      throw new Error(`Datadog ${method} ${path}: ${answer.status} ${answer.text.slice(0, 500)}`);
    }
    return JSON.parse(answer.text) as unknown;
  };

  const existing = (await call("GET", `/api/v1/monitor?monitor_tags=${encodeURIComponent(MANAGED_TAG)}`)) as {
    id: number;
    name: string;
    tags: string[];
  }[];
  const byRule = new Map<string, number>();
  for (const monitor of existing) {
    const tag = monitor.tags.find((t) => t.startsWith("koepon_rule:"));
    if (tag) byRule.set(tag.slice("koepon_rule:".length), monitor.id);
  }
  const outcome: SyncOutcome = { created: [], updated: [], stale: [] };
  const wanted = new Set<string>();
  for (const definition of definitions) {
    const rule = definition.tags.find((t) => t.startsWith("koepon_rule:"))!.slice("koepon_rule:".length);
    wanted.add(rule);
    // A composite's parts were synced before it (monitorDefinitions orders them so).
    const body =
      definition.type === "composite"
        ? {
            ...definition,
            query: definition.query.replace(/\{\{([a-z0-9_.]+)\}\}/g, (_, key: string) => {
              const part = byRule.get(key);
              if (part === undefined) throw new Error(`composite monitor of ${rule}: no monitor for ${key}`);
              return String(part);
            }),
          }
        : definition;
    const id = byRule.get(rule);
    if (id === undefined) {
      const created = (await call("POST", "/api/v1/monitor", body)) as { id: number };
      byRule.set(rule, created.id);
      outcome.created.push(rule);
    } else {
      await call("PUT", `/api/v1/monitor/${id}`, body);
      outcome.updated.push(rule);
    }
  }
  for (const monitor of existing) {
    const tag = monitor.tags.find((t) => t.startsWith("koepon_rule:"));
    if (!tag || !wanted.has(tag.slice("koepon_rule:".length)))
      outcome.stale.push({ id: monitor.id, name: monitor.name });
  }
  return outcome;
}
