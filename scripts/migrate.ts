/**
 * `npm run migrate`: applies new migrations to DATABASE_URL (deploys, self-hosting).
 * In embedded mode the running server migrates on start; this refuses while it runs.
 */
import { getConfig } from "../lib/config";
import { openDatabase } from "../lib/db";
import { migrate } from "../lib/migrate/migrator";

const config = getConfig();
const db = await openDatabase(config.database);
try {
  const result = await migrate(db, { log: console.log });
  console.log(
    result.applied.length === 0
      ? `Up to date (${result.alreadyApplied} migrations applied before).`
      : `Applied ${result.applied.length} migration(s).`,
  );
} catch (err) {
  console.error((err as Error).message);
  process.exitCode = 1;
} finally {
  await db.close();
}
