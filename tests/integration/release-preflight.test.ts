/**
 * Release preflight: a migration that drops, renames or retypes what the running
 * version reads is refused, naming the files that read it; additive migrations, and
 * dropping what nothing reads, pass. The running version here is this tree itself.
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { readMigrations, type MigrationFile } from "@/lib/migrate/migrator";
import { checkExpandOnly } from "@/lib/release/expand-only";

const ROOT = path.join(import.meta.dirname, "../..");

let running: MigrationFile[];
let runningSources: Map<string, string>;

/** The sources that may read the database, without the generated row types. */
function sourcesOf(dir: string): [string, string][] {
  return fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const file = `${dir}/${entry.name}`;
    if (entry.isDirectory()) return sourcesOf(file);
    if (!/\.tsx?$/.test(entry.name) || file === "lib/db/schema.ts") return [];
    return [[file, fs.readFileSync(path.join(ROOT, file), "utf8")] as [string, string]];
  });
}

const migration = (name: string, sql: string, version = "29990101000000"): MigrationFile => ({ version, name, sql });

const check = (...added: MigrationFile[]) => checkExpandOnly({ running, next: [...running, ...added], runningSources });

beforeAll(async () => {
  running = await readMigrations();
  runningSources = new Map([...sourcesOf("lib"), ...sourcesOf("app")]);
});

describe("release preflight (expand-only migrations)", () => {
  it("passes an additive migration: a new nullable column, a new table", async () => {
    const report = await check(
      migration(
        "additive",
        `alter table public.users add column nickname text;
         create table public.release_notes (id bigint generated always as identity primary key, body text not null);`,
      ),
    );
    expect(report).toMatchObject({ ok: true, newMigrations: ["29990101000000_additive"], refused: [] });
    expect(report.changes).toEqual([]);
  });

  it("refuses dropping a column the running code reads, and names the readers", async () => {
    const report = await check(migration("drop_display_name", "alter table public.users drop column display_name;"));
    expect(report.ok).toBe(false);
    expect(report.refused).toHaveLength(1);
    expect(report.refused[0]).toMatchObject({ kind: "column_dropped", object: "users.display_name", after: null });
    expect(report.refused[0]!.readBy).toContain("lib/auth/login.ts");
  });

  it("refuses a rename, whatever the syntax: it is a drop for the old code", async () => {
    const report = await check(
      migration("rename_amount", "alter table public.purchases rename column amount_jpy to amount_yen;"),
    );
    expect(report.ok).toBe(false);
    expect(report.refused.map((c) => [c.kind, c.object])).toEqual([["column_dropped", "purchases.amount_jpy"]]);
    expect(report.refused[0]!.readBy).toContain("lib/payments/purchase.ts");
  });

  it("refuses a type change of a column the running code reads", async () => {
    const report = await check(
      migration("retype_limit", "alter table public.users alter column voluntary_monthly_limit_jpy type bigint;"),
    );
    expect(report.refused.map((c) => [c.kind, c.object, c.before, c.after])).toEqual([
      ["column_retyped", "users.voluntary_monthly_limit_jpy", "integer", "bigint"],
    ]);
  });

  it("refuses dropping a table or a function the running code uses", async () => {
    const report = await check(
      migration("drop_things", "drop function private.reward_box_details(); drop table public.medal_ledger;"),
    );
    expect(report.refused.map((c) => [c.kind, c.object]).sort()).toEqual([
      ["function_dropped", "private.reward_box_details"],
      ["table_dropped", "medal_ledger"],
    ]);
  });

  it("lets a column go that the running code no longer reads (the contract step of a rename)", async () => {
    const expand = migration("expand", "alter table public.users add column legacy_note text;", "29990101000000");
    running = [...running, expand];
    try {
      const report = await check(
        migration("contract", "alter table public.users drop column legacy_note;", "29990102000000"),
      );
      expect(report.ok).toBe(true);
      expect(report.changes).toEqual([
        { kind: "column_dropped", object: "users.legacy_note", before: "text", after: null, readBy: [] },
      ]);
    } finally {
      running = running.filter((m) => m !== expand);
    }
  });

  it("refuses a release that lacks or changes a migration the running version applied", async () => {
    const [first, ...rest] = running;
    await expect(
      checkExpandOnly({ running, next: [{ ...first!, sql: `${first!.sql}\n-- edited` }, ...rest], runningSources }),
    ).rejects.toThrow(first!.version);
  });

  it("runs as npm run release:preflight against a git commit, exit 0 when expand-only", () => {
    const out = execFileSync(
      "npx",
      ["tsx", "--conditions=react-server", "scripts/release-preflight.ts", "--running", "HEAD"],
      {
        cwd: ROOT,
        encoding: "utf8",
      },
    );
    expect(out).toMatch(/preflight: \d+ new migration\(s\), expand-only for HEAD/);
    // A process of its own that loads tsx and migrates twice: slow on a busy machine.
  }, 180_000);
});
