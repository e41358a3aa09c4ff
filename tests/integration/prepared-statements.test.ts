/**
 * Prepared statements (`DATABASE_PREPARED_STATEMENTS`): on a direct PostgreSQL connection
 * each statement is parsed and planned once per connection, then its plan reused; behind
 * a transaction-mode pooler (and on PGlite) statements go unnamed. The expectations follow
 * the suite's own configuration, so the PostgreSQL suite proves the statements are
 * prepared and the PgBouncer suite that none are.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getConfig } from "@/lib/config";
import { PREPARED_STATEMENTS_MAX } from "@/lib/db/postgres";
import { createTestDatabase, type TestDatabase } from "../helpers/database";

const config = getConfig().database;
const prepares = config.kind === "postgres" && config.preparedStatements === true;

let t: TestDatabase;
beforeAll(async () => {
  // One connection: what one statement prepared is what the next one sees.
  t = await createTestDatabase({ poolMax: 1 });
});
afterAll(() => t.close());

const OURS = "select statement from pg_prepared_statements where name like 'koepon\\_%' order by statement";

describe(`statements on ${config.kind === "postgres" ? "PostgreSQL" : "PGlite"}, prepared: ${prepares}`, () => {
  it("names a statement with parameters on its first use and keeps it for the connection's next transactions", async () => {
    const sql = "select $1::int + 1 as next";
    for (const n of [1, 2]) {
      const [row] = await t.db.transaction((tx) => tx.query<{ next: number }>(sql, [n]));
      expect(row).toEqual({ next: n + 1 });
    }
    const prepared = await t.db.transaction((tx) => tx.query<{ statement: string }>(OURS));
    // (The migrator's statements, run on this connection before, are among them.)
    expect(prepared.map((r) => r.statement)).toEqual(prepares ? expect.arrayContaining([sql, OURS]) : []);
  });

  it("keeps a statement that names its columns working after a migration adds one; `*` would fail it", async () => {
    await t.db.exec(
      "create table public.probe (id int primary key, label text); insert into public.probe values (1, 'a')",
    );
    const named = "select id, label from public.probe where id = $1";
    const star = "select * from public.probe where id = $1";
    for (const sql of [named, star]) await t.db.transaction((tx) => tx.query(sql, [1]));

    await t.db.exec("alter table public.probe add column added int");

    expect(await t.db.transaction((tx) => tx.query(named, [1]))).toEqual([{ id: 1, label: "a" }]);
    const afterStar = t.db.transaction((tx) => tx.query(star, [1]));
    // The reason lib/ names its columns (tests/unit/sql-named-columns.test.ts holds it to that).
    if (prepares) await expect(afterStar).rejects.toThrow(/cached plan must not change result type/);
    else expect(await afterStar).toEqual([{ id: 1, label: "a", added: null }]);
  });

  // Last in the file: it fills the process's names (module state, one per test file).
  it(`names at most ${PREPARED_STATEMENTS_MAX} distinct texts; text past the cap still runs, unnamed`, async () => {
    const texts = Array.from({ length: PREPARED_STATEMENTS_MAX + 88 }, (_, i) => `select $1::int + ${i} as v`);
    const answers = await t.db.transaction(async (tx) => {
      const out: number[] = [];
      for (const sql of texts) out.push(...(await tx.query<{ v: number }>(sql, [1])).map((r) => r.v));
      return out;
    });
    expect(answers).toEqual(texts.map((_, i) => i + 1));
    const prepared = (await t.db.transaction((tx) => tx.query<{ statement: string }>(OURS))).map((r) => r.statement);
    if (!prepares) return expect(prepared).toEqual([]);
    expect(prepared.length).toBeLessThanOrEqual(PREPARED_STATEMENTS_MAX);
    expect(prepared).toContain(texts[0]);
    expect(prepared).not.toContain(texts.at(-1));
  });
});
