/**
 * Row types are generated from the migrated schema (lib/db/schema.ts, `npm run
 * db:types`) and every query's row type is built from them (lib/db/rows.ts). These
 * tests hold both ends: the checked-in file is what this database's migrations produce
 * (PGlite, or PostgreSQL when DATABASE_URL is set: the engines must agree), and a
 * migration that renames a column the code reads makes the project fail to typecheck,
 * with the column named, instead of failing a query at run time.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import ts from "typescript";
import { afterAll, describe, expect, it } from "vitest";
import { migrate, readMigrations } from "@/lib/migrate/migrator";
import { generateRowTypes, readCheckedInRowTypes, ROW_TYPES_FILE } from "@/scripts/db-types/generate";
import { createTestDatabase, type TestDatabase } from "../helpers/database";

const PROJECT = path.join(import.meta.dirname, "..", "..");

const opened: TestDatabase[] = [];
afterAll(async () => {
  for (const t of opened) await t.close();
});

async function database(options: { migrated: boolean }): Promise<TestDatabase> {
  const t = await createTestDatabase(options);
  opened.push(t);
  return t;
}

/**
 * Type-checks the whole project (tsconfig.json) as if `lib/db/schema.ts` held `schema`,
 * and returns each error as "file: message".
 */
function typecheckWithSchema(schema: string): string[] {
  const config = ts.getParsedCommandLineOfConfigFile(
    path.join(PROJECT, "tsconfig.json"),
    { incremental: false, noEmit: true },
    { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => expect.fail(String(d.messageText)) },
  )!;
  const host = ts.createCompilerHost(config.options);
  const isSchema = (fileName: string) => path.resolve(fileName) === ROW_TYPES_FILE;
  const { getSourceFile, readFile } = host;
  host.readFile = (fileName) => (isSchema(fileName) ? schema : readFile.call(host, fileName));
  host.getSourceFile = (fileName, language, ...rest) =>
    isSchema(fileName)
      ? ts.createSourceFile(fileName, schema, language)
      : getSourceFile.call(host, fileName, language, ...rest);
  const program = ts.createProgram({ rootNames: config.fileNames, options: config.options, host });
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const where = d.file ? path.relative(PROJECT, d.file.fileName) : "(project)";
    return `${where}: ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`;
  });
}

describe("row types tied to the schema", () => {
  it("lib/db/schema.ts is exactly what this database's migrations generate", async () => {
    const { db } = await database({ migrated: true });
    const generated = await generateRowTypes(db);
    // Not two empty strings agreeing: the tables the app reads are there.
    expect(generated).toMatch(/export interface Purchases \{[^}]*\bamount_jpy: number;/);
    expect(generated).toContain("users: Users;");
    expect(await readCheckedInRowTypes()).toBe(generated);
  });

  it("a migration renaming a column the code reads fails the typecheck, naming that column", async () => {
    const { db } = await database({ migrated: false });
    const rename = {
      version: "29991231235959",
      name: "rename_purchase_amount",
      sql: "alter table public.purchases rename column amount_jpy to amount_yen;",
    };
    await migrate(db, { migrations: [...(await readMigrations()), rename] });
    const schema = await generateRowTypes(db);
    const purchases = /export interface Purchases \{[^}]*\}/.exec(schema)?.[0];
    expect(purchases).toContain("amount_yen: number;");
    expect(purchases).not.toContain("amount_jpy");

    const errors = typecheckWithSchema(schema);
    // The purchase row the payment saga reads names the old column.
    expect(errors.some((e) => e.startsWith("lib/payments/purchase.ts: ") && e.includes('"amount_jpy"'))).toBe(true);
    // And nothing else broke: every error is in a file that reads the renamed column.
    const unrelated = errors.filter(
      (e) => !readFileSync(path.join(PROJECT, e.split(": ")[0]!), "utf8").includes("amount_jpy"),
    );
    expect(unrelated).toEqual([]);
  }, 600_000);
});
