/**
 * `npm run pgbouncer`: a private PgBouncer in transaction pooling mode in front of a
 * PostgreSQL server (scripts/pgbouncer/pgbouncer.ts), for running the suite, the bench
 * or a server through a pooler as production runs behind Supabase's.
 *
 *   npm run -s pgbouncer -- start --port 41001 [--upstream URL] [--pool-size 20]
 *       prints the URL to use as DATABASE_URL (same user, database and query as
 *       --upstream, default postgres://postgres@127.0.0.1:5432/test?sslmode=disable)
 *   npm run -s pgbouncer -- stop --port 41001
 */
import { parseArgs } from "node:util";
import { startPgBouncer, stopPgBouncer } from "./pgbouncer/pgbouncer";

const USAGE = "usage: pgbouncer start --port N [--upstream URL] [--pool-size N] | pgbouncer stop --port N";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    port: { type: "string" },
    upstream: { type: "string", default: "postgres://postgres@127.0.0.1:5432/test?sslmode=disable" },
    "pool-size": { type: "string", default: "20" },
  },
});
const [command] = positionals;
const port = Number(values.port);
const poolSize = Number(values["pool-size"]);
if (!["start", "stop"].includes(command ?? "") || !Number.isInteger(port) || port < 1 || port > 65_535) {
  console.error(USAGE);
  process.exit(2);
}
if (!Number.isInteger(poolSize) || poolSize < 1) {
  console.error("--pool-size takes a whole number ≥ 1");
  process.exit(2);
}

try {
  if (command === "stop") {
    await stopPgBouncer(port);
  } else {
    const bouncer = await startPgBouncer({ port, upstream: values.upstream, poolSize });
    console.log(bouncer.url);
  }
} catch (err) {
  console.error(`pgbouncer ${command}: ${(err as Error).message}`);
  process.exit(1);
}
