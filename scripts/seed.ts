/** `npm run seed`: loads the demo catalog into an empty local database. */
import { getConfig } from "../lib/config";
import { openDatabase } from "../lib/db";
import { migrate } from "../lib/migrate/migrator";
import { seedDemoData } from "../lib/seed/demo";

const config = getConfig();
const db = await openDatabase(config.database);
try {
  await migrate(db, { log: console.log });
  const { seeded, accounts } = await seedDemoData(db, config);
  console.log(seeded ? "Demo data loaded." : "The database already has users; nothing seeded.");
  for (const a of accounts) console.log(`  ${a.role.padEnd(6)} ${a.email}  ${a.password}`);
} catch (err) {
  console.error((err as Error).message);
  process.exitCode = 1;
} finally {
  await db.close();
}
