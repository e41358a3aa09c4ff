import fs from "node:fs/promises";
import { getConfig } from "@/lib/config";
import { BOOTSTRAP_FILE } from "@/lib/migrate/migrator";
import { withAdmin, writePgliteTemplate } from "./database";

/**
 * On PGlite, migrate once and let every test file start from a copy.
 * On PostgreSQL, roles are shared by every database of the server: create them once,
 * before parallel test files each bootstrap their own database.
 */
export async function setup(): Promise<void> {
  const config = getConfig().database;
  if (config.kind !== "postgres") {
    await writePgliteTemplate();
    return;
  }
  const bootstrap = await fs.readFile(BOOTSTRAP_FILE, "utf8");
  await withAdmin(config.url, async (admin) => {
    await admin.query(bootstrap);
    // Leftovers of an interrupted earlier run: databases whose test process is gone.
    // A concurrent run's databases belong to live processes and stay.
    const { rows } = await admin.query<{ datname: string }>(
      "select datname from pg_database where datname like 'koepon\\_test\\_%'",
    );
    for (const { datname } of rows) {
      const pid = Number(/^koepon_test_(\d+)_/.exec(datname)?.[1]);
      if (!pid || !isAlive(pid)) await admin.query(`drop database if exists ${datname} with (force)`);
    }
  });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}
