/**
 * The setup every payment test file shares: a migrated test database, the real sandbox
 * provider with its webhooks collected, and one approved campaign of one VTuber to buy
 * pulls of, made before the file's tests and put away after them. With `app`, the
 * database and the sandbox also stand behind the app's `getDb()` and payment-provider
 * slots, with throwaway signing keys, so route handlers can be called directly.
 * Read the fields inside tests and hooks only.
 */
import { afterAll, beforeAll } from "vitest";
import type { Database } from "@/lib/db";
import type { Rarity } from "@/lib/gacha/types";
import { useAppDatabase } from "./app-db";
import { useTestKeys, type TestKeys } from "./auth";
import { useTestMailer } from "./mail";
import { createTestDatabase, type TestDatabase } from "./database";
import { createApprovedCampaign, createVtuber, type GachaFixture, type VtuberFixture } from "./fixtures";
import { collectingSandbox, usePaymentProvider, type CollectingSandbox } from "./payment-fixtures";

export interface PaymentTestContext {
  db: Database;
  sandbox: CollectingSandbox;
  vtuber: VtuberFixture;
  gacha: GachaFixture;
  /** Only with `app`. */
  keys: TestKeys;
}

export function setUpPaymentTests(
  options: {
    /** The sandbox's clock for the webhooks it signs. @default the real clock */
    now?: () => Date;
    /** Medals per rarity of the campaign. @default the fixtures' N 10 / R 20 / SR 50 / SSR 100 */
    medals?: Partial<Record<Rarity, number>>;
    /** Route handlers reach this database and sandbox, and tokens can be signed. @default false */
    app?: boolean;
  } = {},
): PaymentTestContext {
  const context = {} as PaymentTestContext;
  let database: TestDatabase | undefined;
  const undo: (() => unknown)[] = [];
  beforeAll(async () => {
    database = await createTestDatabase();
    context.db = database.db;
    context.sandbox = collectingSandbox(database.db, { now: options.now });
    context.vtuber = await createVtuber(database.db);
    context.gacha = await createApprovedCampaign(database.db, context.vtuber, { medals: options.medals });
    if (options.app) {
      context.keys = await useTestKeys();
      const mail = await useTestMailer();
      undo.push(
        useAppDatabase(database.db),
        usePaymentProvider(context.sandbox.provider),
        () => context.keys.restore(),
        () => mail.restore(),
      );
    }
  });
  afterAll(async () => {
    for (const step of undo.reverse()) await step();
    await database?.close();
  });
  return context;
}
