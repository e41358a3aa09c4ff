/**
 * Landed migrations are history: databases out there have run them, and the migrator
 * refuses to start when an applied file no longer matches. This catches an edit before
 * it lands, not when a deploy stops: every file must match its line in
 * supabase/migrations.lock, and a new file must get a line of its own there.
 */
import { createHash } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { MIGRATIONS_DIR, readMigrations } from "@/lib/migrate/migrator";

const LOCK_FILE = path.join(MIGRATIONS_DIR, "..", "migrations.lock");

async function readLock(): Promise<Map<string, string>> {
  const text = await fs.readFile(LOCK_FILE, "utf8");
  const entries = text
    .split("\n")
    .filter((line) => line.trim() && !line.startsWith("#"))
    .map((line) => {
      const [hash, file] = line.trim().split(/\s+/);
      return [file!, hash!] as const;
    });
  return new Map(entries);
}

describe("landed migrations", () => {
  it("are unchanged, and every migration file is in the lock", async () => {
    const lock = await readLock();
    const files = await readMigrations();
    const problems = files.flatMap(({ version, name, sql }) => {
      const file = `${version}_${name}.sql`;
      const hash = createHash("sha256").update(sql).digest("hex");
      const locked = lock.get(file);
      if (locked === undefined) return [`${file} is not in supabase/migrations.lock (add: ${hash}  ${file})`];
      if (locked !== hash) return [`${file} changed after it landed: put the change in a new migration`];
      return [];
    });
    expect(problems).toEqual([]);
  });

  it("are all still there", async () => {
    const present = new Set((await readMigrations()).map(({ version, name }) => `${version}_${name}.sql`));
    expect([...(await readLock()).keys()].filter((file) => !present.has(file))).toEqual([]);
  });
});
