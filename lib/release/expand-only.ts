/**
 * Release preflight: the migrations a release adds must be expand-only for the version
 * still serving. During a blue/green switch the old code runs against the new schema,
 * so a migration may add, but may not drop, rename or retype what the old code reads.
 *
 * The rule is checked on the schema, not on the SQL text: the running version's
 * migrations are applied to a scratch in-memory database, its shape recorded, the new
 * migrations applied on top, and the shape compared. A rename therefore shows as a
 * drop (whatever syntax did it). Each vanished or retyped table, column or function is
 * refused when the running version's sources name it; one nothing reads may go.
 */
import { openPglite } from "../db/pglite";
import type { Queryable } from "../db/types";
import { migrate, type MigrationFile } from "../migrate/migrator";

/** What one schema object looked like: a column's type, or a function's result. */
type Shape = Map<string, string>;

export interface ContractChange {
  kind: "table_dropped" | "column_dropped" | "column_retyped" | "function_dropped";
  /** `table`, `table.column` or `schema.function`. */
  object: string;
  before: string;
  after: string | null;
  /** Files of the running version that name it; the change is refused when any do. */
  readBy: string[];
}

export interface ExpandOnlyReport {
  ok: boolean;
  /** The migrations that are new to the running version. */
  newMigrations: string[];
  changes: ContractChange[];
  refused: ContractChange[];
}

export interface ExpandOnlyInput {
  /** The migrations the running version was deployed with. */
  running: MigrationFile[];
  /** The migrations of the release (the running ones first, then the new ones). */
  next: MigrationFile[];
  /** The running version's source files (path → text) that may read the database. */
  runningSources: Map<string, string>;
}

export async function checkExpandOnly(input: ExpandOnlyInput): Promise<ExpandOnlyReport> {
  const known = new Set(input.running.map((m) => m.version));
  const missing = input.running.filter((m) => !input.next.some((n) => n.version === m.version && n.sql === m.sql));
  if (missing.length > 0) {
    throw new Error(
      `The release lacks or changes migrations the running version applied: ${missing.map((m) => m.version).join(", ")}`,
    );
  }
  const newMigrations = input.next.filter((m) => !known.has(m.version));

  const db = await openPglite(null);
  try {
    await migrate(db, { migrations: input.running });
    const before = await shapeOf(db);
    await migrate(db, { migrations: input.next });
    const after = await shapeOf(db);
    const changes = compare(before, after).map((change) => ({
      ...change,
      readBy: readersOf(change, input.runningSources),
    }));
    const refused = changes.filter((change) => change.readBy.length > 0);
    return {
      ok: refused.length === 0,
      newMigrations: newMigrations.map((m) => `${m.version}_${m.name}`),
      changes,
      refused,
    };
  } finally {
    await db.close();
  }
}

async function shapeOf(db: Queryable): Promise<{ tables: Set<string>; columns: Shape; functions: Shape }> {
  const columns = await db.query<{ table_name: string; column_name: string; type: string }>(
    `select c.relname as table_name, a.attname as column_name, format_type(a.atttypid, a.atttypmod) as type
       from pg_attribute a
       join pg_class c on c.oid = a.attrelid
       join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = 'public' and c.relkind in ('r', 'v', 'm', 'p')
        and a.attnum > 0 and not a.attisdropped`,
  );
  const functions = await db.query<{ name: string; result: string }>(
    `select n.nspname || '.' || p.proname as name, pg_get_function_result(p.oid) as result
       from pg_proc p join pg_namespace n on n.oid = p.pronamespace
      where n.nspname in ('public', 'private')`,
  );
  return {
    tables: new Set(columns.map((c) => c.table_name)),
    columns: new Map(columns.map((c) => [`${c.table_name}.${c.column_name}`, c.type])),
    functions: new Map(functions.map((f) => [f.name, f.result ?? ""])),
  };
}

type Change = Omit<ContractChange, "readBy">;

function compare(before: Awaited<ReturnType<typeof shapeOf>>, after: Awaited<ReturnType<typeof shapeOf>>): Change[] {
  const changes: Change[] = [];
  for (const table of before.tables) {
    if (!after.tables.has(table)) changes.push({ kind: "table_dropped", object: table, before: "table", after: null });
  }
  for (const [column, type] of before.columns) {
    const table = column.split(".")[0]!;
    if (!after.tables.has(table)) continue;
    const now = after.columns.get(column);
    if (now === undefined) changes.push({ kind: "column_dropped", object: column, before: type, after: null });
    else if (now !== type) changes.push({ kind: "column_retyped", object: column, before: type, after: now });
  }
  for (const [fn, result] of before.functions) {
    if (!after.functions.has(fn)) changes.push({ kind: "function_dropped", object: fn, before: result, after: null });
  }
  return changes;
}

const word = (name: string) => new RegExp(`(?<![\\w$])${name.replace(/[.$]/g, "\\$&")}(?![\\w$])`);

/**
 * Which files name the object. A column counts as read where a file names both its
 * table and the column: column names alone (`id`, `status`) are too common to mean
 * anything, and SQL in this code base always names the table it reads from.
 */
function readersOf(change: Change, sources: Map<string, string>): string[] {
  const [first, second] = change.object.split(".") as [string, string | undefined];
  const names =
    change.kind === "column_dropped" || change.kind === "column_retyped"
      ? [first, second!]
      : change.kind === "function_dropped"
        ? [second!]
        : [first];
  return [...sources]
    .filter(([, text]) => names.every((name) => word(name).test(text)))
    .map(([file]) => file)
    .sort();
}
