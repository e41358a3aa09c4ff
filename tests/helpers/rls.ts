/**
 * The vocabulary of the row-level-security tests (tests/integration/rls-*.test.ts):
 * who runs a statement, what its refusal looks like, and the world of accounts,
 * VTubers, campaigns and purchases they run against. Each test file builds its own
 * world in its own database, so no file depends on another's rows or order.
 *
 * How a refusal shows depends on the layer that refuses, and each case names it:
 * a missing GRANT raises "permission denied", an INSERT failing a policy's WITH
 * CHECK raises a row-level security violation, an UPDATE or DELETE whose rows a
 * policy hides affects 0 rows, and the immutability triggers raise KP001/KP002/KP003.
 */
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect } from "vitest";
import { getConfig } from "@/lib/config";
import { asAnon, asService, asUser, type Claims } from "@/lib/db/session";
import type { Database } from "@/lib/db/types";
import type { RateEntry } from "@/lib/gacha/rate-table";
import { createTestDatabase, type TestDatabase } from "./database";
import * as fx from "./fixtures";

export const onPostgres = getConfig().database.kind === "postgres";
export const ENGINE = onPostgres ? "PostgreSQL" : "PGlite";

/**
 * PGlite has one connection, so a race between two transactions cannot even be staged
 * there: these tests are registered only where they can run (and fail), not skipped.
 */
export function describeOnPostgres(name: string, fn: () => void): void {
  if (onPostgres) describe(name, fn);
}

export const DENIED = { code: "42501", message: expect.stringMatching(/^permission denied for table /) };
export const RLS_VIOLATION = { code: "42501", message: expect.stringMatching(/violates row-level security policy/) };
export const NO_ROWS = { rows: 0 };
export const IMMUTABLE = { code: "KP001" };
export const APPEND_ONLY = { code: "KP002", message: expect.stringMatching(/is append-only/) };
export const REFUSED_APPROVAL = { code: "KP003" };

type Outcome = { rows: number } | { code: string; message: string };

/** What a statement did: how many rows it returned, or the SQLSTATE it failed with. */
export async function attempt(run: Promise<readonly unknown[]>): Promise<Outcome> {
  try {
    return { rows: (await run).length };
  } catch (err) {
    const { code, message } = err as { code?: string; message: string };
    return { code: code ?? "no sqlstate", message };
  }
}

export type Actor = { as: "user"; claims: Claims } | { as: "anon" } | { as: "service" } | { as: "owner" };

export const user = (u: { claims: Claims }): Actor => ({ as: "user", claims: u.claims });
export const ANON: Actor = { as: "anon" };
export const SERVICE: Actor = { as: "service" };
export const OWNER: Actor = { as: "owner" };

/** Runs one statement as the actor, in its own transaction (the owner: outside any role switch). */
function runAs(db: Database, actor: Actor, sql: string, params: unknown[] = []): Promise<unknown[]> {
  switch (actor.as) {
    case "user":
      return asUser(db, actor.claims, (tx) => tx.query(sql, params));
    case "anon":
      return asAnon(db, (tx) => tx.query(sql, params));
    case "service":
      return asService(db, "rls-test", (tx) => tx.query(sql, params));
    case "owner":
      return db.query(sql, params);
  }
}

export const sorted = (values: readonly string[]) => [...values].sort();

/**
 * A fresh migrated database and world for one test file, made before its tests and put
 * away after them. `ready` receives both, for the file's own `db` and `w`; `run` and
 * `ids` act on that database.
 */
export function setUpRlsTests(ready: (db: Database, world: World) => void) {
  let database: TestDatabase | undefined;
  let db: Database;
  beforeAll(async () => {
    database = await createTestDatabase();
    db = database.db;
    ready(db, await buildWorld(db));
  });
  afterAll(() => database?.close());

  const run = (actor: Actor, sql: string, params: unknown[] = []) => runAs(db, actor, sql, params);
  async function ids(actor: Actor, sql: string, params: unknown[] = []): Promise<string[]> {
    const rows = (await run(actor, sql, params)) as { id: string }[];
    return rows.map((r) => r.id).sort();
  }
  return { run, ids };
}

/** The hash the app computes from the rows it draws with; must equal the one the database stored. */
export function canonicalHash(entries: readonly RateEntry[]): string {
  const byte = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  const text = [...entries]
    .sort((a, b) => byte(a.slot, b.slot) || byte(a.itemId, b.itemId))
    .map((e) => `${e.slot}:${e.itemId}:${e.rarity}:${e.weightPpm}`)
    .join("\n");
  return createHash("sha256").update(text, "utf8").digest("hex");
}

/**
 * Every kind of account, VTuber, campaign, item, file, exchange item and purchase the
 * policies tell apart, so "sees exactly these" assertions have something to leave out.
 */
export interface World {
  admin: fx.UserFixture;
  suspendedAdmin: fx.UserFixture;
  fan1: fx.UserFixture;
  fan2: fx.UserFixture;
  newcomer: fx.UserFixture;
  vtA: fx.VtuberFixture;
  vtB: fx.VtuberFixture;
  vtApplied: fx.VtuberFixture;
  vtSuspended: fx.VtuberFixture;
  /** An admin account that also runs a VTuber profile, so it can read every file. */
  vtAdmin: fx.VtuberFixture;
  liveA: fx.GachaFixture;
  liveB: fx.GachaFixture;
  endedA: fx.GachaFixture;
  upcomingA: fx.GachaFixture;
  closedA: fx.GachaFixture;
  liveOfApplied: fx.GachaFixture;
  liveOfSuspended: fx.GachaFixture;
  draftA: fx.CampaignFixture;
  inReviewA: fx.CampaignFixture;
  draftB: fx.CampaignFixture;
  draftItemsB: fx.GachaItemFixture[];
  draftRatesB: fx.RateTableFixture;
  spareItemA: fx.GachaItemFixture;
  fileA: fx.ContentFileFixture;
  fileB: fx.ContentFileFixture;
  exchangeA: fx.ExchangeItemFixture;
  exchangeDraftA: fx.ExchangeItemFixture;
  exchangeB: fx.ExchangeItemFixture;
  exchangeOfApplied: fx.ExchangeItemFixture;
  pulls: { fan1: fx.FulfilledPullFixture[]; fan2: fx.FulfilledPullFixture[] };
}

export async function buildWorld(db: Database): Promise<World> {
  const admin = await fx.createUser(db, { role: "admin" });
  const suspendedAdmin = await fx.createUser(db, { role: "admin", status: "suspended" });
  const [fan1, fan2, newcomer] = [await fx.createUser(db), await fx.createUser(db), await fx.createUser(db)];
  const vtA = await fx.createVtuber(db, { reviewer: admin });
  const vtB = await fx.createVtuber(db, { reviewer: admin });
  const vtApplied = await fx.createVtuber(db, { status: "applied" });
  const vtSuspended = await fx.createVtuber(db, { status: "suspended", reviewer: admin });
  const vtAdmin = await fx.createVtuber(db, { user: await fx.createUser(db, { role: "admin" }) });

  const liveA = await fx.createApprovedCampaign(db, vtA, { reviewer: admin });
  const liveB = await fx.createApprovedCampaign(db, vtB, { reviewer: admin });
  const endedA = await fx.createApprovedCampaign(db, vtA, { window: fx.WINDOWS.ended });
  const upcomingA = await fx.createApprovedCampaign(db, vtA, { window: fx.WINDOWS.upcoming });
  const closedA = await fx.createApprovedCampaign(db, vtA, { status: "ended" });
  const liveOfApplied = await fx.createApprovedCampaign(db, vtApplied);
  const liveOfSuspended = await fx.createApprovedCampaign(db, vtSuspended);
  // Not in the rate table: lets the immutability tests try to add an entry.
  const [spareItemA] = await fx.addGachaItems(db, liveA.campaign, ["SR"]);

  const draftA = await fx.createCampaign(db, vtA);
  await fx.createRateTable(db, draftA, fx.standardRates(await fx.addGachaItems(db, draftA)), { approve: false });
  const inReviewA = await fx.createCampaign(db, vtA, { status: "in_review" });
  const draftB = await fx.createCampaign(db, vtB);
  const draftItemsB = await fx.addGachaItems(db, draftB);
  const draftRatesB = await fx.createRateTable(db, draftB, fx.standardRates(draftItemsB), { approve: false });

  const pulls = {
    fan1: [await fx.createFulfilledPull(db, fan1, liveA, { pullCount: 10 })],
    fan2: [await fx.createFulfilledPull(db, fan2, liveA), await fx.createFulfilledPull(db, fan2, liveB)],
  };

  return {
    admin,
    suspendedAdmin,
    fan1,
    fan2,
    newcomer,
    vtA,
    vtB,
    vtApplied,
    vtSuspended,
    vtAdmin,
    liveA,
    liveB,
    endedA,
    upcomingA,
    closedA,
    liveOfApplied,
    liveOfSuspended,
    draftA,
    inReviewA,
    draftB,
    draftItemsB,
    draftRatesB,
    spareItemA: spareItemA!,
    fileA: await fx.createContentFile(db, vtA),
    fileB: await fx.createContentFile(db, vtB),
    exchangeA: await fx.createExchangeItem(db, vtA),
    exchangeDraftA: await fx.createExchangeItem(db, vtA, { status: "draft" }),
    exchangeB: await fx.createExchangeItem(db, vtB),
    exchangeOfApplied: await fx.createExchangeItem(db, vtApplied),
    pulls,
  };
}
