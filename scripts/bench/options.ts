/** `npm run bench -- [flags]`: the settings of one benchmark run. */
import { parseArgs } from "node:util";

export type Engine = "postgres" | "pglite";

export interface BenchOptions {
  /** Closed-loop points: requests in flight at once. */
  concurrency: number[];
  /** Passes per point; each figure is the median over them. */
  repeats: number;
  /** Measured seconds of each pass (steady state, after the ramp). */
  durationSeconds: number;
  /** Seconds of each pass before measuring starts: connections open, caches fill. */
  rampSeconds: number;
  /** Fans signed in per group (pulls, the authenticated ceiling). */
  fans: number;
  /** Open-loop passes: pull requests per minute, sent on schedule whatever the answers. */
  ratesPerMinute: number[];
  /** Engines to run, each with its own server and figures. */
  engines: Engine[];
  /** Also measure the pull with request metrics off, at the highest concurrency. */
  metricsPass: boolean;
  /** Port the server listens on; refused if taken. */
  port: number;
  /** PostgreSQL pool of the server; null: the server's own default. */
  poolMax: number | null;
  /** Also write the figures as JSON here. */
  json: string | null;
  /** PostgreSQL server the throwaway database is created on (its own database is left alone). */
  databaseUrl: string;
  redisUrl: string;
}

export const USAGE = `Usage: npm run bench -- [--concurrency LIST] [--repeats N] [--duration S] [--ramp S]
                        [--fans N] [--rates LIST] [--engines LIST] [--no-metrics-pass]
                        [--port N] [--pool-max N] [--json PATH]

  --concurrency LIST  closed-loop points, requests in flight (default 1,8,32,50)
  --repeats N         passes per point; figures are their median (default 3)
  --duration S        measured seconds per pass (default 60)
  --ramp S            unmeasured seconds before each pass (default 5)
  --fans N            fans per group, for pulls and for the authenticated ceiling; each
                      stays inside its rate limits, so N bounds the request rate (default 2000)
  --rates LIST        open-loop pull passes, requests per minute (default 1000,10000)
  --engines LIST      postgres (services mode) and/or pglite (embedded mode)
                      (default postgres,pglite)
  --no-metrics-pass   skip the pull with request metrics off (postgres only)
  --port N            port for the server, and N+1 for the metrics pass's second;
                      refused if taken (default 3300)
  --pool-max N        PostgreSQL pool of the server (default: the server's own)
  --json PATH         also write the results as JSON

The concurrency-50 point alone, in a few minutes:
  npm run bench -- --concurrency 50 --repeats 1 --engines postgres --json bench.json

Environment: DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test; a throwaway
database koepon_bench_<timestamp> is created on that server and dropped afterwards) and
REDIS_URL (default redis://127.0.0.1:6379).`;

export class UsageError extends Error {
  constructor(message: string) {
    super(`${message}\n\n${USAGE}`);
    this.name = "UsageError";
  }
}

function integer(name: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (raw.trim() === "" || !Number.isInteger(value) || value < min || value > max) {
    throw new UsageError(`--${name} must be a whole number from ${min} to ${max}, got "${raw}".`);
  }
  return value;
}

function integerList(name: string, raw: string | undefined, fallback: number[], min: number, max: number): number[] {
  if (raw === undefined) return fallback;
  const values = raw.split(",").map((part) => integer(name, part.trim(), NaN, min, max));
  if (new Set(values).size !== values.length) throw new UsageError(`--${name} lists a value twice: "${raw}".`);
  return values;
}

function engineList(raw: string | undefined): Engine[] {
  if (raw === undefined) return ["postgres", "pglite"];
  const engines = raw.split(",").map((e) => e.trim());
  for (const engine of engines) {
    if (engine !== "postgres" && engine !== "pglite") {
      throw new UsageError(`--engines takes postgres and/or pglite, got "${engine}".`);
    }
  }
  if (new Set(engines).size !== engines.length) throw new UsageError(`--engines lists an engine twice: "${raw}".`);
  return engines as Engine[];
}

/** Parses the flags; null when --help was asked for (the usage is printed). */
export function parseOptions(argv: string[], env: Readonly<Record<string, string | undefined>>): BenchOptions | null {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      options: {
        concurrency: { type: "string" },
        repeats: { type: "string" },
        duration: { type: "string" },
        ramp: { type: "string" },
        fans: { type: "string" },
        rates: { type: "string" },
        engines: { type: "string" },
        "no-metrics-pass": { type: "boolean" },
        port: { type: "string" },
        "pool-max": { type: "string" },
        json: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (values.help) {
    console.log(USAGE);
    return null;
  }
  return {
    concurrency: integerList("concurrency", values.concurrency, [1, 8, 32, 50], 1, 1_000),
    repeats: integer("repeats", values.repeats, 3, 1, 99),
    durationSeconds: integer("duration", values.duration, 60, 1, 3_600),
    rampSeconds: integer("ramp", values.ramp, 5, 0, 600),
    fans: integer("fans", values.fans, 2_000, 1, 100_000),
    ratesPerMinute: values.rates === "" ? [] : integerList("rates", values.rates, [1_000, 10_000], 1, 1_000_000),
    engines: engineList(values.engines),
    metricsPass: !values["no-metrics-pass"],
    port: integer("port", values.port, 3300, 1024, 65_535),
    poolMax: values["pool-max"] === undefined ? null : integer("pool-max", values["pool-max"], 0, 1, 100),
    json: values.json ?? null,
    databaseUrl: env.DATABASE_URL || "postgres://postgres@127.0.0.1:5432/test",
    redisUrl: env.REDIS_URL || "redis://127.0.0.1:6379",
  };
}
