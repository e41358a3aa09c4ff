/**
 * The app's statements name the columns they return. On a direct connection they are
 * prepared once per connection (lib/db/postgres.ts), and PostgreSQL refuses to run a
 * prepared `select *` or `returning *` once a migration added a column to its table
 * ("cached plan must not change result type"): during a blue/green release the old
 * instances would fail every such statement until restarted.
 */
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = path.join(import.meta.dirname, "../..");

/** `select *` / `returning *` of a table, and a table alias's `x.*`, in SQL text. */
const STAR = /\bselect\s+\*\s+from\s+(?:public\.|only\s)|\breturning\s+\*|(?:\bselect|,)\s+[a-z_]+\.\*/gi;

function sources(dir: string): string[] {
  return fs
    .readdirSync(path.join(ROOT, dir), { withFileTypes: true, recursive: true })
    .flatMap((entry) =>
      entry.isFile() && /\.tsx?$/.test(entry.name) ? [path.join(entry.parentPath, entry.name)] : [],
    );
}

describe("statements name their columns", () => {
  it("no statement of the app selects or returns `*` of a table", () => {
    const found = ["lib", "app"]
      .flatMap(sources)
      .flatMap((file) =>
        [...fs.readFileSync(file, "utf8").matchAll(STAR)].map((m) => `${path.relative(ROOT, file)}: ${m[0]}`),
      );
    expect(found).toEqual([]);
  });

  it("catches each form it forbids", () => {
    const caught = (sql: string) => [...sql.matchAll(STAR)].length;
    expect(caught("select * from public.campaigns where id = $1")).toBe(1);
    expect(caught("update public.campaigns set title = $2 returning *")).toBe(1);
    expect(caught("select i.*, u.email from public.alert_incidents i")).toBe(1);
    expect(caught("select u.id, i.* from public.alert_incidents i")).toBe(1);
    // A set-returning function's columns are fixed by its call: no table behind them.
    expect(caught("where (scope, subject_hash) in (select * from unnest($1::text[], $2::text[]))")).toBe(0);
    expect(caught("select count(*) from public.purchases")).toBe(0);
  });
});
