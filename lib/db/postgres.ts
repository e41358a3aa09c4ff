import { createHash } from "node:crypto";
import pg from "pg";
import type { Backpressure, DatabaseLimits } from "../config";
import { countRoundTrip, countStatement, countTransaction, requestHasBegun } from "../timing/request-timing";
import { serverBusy } from "./busy";
import { OID, rowParsers } from "./parsers";
import { afterLastQuery, type Database, type Queryable, type Transaction, type TransactionSettings } from "./types";

const typeParsers: Record<number, (value: string) => unknown> = {
  [OID.INT8]: rowParsers.int8,
  [OID.DATE]: rowParsers.date,
  [OID.NUMERIC]: rowParsers.numeric,
};

const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;
const DEFAULT_STATEMENT_TIMEOUT_MS = 15_000;
/**
 * A live server cancels a statement at `statement_timeout` and says so. One that stays
 * silent this much longer is gone (a dropped network, a host that vanished without a
 * reset): the client stops waiting and throws the connection away.
 */
const SILENT_SERVER_GRACE_MS = 2_000;
/**
 * What no server-side bound covers: a statement outside a transaction (no
 * `statement_timeout` can be set for it without session state) and a script of several
 * statements (the server bounds each one, not their sum). The client's bound is then a
 * generous backstop: bulk work in scripts finishes, a silent server still lets go.
 */
const UNFENCED_LIMIT_MS = 60_000;
/** Detects a dead peer under an idle pooled connection before a request picks it up. */
const KEEPALIVE_DELAY_MS = 10_000;
/**
 * Distinct statement texts given a name (the app has about 300); any past it go unnamed,
 * so a text built at run time cannot pile prepared statements up on every connection.
 */
export const PREPARED_STATEMENTS_MAX = 512;

export interface PostgresOptions extends Backpressure, DatabaseLimits {
  /**
   * Each statement with parameters is sent named, so every connection parses and plans
   * it once and then reuses its plan (PostgreSQL's plan cache). Off: unnamed, planned
   * every time, as a transaction-mode pooler requires. Default: off (scripts).
   */
  preparedStatements?: boolean;
}

/**
 * PostgreSQL through a `pg` pool. Nothing relies on session state outside a transaction
 * (settings are `set_config(…, true)` inside it), and with `preparedStatements` off
 * statements are sent unnamed, so Supabase's transaction-mode pooler and PgBouncer in
 * `pool_mode = transaction` work. On (a direct connection), each connection plans a
 * statement once: the pull's statements spend more time being planned than run.
 *
 * Backpressure: a request's first transaction is refused (`server_busy`) when
 * `queueMax` others already wait for a connection, or when none came within `waitMs`;
 * its later transactions always wait, so a saga it began runs to its end.
 *
 * Bounds: opening a connection, and every statement, end within their limits whatever
 * the server does (restarts, fails over, stops answering), so a request is answered
 * 503 service_unavailable instead of hanging; see lib/db/unavailable.ts.
 */
export function openPostgres(url: string, poolMax: number, options: PostgresOptions = {}): Database {
  const connectTimeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  const statementTimeoutMs = options.statementTimeoutMs ?? DEFAULT_STATEMENT_TIMEOUT_MS;
  const pool = new pg.Pool({
    connectionString: url,
    max: poolMax,
    keepAlive: true,
    keepAliveInitialDelayMillis: KEEPALIVE_DELAY_MS,
    // The connect timeout goes on each new connection, not on the pool: pg-pool would
    // also apply it to the wait for a pooled connection, which backpressure governs.
    // (pg-pool constructs it with the pool's options, which its typing leaves out.)
    Client: class extends pg.Client {
      constructor(config: pg.ClientConfig) {
        // Pipelined: what `transaction` writes at once (BEGIN, a statement, COMMIT) goes
        // out together instead of each waiting for the answer before it.
        super({ ...config, connectionTimeoutMillis: connectTimeoutMs, pipeline: true });
      }
    } as unknown as new () => pg.ClientBase,
    types: {
      getTypeParser: ((oid: number, format?: "text" | "binary") =>
        typeParsers[oid] ?? pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
    },
  });
  // An idle client losing its server must not take the process down with it.
  pool.on("error", () => {});

  /** `fenced`: the server cancels each statement at `timeoutMs` (set in the transaction). */
  const wrap = (client: pg.Pool | pg.PoolClient, timeoutMs: number, fenced: boolean) => {
    const unfenced = timeoutMs > 0 ? Math.max(UNFENCED_LIMIT_MS, timeoutMs + SILENT_SERVER_GRACE_MS) : undefined;
    const statementLimit = timeoutMs > 0 && fenced ? timeoutMs + SILENT_SERVER_GRACE_MS : unfenced;
    return {
      async query<Row>(sql: string, params: readonly unknown[] = []) {
        countStatement();
        const config: BoundedQuery = { text: sql, values: params as unknown[], query_timeout: statementLimit };
        if (options.preparedStatements) {
          const name = statementName(sql);
          if (name) config.name = name;
        }
        const result = await client.query(config);
        return result.rows as Row[];
      },
      async exec(sql: string) {
        countStatement();
        // No parameters: pg uses the simple protocol, which accepts a whole script.
        const config: BoundedQuery = { text: sql, query_timeout: unfenced };
        await client.query(config);
      },
      /** `begin`, `commit`, `rollback`: instant on a live server, so bounded as one statement. */
      async control(sql: string) {
        countStatement();
        const config: BoundedQuery = { text: sql, query_timeout: statementLimit };
        await client.query(config);
      },
    };
  };

  const connect = async (): Promise<pg.PoolClient> => {
    if (requestHasBegun() !== false) return pool.connect();
    const { queueMax, waitMs } = options;
    if (queueMax !== undefined && pool.totalCount >= poolMax && pool.idleCount === 0 && pool.waitingCount >= queueMax) {
      throw serverBusy("database_queue_full");
    }
    if (waitMs === undefined) return pool.connect();
    const connecting = pool.connect();
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), waitMs)));
    const client = await Promise.race([connecting, timedOut]).finally(() => clearTimeout(timer));
    if (client) return client;
    // The connection may still come: hand it straight back.
    void connecting.then((late) => late.release()).catch(() => {});
    throw serverBusy("database_wait_exceeded");
  };

  return {
    engine: "postgres",
    ...outsideTransaction(wrap(pool, statementTimeoutMs, false)),
    async transaction<T>(fn: (tx: Transaction) => Promise<T>, settings?: TransactionSettings): Promise<T> {
      const asked = performance.now();
      const client = await connect();
      countTransaction(performance.now() - asked);
      const { statement_timeout: askedTimeout, ...rest } = settings ?? {};
      const timeoutMs = askedTimeout === undefined ? statementTimeoutMs : Number(askedTimeout);
      if (!Number.isInteger(timeoutMs) || timeoutMs < 0)
        throw new Error(`statement_timeout ${askedTimeout} is not whole milliseconds`);
      const session = wrap(client, timeoutMs, true);
      const begin = beginWith(client, timeoutMs, rest);
      // unsent: BEGIN waits for the first statement, to travel with it; open: begun;
      // ended: committed by lastQuery (or rolled back, when its statement failed).
      const progress: { state: "unsent" | "open" | "ended" } = { state: "unsent" };
      /**
       * One write: BEGIN first when nothing was sent yet, the statement, and COMMIT after
       * it when asked. Each has its own Sync, so the server runs them in order: a failed
       * BEGIN script leaves the transaction aborted and the statement refused, and a
       * COMMIT behind a failed statement ends the transaction as a ROLLBACK.
       */
      const send = <R>(statement: () => Promise<R>, commit: boolean): Promise<R> => {
        if (progress.state === "ended") return Promise.reject(afterLastQuery());
        const stream = client.connection.stream;
        const sent: Promise<unknown>[] = [];
        stream.cork();
        try {
          if (progress.state === "unsent") sent.push(session.control(begin));
          progress.state = "open";
          sent.push(statement());
          if (commit) {
            sent.push(session.control("commit"));
            progress.state = "ended";
          }
        } finally {
          stream.uncork();
        }
        countRoundTrip();
        return firstFailure(sent, sent.length - (commit ? 2 : 1)) as Promise<R>;
      };
      const tx: Transaction = {
        query: (sql, params) => send(() => session.query(sql, params), false),
        exec: (sql) => send(() => session.exec(sql), false),
        lastQuery: (sql, params) => send(() => session.query(sql, params), true),
      };
      let broken: Error | undefined;
      // pg-pool listens for a checked-out client's errors no more: a server lost between
      // two statements would otherwise be an uncaught exception that ends the process.
      // The statement in flight fails on its own; the next one finds the client unusable.
      const lost = (err: Error) => (broken = err);
      client.on("error", lost);
      try {
        const result = await fn(tx);
        if (progress.state === "open") {
          countRoundTrip();
          await session.control("commit");
        }
        return result;
      } catch (err) {
        if (isSilentServer(err)) {
          // Its answer may still arrive into the next transaction: never reuse it.
          broken = err as Error;
        } else if (progress.state === "open") {
          // A connection that cannot even roll back is not handed to the next caller.
          countRoundTrip();
          await session.control("rollback").catch((rollbackError: Error) => (broken = rollbackError));
        }
        throw err;
      } finally {
        progress.state = "ended";
        client.off("error", lost);
        client.release(broken);
      }
    },
    close: () => pool.end(),
    poolStats: () => ({ inUse: pool.totalCount - pool.idleCount, waiting: pool.waitingCount }),
  };
}

/**
 * Waits for every one of `sent` (so no rejection goes unheard) and answers as the one at
 * `index` did, unless one before it failed: that error comes first, as the server
 * refused what followed because of it. A failure after it (the COMMIT) is thrown too.
 */
async function firstFailure(sent: Promise<unknown>[], index: number): Promise<unknown> {
  const settled = await Promise.allSettled(sent);
  const failed = settled.find((outcome) => outcome.status === "rejected");
  if (failed) throw failed.reason;
  return (settled[index] as PromiseFulfilledResult<unknown>).value;
}

/** A statement on the pool, outside any transaction: one round trip each. */
function outsideTransaction({ query, exec }: Queryable): Queryable {
  return {
    query: (sql, params) => {
      countRoundTrip();
      return query(sql, params);
    },
    exec: (sql) => {
      countRoundTrip();
      return exec(sql);
    },
  };
}

const statementNames = new Map<string, string>();

/**
 * A name for a statement text, the same in every connection (node-postgres prepares it on
 * a connection's first use and refuses one name for two texts); null past the cap.
 */
function statementName(sql: string): string | null {
  let name = statementNames.get(sql);
  if (name === undefined) {
    if (statementNames.size >= PREPARED_STATEMENTS_MAX) return null;
    name = `koepon_${createHash("sha256").update(sql).digest("hex").slice(0, 32)}`;
    statementNames.set(sql, name);
  }
  return name;
}

/** A statement with node-postgres's client-side bound (its typing leaves the field out). */
type BoundedQuery = pg.QueryConfig & { query_timeout?: number };

/** node-postgres gave up on a statement whose server stopped answering (`query_timeout`). */
function isSilentServer(err: unknown): boolean {
  return err instanceof Error && err.message === "Query read timeout";
}

/**
 * `begin`, the statement timeout and the settings in one round trip (the simple protocol
 * takes a script; values are escaped literals). `set local` takes no snapshot, so a
 * transaction without settings can still choose its isolation level first (the backup's
 * repeatable read); `select set_config(…)` would take one.
 */
function beginWith(client: pg.PoolClient, statementTimeoutMs: number, settings: TransactionSettings): string {
  const script = ["begin", `set local statement_timeout = ${statementTimeoutMs}`];
  const calls = Object.entries(settings).map(
    ([name, value]) => `set_config(${client.escapeLiteral(name)}, ${client.escapeLiteral(value)}, true)`,
  );
  if (calls.length > 0) script.push(`select ${calls.join(", ")}`);
  return script.join("; ");
}
