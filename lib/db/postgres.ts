import pg from "pg";
import type { Database, Queryable } from "./types";
import { OID, rowParsers } from "./parsers";
import { countStatement, countTransaction } from "../timing/request-timing";

const typeParsers: Record<number, (value: string) => unknown> = {
  [OID.INT8]: rowParsers.int8,
  [OID.DATE]: rowParsers.date,
  [OID.NUMERIC]: rowParsers.numeric,
};

/**
 * PostgreSQL through a `pg` pool. Statements are sent unnamed, and nothing relies on
 * session state outside a transaction, so Supabase's transaction-mode pooler works.
 */
export function openPostgres(url: string, poolMax: number): Database {
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
      // No parameters: pg uses the simple protocol, which accepts a whole script.
      countStatement();
      await client.query(sql);
    },
  });

  return {
    engine: "postgres",
    ...wrap(pool),
    async transaction(fn) {
      const asked = performance.now();
      const client = await pool.connect();
      countTransaction(performance.now() - asked);
      const tx = wrap(client);
      let broken: Error | undefined;
      try {
        await tx.exec("begin");
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
  };
}
