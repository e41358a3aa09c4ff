/** Anything that can run a parameterised statement: the database itself or an open transaction. */
export interface Queryable {
  /** Runs one statement with `$1…$n` parameters and returns its rows. */
  query<Row = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<Row[]>;
  /** Runs a script of several statements without parameters (migrations, bootstrap). */
  exec(sql: string): Promise<void>;
}

/**
 * An open transaction. `lastQuery` runs its last statement and commits in the same round
 * trip: for a transaction whose last statement decides nothing in code before the
 * commit (a read of what it wrote, a single lookup). Nothing may run after it.
 */
export interface Transaction extends Queryable {
  lastQuery<Row = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<Row[]>;
}

/** Transaction-local settings (`set_config(name, value, true)`): the role and claims RLS reads. */
export type TransactionSettings = Readonly<Record<string, string>>;

export interface Database extends Queryable {
  readonly engine: "pglite" | "postgres";
  /**
   * Runs `fn` inside BEGIN … COMMIT on one connection; rolls back when it throws.
   * `settings` are applied as the transaction begins, in the same round trip as BEGIN.
   */
  transaction<T>(fn: (tx: Transaction) => Promise<T>, settings?: TransactionSettings): Promise<T>;
  close(): Promise<void>;
  /** Connections checked out and queries waiting for one (a pool only; PGlite has one connection). */
  poolStats?(): { inUse: number; waiting: number };
}

/** Returns the single row of a result, or throws when there is none. */
export async function one<Row>(rows: Promise<Row[]>): Promise<Row> {
  const [row] = await rows;
  if (row === undefined) throw new Error("Expected one row, got none");
  return row;
}

/** A statement sent after `lastQuery`: a bug in the caller, the transaction is over. */
export function afterLastQuery(): Error {
  return new Error("transaction: a statement after lastQuery, which committed it");
}
