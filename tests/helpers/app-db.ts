/**
 * Route handlers reach the database through the process-wide `getDb()`. This points that
 * slot (lib/db/index.ts) at a test database, so a test can call `POST(new Request(…))`
 * and assert on what landed in its own database.
 */
import type { Database } from "@/lib/db";

const slot = Symbol.for("koepon.db");

/** Returns a function that puts back whatever was there before. */
export function useAppDatabase(db: Database): () => void {
  const g = globalThis as typeof globalThis & { [slot]?: Promise<Database> };
  const previous = g[slot];
  g[slot] = Promise.resolve(db);
  return () => {
    if (previous === undefined) delete g[slot];
    else g[slot] = previous;
  };
}
