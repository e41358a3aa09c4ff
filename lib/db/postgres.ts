import pg from "pg";
import type { Backpressure } from "../config";
import { countStatement, countTransaction, requestHasBegun } from "../timing/request-timing";
import { serverBusy } from "./busy";
import { OID, rowParsers } from "./parsers";
import type { Database, Queryable, TransactionSettings } from "./types";

const typeParsers: Record<number, (value: string) => unknown> = {
  [OID.INT8]: rowParsers.int8,
  [OID.DATE]: rowParsers.date,
  [OID.NUMERIC]: rowParsers.numeric,
};

/**
 * PostgreSQL through a `pg` pool. Statements are sent unnamed, and nothing relies on
 * session state outside a transaction, so Supabase's transaction-mode pooler works.
 *
 * Backpressure: a request's first transaction is refused (`server_busy`) when
 * `queueMax` others already wait for a connection, or when none came within `waitMs`;
 * its later transactions always wait, so a saga it began runs to its end.
 */
export function openPostgres(url: string, poolMax: number, backpressure: Backpressure = {}): Database {
  const pool = new pg.Pool({
    connectionString: url,
    max: poolMax,
    types: {
      getTypeParser: ((oid: number, format?: "text" | "binary") =>
        typeParsers[oid] ?? pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
    },
  });
  // An idle client losing its server must not take the process down with it.
  pool.on("error", () => {});

  const wrap = (client: pg.Pool | pg.PoolClient): Queryable => ({
    async query<Row>(sql: string, params: readonly unknown[] = []) {
      countStatement();
      const result = await client.query({ text: sql, values: params as unknown[] });
      return result.rows as Row[];
    },
    async exec(sql) {
      countStatement();
      // No parameters: pg uses the simple protocol, which accepts a whole script.
      await client.query(sql);
    },
  });

  const connect = async (): Promise<pg.PoolClient> => {
    if (requestHasBegun() !== false) return pool.connect();
    const { queueMax, waitMs } = backpressure;
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
    ...wrap(pool),
    async transaction<T>(fn: (tx: Queryable) => Promise<T>, settings?: TransactionSettings): Promise<T> {
      const asked = performance.now();
      const client = await connect();
      countTransaction(performance.now() - asked);
      const tx = wrap(client);
      let broken: Error | undefined;
      try {
        await tx.exec(beginWith(client, settings));
        const result = await fn(tx);
        await tx.exec("commit");
        return result;
      } catch (err) {
        // A connection that cannot even roll back is not handed to the next caller.
        await tx.exec("rollback").catch((rollbackError: Error) => (broken = rollbackError));
        throw err;
      } finally {
        client.release(broken);
      }
    },
    close: () => pool.end(),
    poolStats: () => ({ inUse: pool.totalCount - pool.idleCount, waiting: pool.waitingCount }),
  };
}

/** `begin`, and the settings in the same round trip (the simple protocol takes both; values are escaped literals). */
function beginWith(client: pg.PoolClient, settings: TransactionSettings | undefined): string {
  if (!settings) return "begin";
  const calls = Object.entries(settings).map(
    ([name, value]) => `set_config(${client.escapeLiteral(name)}, ${client.escapeLiteral(value)}, true)`,
  );
  return `begin; select ${calls.join(", ")}`;
}
