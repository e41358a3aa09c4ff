/**
 * A version of the app as git holds it: its migrations and the sources that may read
 * the database, for comparing a release with the version serving now.
 */
import { execFileSync } from "node:child_process";
import { readMigrations, type MigrationFile } from "../migrate/migrator";
import { checkExpandOnly, type ExpandOnlyReport } from "./expand-only";

const MIGRATION = /^supabase\/migrations\/(\d{14})_([a-z0-9_]+)\.sql$/;
// The generated row types name every column: they say what exists, not what is read.
const NOT_READERS = new Set(["lib/db/schema.ts"]);

const git = (args: string[], cwd?: string) =>
  execFileSync("git", args, {
    cwd,
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
    stdio: ["ignore", "pipe", "ignore"],
  });

/** Whether `ref` names a commit of the repository at `cwd`. */
export function isCommit(ref: string, cwd?: string): boolean {
  try {
    git(["cat-file", "-e", `${ref}^{commit}`], cwd);
    return true;
  } catch {
    return false;
  }
}

export function versionAt(ref: string, cwd?: string): { migrations: MigrationFile[]; sources: Map<string, string> } {
  const files = git(["ls-tree", "-r", "--name-only", ref, "--", "supabase/migrations", "lib", "app"], cwd).split("\n");
  const show = (file: string) => git(["show", `${ref}:${file}`], cwd);
  return {
    migrations: files.flatMap((file) => {
      const match = MIGRATION.exec(file);
      return match ? [{ version: match[1]!, name: match[2]!, sql: show(file) }] : [];
    }),
    sources: new Map(
      files.filter((file) => /\.tsx?$/.test(file) && !NOT_READERS.has(file)).map((file) => [file, show(file)] as const),
    ),
  };
}

/** Whether the migrations in this tree are expand-only for the version at `ref`. */
export async function checkExpandOnlyAgainst(ref: string, cwd?: string): Promise<ExpandOnlyReport> {
  const running = versionAt(ref, cwd);
  return checkExpandOnly({
    running: running.migrations,
    next: await readMigrations(),
    runningSources: running.sources,
  });
}
