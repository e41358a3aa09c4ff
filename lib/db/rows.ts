/**
 * Row types tied to the schema. `schema.ts` is generated from the migrated database
 * (`npm run db:types`; CI fails when it is stale), and every row a query returns is
 * typed from it here, so a renamed or dropped column fails `npm run typecheck` where
 * the code reads it instead of failing a query at run time.
 *
 * Queries stay plain SQL; these are types only.
 */
import type { Selectable } from "kysely";
import type { DB } from "./schema";

/** A table of the `public` schema. */
export type TableName = keyof DB;

/** A whole row of `T` as a select returns it (int8 as number, date as "YYYY-MM-DD"). */
export type Row<T extends TableName> = Selectable<DB[T]>;

/** Some columns of `T`'s row; naming a column `T` does not have is a type error. */
export type Columns<T extends TableName, K extends keyof Row<T>> = Pick<Row<T>, K>;

/**
 * `R` with some columns narrowed to the values a CHECK constraint allows (a status
 * union, `1 | 10`) or a join guarantees (not null). Each narrowing must fit the
 * generated column type, and must name a column `R` has.
 */
export type Narrow<R, N extends { [K in keyof N]: K extends keyof R ? R[K] : never }> = Omit<R, keyof N> & N;

/** Columns of a joined table selected as `<prefix><column>` (`v.slug as vtuber_slug`). */
export type Prefixed<P extends string, R> = { [K in keyof R & string as `${P}${K}`]: R[K] };
