/** Child process for the data-directory lock test: tries to open the directory given. */
import { openPglite } from "../../lib/db/pglite";

try {
  const db = await openPglite(process.argv[2]!);
  await db.close();
  console.log("opened");
} catch (err) {
  console.log((err as Error).message);
}
