/**
 * `npm run release:preflight -- --running <git ref> [--json <file>]`: refuses a release
 * whose new migrations drop, rename or retype what the running version reads (see
 * lib/release/expand-only.ts). The running version is named by the git commit it was
 * built from; the release is the working tree. Exits 1 when refused.
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs/promises";
import path from "node:path";
import { parseArgs } from "node:util";
import { readMigrations, type MigrationFile } from "../lib/migrate/migrator";
import { checkExpandOnly } from "../lib/release/expand-only";

const { values } = parseArgs({ options: { running: { type: "string" }, json: { type: "string" } } });
if (!values.running) {
  console.error("usage: npm run release:preflight -- --running <git ref of the version serving now> [--json <file>]");
  process.exit(2);
}
const ref = values.running;
const git = (...args: string[]) => execFileSync("git", args, { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });

const MIGRATION = /^supabase\/migrations\/(\d{14})_([a-z0-9_]+)\.sql$/;
// The generated row types name every column; they say what exists, not what is read.
const NOT_READERS = new Set(["lib/db/schema.ts"]);

const files = git("ls-tree", "-r", "--name-only", ref, "--", "supabase/migrations", "lib", "app").split("\n");
const running: MigrationFile[] = files.flatMap((file) => {
  const match = MIGRATION.exec(file);
  return match ? [{ version: match[1]!, name: match[2]!, sql: git("show", `${ref}:${file}`) }] : [];
});
const runningSources = new Map(
  files
    .filter((file) => /\.(ts|tsx)$/.test(file) && !NOT_READERS.has(file))
    .map((file) => [file, git("show", `${ref}:${file}`)] as const),
);

const report = await checkExpandOnly({ running, next: await readMigrations(), runningSources });
const json = JSON.stringify({ running: ref, ...report }, null, 2);
if (values.json) await fs.writeFile(path.resolve(values.json), json + "\n");
console.log(json);
console.log(
  report.ok
    ? `preflight: ${report.newMigrations.length} new migration(s), expand-only for ${ref}`
    : `preflight: refused, ${report.refused.length} change(s) break what ${ref} reads`,
);
process.exitCode = report.ok ? 0 : 1;
