/**
 * A local server speaking Datadog's monitors API (v1) the way `npm run ops:monitors`
 * uses it, checking requests against the documented schema:
 *
 *   GET  /api/v1/monitor?monitor_tags=a,b   monitors carrying every listed tag
 *   POST /api/v1/monitor                    create → 200 with the monitor and its id
 *   PUT  /api/v1/monitor/{id}               edit   → 200, 404 for an unknown id
 *
 * Every call needs `DD-API-KEY` and `DD-APPLICATION-KEY` (403 otherwise). A monitor needs
 * a `name`, a known `type`, a `query` whose form fits the type and whose threshold is
 * `options.thresholds.critical`, a string `message`, lowercase `key:value` tags and a
 * `priority` of 1–5; a metric query may only call the query language's documented
 * functions, with balanced parentheses; anything else is 400 `{"errors": [...]}`. A composite monitor's
 * query combines the ids of existing monitors with `&&`, `||` and `!` and has no
 * thresholds of its own; one naming a monitor that does not exist is refused.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";

export interface StoredMonitor {
  id: number;
  name: string;
  type: string;
  query: string;
  message: string;
  tags: string[];
  priority: number;
  options: { thresholds?: { critical: number } } & Record<string, unknown>;
}

export interface DatadogMonitorsStub {
  url: string;
  monitors: Map<number, StoredMonitor>;
  calls: { method: string; path: string; status: number }[];
  close(): Promise<void>;
}

const TYPES = new Set(["query alert", "log alert", "service check", "composite", "event-v2 alert"]);
const METRIC_QUERY = /^(avg|sum|min|max|percentile|change|pct_change)\(.+\):.+ (>|>=|<|<=|==|!=) (-?\d+(\.\d+)?)$/;
const LOG_QUERY =
  /^logs\(".*"\)\.index\("[^"]*"\)\.rollup\("[a-z]+"\)\.last\("\d+[mhd]"\) (>|>=|<|<=) (-?\d+(\.\d+)?)$/;
const COMPOSITE_QUERY = /^!?(\d+)( (&&|\|\|) !?\d+)*$/;
const TAG = /^[a-z][a-z0-9_\-./]*:[a-z0-9_\-./@]+$/;
/** Functions of Datadog's metric query language (docs: Dashboards › Functions) a query may call. */
const FUNCTIONS = new Set([
  "abs",
  "log2",
  "log10",
  "cumsum",
  "integral",
  "diff",
  "derivative",
  "rate",
  "per_second",
  "per_minute",
  "per_hour",
  "monotonic_diff",
  "default_zero",
  "moving_rollup",
  "timeshift",
  "hour_before",
  "day_before",
  "week_before",
  "month_before",
  "clamp_min",
  "clamp_max",
  "cutoff_min",
  "cutoff_max",
  "count_nonzero",
  "count_not_null",
]);
/** Methods a metric may be followed by. */
const METHODS = new Set(["as_count", "as_rate", "rollup", "fill"]);

/** What is wrong with a metric query's function calls and parentheses. */
function functionProblems(query: string): string[] {
  const body = query.slice(query.indexOf(":") + 1);
  const problems: string[] = [];
  for (const [, dot, name] of body.matchAll(/(\.?)([a-z_][a-z0-9_]*)\(/g)) {
    if (!(dot ? METHODS : FUNCTIONS).has(name!)) problems.push(`unknown function ${dot}${name}()`);
  }
  let depth = 0;
  for (const c of body) {
    depth += c === "(" ? 1 : c === ")" ? -1 : 0;
    if (depth < 0) break;
  }
  if (depth !== 0) problems.push("unbalanced parentheses");
  return problems;
}

export function monitorProblems(body: unknown, existing: ReadonlySet<number> = new Set()): string[] {
  if (typeof body !== "object" || body === null) return ["body"];
  const m = body as Partial<StoredMonitor>;
  const problems: string[] = [];
  if (typeof m.name !== "string" || m.name.length === 0) problems.push("name");
  if (typeof m.type !== "string" || !TYPES.has(m.type)) problems.push("type");
  if (typeof m.message !== "string") problems.push("message");
  if (!Array.isArray(m.tags) || !m.tags.every((t) => typeof t === "string" && TAG.test(t))) problems.push("tags");
  if (m.priority !== undefined && (!Number.isInteger(m.priority) || m.priority < 1 || m.priority > 5)) {
    problems.push("priority");
  }
  if (m.type === "composite") {
    if (typeof m.query !== "string" || !COMPOSITE_QUERY.test(m.query)) return [...problems, "query"];
    const missing = [...m.query.matchAll(/\d+/g)].map(Number).filter((id) => !existing.has(id));
    if (missing.length > 0) problems.push(`Composite Monitor references non-existent monitors: ${missing.join(", ")}`);
    return problems;
  }
  const critical = m.options?.thresholds?.critical;
  if (typeof critical !== "number") problems.push("options.thresholds.critical");
  const match = typeof m.query === "string" ? (m.type === "log alert" ? LOG_QUERY : METRIC_QUERY).exec(m.query) : null;
  if (!match) problems.push("query");
  else if (m.type === "query alert" && functionProblems(m.query!).length > 0)
    problems.push(...functionProblems(m.query!));
  else if (Number(m.type === "log alert" ? match[2] : match[3]) !== critical) {
    problems.push("The value provided for parameter 'query' is invalid: threshold does not match options");
  }
  return problems;
}

export async function startDatadogMonitorsStub(keys: { apiKey: string; appKey: string }): Promise<DatadogMonitorsStub> {
  const monitors = new Map<number, StoredMonitor>();
  const calls: DatadogMonitorsStub["calls"] = [];
  let nextId = 1000;
  const server = http.createServer((req, res) => {
    let raw = "";
    req.on("data", (c: Buffer) => (raw += c.toString("utf8")));
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "http://dd");
      const answer = (status: number, body: unknown) => {
        calls.push({ method: req.method ?? "", path: url.pathname, status });
        res.writeHead(status, { "content-type": "application/json" });
        res.end(JSON.stringify(body));
      };
      if (req.headers["dd-api-key"] !== keys.apiKey || req.headers["dd-application-key"] !== keys.appKey) {
        return answer(403, { errors: ["Forbidden"] });
      }
      if (req.method === "GET" && url.pathname === "/api/v1/monitor") {
        const wanted = (url.searchParams.get("monitor_tags") ?? "").split(",").filter(Boolean);
        return answer(
          200,
          [...monitors.values()].filter((m) => wanted.every((t) => m.tags.includes(t))),
        );
      }
      const edit = /^\/api\/v1\/monitor\/(\d+)$/.exec(url.pathname);
      if ((req.method === "POST" && url.pathname === "/api/v1/monitor") || (req.method === "PUT" && edit)) {
        let body: unknown;
        try {
          body = JSON.parse(raw);
        } catch {
          return answer(400, { errors: ["Invalid JSON"] });
        }
        const problems = monitorProblems(body, new Set(monitors.keys()));
        if (problems.length > 0) return answer(400, { errors: problems });
        const id = edit ? Number(edit[1]) : nextId++;
        if (edit && !monitors.has(id)) return answer(404, { errors: ["Monitor not found"] });
        const stored = { ...(body as Omit<StoredMonitor, "id">), id };
        monitors.set(id, stored);
        return answer(200, stored);
      }
      answer(404, { errors: ["Not found"] });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    monitors,
    calls,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
