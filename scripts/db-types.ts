/**
 * `npm run db:types`: regenerates lib/db/schema.ts (the row types) from a fresh
 * migration on in-memory PGlite. `npm run db:types -- --check` only compares, and fails
 * when the checked-in file is stale (CI runs it).
 */
import fs from "node:fs/promises";
import path from "node:path";
import { freshRowTypes, readCheckedInRowTypes, ROW_TYPES_FILE } from "./db-types/generate";

const fresh = await freshRowTypes();
const relative = path.relative(process.cwd(), ROW_TYPES_FILE);
if (process.argv.includes("--check")) {
  const current = await readCheckedInRowTypes().catch(() => "");
  if (current !== fresh) {
    console.error(`${relative} does not match the migrations: run \`npm run db:types\` and commit the result.`);
    process.exitCode = 1;
  } else {
    console.log(`${relative} matches the migrations.`);
  }
} else {
  await fs.writeFile(ROW_TYPES_FILE, fresh);
  console.log(`Wrote ${relative}.`);
}
