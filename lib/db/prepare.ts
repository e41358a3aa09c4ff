import "server-only";
import { getConfig } from "../config";
import { migrate } from "../migrate/migrator";
import { seedDemoData, type DemoAccount } from "../seed/demo";
import { getDb } from "./index";

export interface PrepareResult {
  applied: string[];
  seeded: boolean;
  demoAccounts: DemoAccount[];
}

/**
 * Runs when the server starts (instrumentation): applies new migrations and, on an
 * empty local database, loads the demo catalog. In embedded mode this must happen in
 * the server process, the only one allowed to open the PGlite directory.
 */
export async function prepareDatabase(log: (line: string) => void = console.log): Promise<PrepareResult> {
  const config = getConfig();
  if (!config.autoMigrate) return { applied: [], seeded: false, demoAccounts: [] };
  const db = await getDb();
  const { applied } = await migrate(db, { log: (line) => log(`[migrate] ${line}`) });
  if (!config.demoSeed) return { applied, seeded: false, demoAccounts: [] };
  const seed = await seedDemoData(db, config);
  return { applied, seeded: seed.seeded, demoAccounts: seed.accounts };
}
