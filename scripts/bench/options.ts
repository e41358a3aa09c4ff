/** `npm run bench -- [flags]`: the settings of one benchmark run. */
import { parseArgs } from "node:util";

export interface BenchOptions {
  /** Distinct fans per phase; each phase gets its own. */
  users: number;
  /** Single pulls per fan, at most 9: the gacha tier admits 10 per fan and minute. */
  pullsPerUser: number;
  /** Requests (HTTP) or saga calls (baseline) in flight at once. */
  concurrency: number;
  /** Port `next start` listens on; the run refuses if it is taken. */
  port: number;
  /** Each phase stops starting new pulls after this long. */
  maxSeconds: number;
  /** PostgreSQL pool size of the server and of the baseline alike (the app's default is 10). */
  poolMax: number;
  /** Also write the figures as JSON here. */
  json: string | null;
  /** PostgreSQL server the throwaway database is created on (its own database is left alone). */
  databaseUrl: string;
  redisUrl: string;
}

const USAGE = `Usage: npm run bench -- [--users N] [--pulls-per-user N] [--concurrency N]
                        [--port N] [--max-seconds N] [--pool-max N] [--json PATH]

  --users N           distinct fans per phase (default 200)
  --pulls-per-user N  single pulls per fan, 1–9 (default 9; the gacha limit is 10 per minute)
  --concurrency N     requests in flight at once, both phases (default 16)
  --port N            port for next start; refused if taken (default 3300)
  --max-seconds N     stop starting pulls after this long, per phase (default 120)
  --pool-max N        PostgreSQL pool of the server and of the baseline (default 10)
  --json PATH         also write the results as JSON

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
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new UsageError(`--${name} must be a whole number from ${min} to ${max}, got "${raw}".`);
  }
  return value;
}

/** Parses the flags; null when --help was asked for (the usage is printed). */
export function parseOptions(argv: string[], env: NodeJS.ProcessEnv): BenchOptions | null {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      options: {
        users: { type: "string" },
        "pulls-per-user": { type: "string" },
        concurrency: { type: "string" },
        port: { type: "string" },
        "max-seconds": { type: "string" },
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
    users: integer("users", values.users, 200, 1, 100_000),
    pullsPerUser: integer("pulls-per-user", values["pulls-per-user"], 9, 1, 9),
    concurrency: integer("concurrency", values.concurrency, 16, 1, 1_000),
    port: integer("port", values.port, 3300, 1024, 65_535),
    maxSeconds: integer("max-seconds", values["max-seconds"], 120, 1, 3_600),
    poolMax: integer("pool-max", values["pool-max"], 10, 1, 100),
    json: values.json ?? null,
    databaseUrl: env.DATABASE_URL || "postgres://postgres@127.0.0.1:5432/test",
    redisUrl: env.REDIS_URL || "redis://127.0.0.1:6379",
  };
}
