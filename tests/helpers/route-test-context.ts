/**
 * The setup every route-handler test file needs: a migrated test database behind the
 * app's `getDb()` and throwaway signing keys for access tokens, made before the file's
 * tests and put away after them. Read the fields inside tests and hooks only.
 */
import { afterAll, beforeAll } from "vitest";
import type { Database } from "@/lib/db";
import { useAppDatabase } from "./app-db";
import { useTestKeys, type TestKeys } from "./auth";
import { createTestDatabase, type TestDatabase } from "./database";
import { useTestMailer, type TestMailer } from "./mail";

export interface RouteTestContext {
  db: Database;
  keys: TestKeys;
  /** Where the file's mail goes (a temporary outbox). */
  mail: TestMailer;
}

export function setUpRouteTests(): RouteTestContext {
  const context = {} as RouteTestContext;
  let database: TestDatabase | undefined;
  let restoreDb: () => void = () => {};
  beforeAll(async () => {
    database = await createTestDatabase();
    context.db = database.db;
    context.keys = await useTestKeys();
    context.mail = await useTestMailer();
    restoreDb = useAppDatabase(database.db);
  });
  afterAll(async () => {
    restoreDb();
    await context.keys?.restore();
    await context.mail?.restore();
    await database?.close();
  });
  return context;
}
