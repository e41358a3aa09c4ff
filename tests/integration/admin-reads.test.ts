/**
 * What the console reads: the review queues (odds as the fans' page computes them, the
 * warnings), the user search and page, the audit log viewer and incidents.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { acknowledgeIncident, listIncidents } from "@/lib/admin/incidents";
import { listAuditLog } from "@/lib/admin/audit-log";
import { listCampaignSubmissions } from "@/lib/admin/review-queue";
import { reviewCampaign } from "@/lib/admin/review-campaign";
import { getUserDetail, searchUsers, USER_PAGE_SIZE } from "@/lib/admin/users";
import { asService } from "@/lib/db/session";
import { computeOdds } from "@/lib/gacha/odds";
import { loadRateTable } from "@/lib/gacha/rate-table";
import { localStorage } from "@/lib/storage/local";
import {
  addGachaItems,
  createCampaign,
  createRateTable,
  createUser,
  createVtuber,
  standardRates,
  STANDARD_RATES,
} from "../helpers/fixtures";
import { setUpRouteTests } from "../helpers/route-test-context";

const app = setUpRouteTests();

/**
 * The local adapter in a folder of its own; every content file the fixtures made is
 * stored before the queue is read (its own test covers missing and empty ones).
 */
const storageDir = mkdtempSync(path.join(tmpdir(), "koepon-admin-reads-"));
const storage = localStorage(storageDir, { key: async () => Buffer.alloc(32, 7) });
afterAll(() => rmSync(storageDir, { recursive: true, force: true }));

async function storeEveryFile() {
  const files = await app.db.query<{ storage_path: string }>("select storage_path from public.content_files");
  for (const f of files) await storage.put(f.storage_path, Buffer.from("media"), "application/octet-stream");
}

/** A 30-day window: no length warning. */
const MONTH = { startsAt: new Date("2030-01-01T00:00:00Z"), endsAt: new Date("2030-01-31T00:00:00Z") };

async function submittedCampaign(
  options: { rates?: typeof STANDARD_RATES; window?: { startsAt: Date; endsAt: Date } } = {},
) {
  const vtuber = await createVtuber(app.db);
  const campaign = await createCampaign(app.db, vtuber, { status: "in_review", window: options.window ?? MONTH });
  const items = await addGachaItems(app.db, campaign);
  await createRateTable(app.db, campaign, standardRates(items, options.rates), { approve: false });
  return { vtuber, campaign, items };
}

async function queued(id: string) {
  await storeEveryFile();
  const all = await listCampaignSubmissions(app.db, { storage, expiresInSeconds: 60 });
  return all.find((c) => c.id === id)!;
}

describe("the campaign review queue", () => {
  it("shows the odds exactly as the fans' odds page computes them once approved", async () => {
    const { campaign, items } = await submittedCampaign();
    const shown = await queued(campaign.id);
    expect(shown.items).toHaveLength(items.length);
    expect(shown.items.every((i) => i.previewUrl?.startsWith("/api/files/") && !i.mediaMissing)).toBe(true);
    expect(shown.warnings).toEqual([]);

    const admin = await createUser(app.db, { role: "admin" });
    await reviewCampaign(app.db, {
      actorId: admin.id,
      now: new Date(),
      targetId: campaign.id,
      decision: { decision: "approve" },
    });
    const approved = await asService(app.db, "test", async (tx) => {
      const [c] = await tx.query<{ current_rate_table_id: string }>(
        "select current_rate_table_id from public.campaigns where id = $1",
        [campaign.id],
      );
      return loadRateTable(tx, c!.current_rate_table_id);
    });
    const publicOdds = computeOdds(
      approved,
      { singlePriceJpy: campaign.singlePriceJpy, tenPriceJpy: campaign.tenPriceJpy, medals: campaign.medals },
      [],
    );
    expect(shown.odds).toEqual(publicOdds);
  });

  it("warns on a low SSR rate and a window over 90 days", async () => {
    const { campaign } = await submittedCampaign({
      rates: { regular: { N: 706_000, R: 220_000, SR: 70_000, SSR: 4_000 }, guaranteed: { SR: 996_000, SSR: 4_000 } },
      window: { startsAt: new Date("2030-01-01T00:00:00Z"), endsAt: new Date("2030-04-02T00:00:00Z") },
    });
    const shown = await queued(campaign.id);
    expect(shown.warnings).toEqual([
      { code: "campaign_too_long", days: 91, maxDays: 90 },
      { code: "ssr_rate_low", ppm: 4_000, thresholdPpm: 5_000 },
    ]);
  });

  it("warns when a new table moves a rarity by more than a point from the last approved one", async () => {
    const vtuber = await createVtuber(app.db);
    const campaign = await createCampaign(app.db, vtuber, { status: "in_review", window: MONTH });
    const items = await addGachaItems(app.db, campaign);
    await createRateTable(app.db, campaign, standardRates(items), { version: 1 });
    await createRateTable(
      app.db,
      campaign,
      standardRates(items, {
        regular: { N: 680_000, R: 240_000, SR: 70_000, SSR: 10_000 },
        guaranteed: STANDARD_RATES.guaranteed,
      }),
      { approve: false, version: 2 },
    );
    const shown = await queued(campaign.id);
    expect(shown.rateTable?.version).toBe(2);
    expect(shown.warnings).toEqual([
      { code: "rate_table_changed", rarity: "N", fromPpm: 700_000, toPpm: 680_000, thresholdPpm: 10_000 },
      { code: "rate_table_changed", rarity: "R", fromPpm: 220_000, toPpm: 240_000, thresholdPpm: 10_000 },
    ]);
  });

  it("flags a table that would not verify, and a campaign without items", async () => {
    const vtuber = await createVtuber(app.db);
    const empty = await createCampaign(app.db, vtuber, { status: "in_review", window: MONTH });
    expect((await queued(empty.id)).warnings).toEqual([
      { code: "items_without_media", items: 1 },
      { code: "no_rate_table" },
    ]);

    const broken = await createCampaign(app.db, vtuber, { status: "in_review", window: MONTH });
    const items = await addGachaItems(app.db, broken);
    const short = standardRates(items).map((e, i) => (i === 0 ? { ...e, weightPpm: e.weightPpm - 1 } : e));
    await createRateTable(app.db, broken, short, { approve: false });
    const shown = await queued(broken.id);
    expect(shown.odds).toBeNull();
    expect(shown.warnings).toEqual([{ code: "rate_table_invalid", reason: expect.stringContaining("999999") }]);
  });
});

describe("users", () => {
  it("finds accounts by part of the email or display name, a page at a time", async () => {
    const marker = `srch${Date.now()}`;
    for (let i = 0; i < USER_PAGE_SIZE + 3; i++) {
      await createUser(app.db, { email: `${marker}-${i}@test.koepon.invalid` });
    }
    await createUser(app.db, { displayName: `Name ${marker.toUpperCase()}` });
    await createUser(app.db, { email: `other_${Date.now()}@test.koepon.invalid` });

    const first = await searchUsers(app.db, { q: marker });
    expect(first.users).toHaveLength(USER_PAGE_SIZE);
    const second = await searchUsers(app.db, { q: marker, before: first.nextCursor });
    expect(second.users).toHaveLength(4);
    expect(second.nextCursor).toBeNull();
    const ids = [...first.users, ...second.users].map((u) => u.id);
    expect(new Set(ids).size).toBe(USER_PAGE_SIZE + 4);
    // `_` and `%` are letters in a search, not wildcards.
    expect((await searchUsers(app.db, { q: "%" })).users).toEqual([]);
    expect(JSON.stringify(first)).not.toMatch(/password|hash|token/i);
  });

  it("shows a user's role, age band, month spend and cap, and never a password or token", async () => {
    const teen = await createUser(app.db, { birthdate: "2012-06-01" });
    const detail = await getUserDetail(app.db, teen.id, new Date("2026-12-10T00:00:00Z"));
    expect(detail).toMatchObject({
      id: teen.id,
      role: "user",
      status: "active",
      ageBand: "under16",
      capJpy: 5_000,
      spentJpy: 0,
      pulls: 0,
      purchases: [],
      medals: [],
      month: "2026-12-01",
    });
    expect(JSON.stringify(detail)).not.toMatch(/password|hash|token/i);
    await expect(getUserDetail(app.db, "00000000-0000-4000-8000-000000000000", new Date())).rejects.toMatchObject({
      code: "not_found",
    });
  });
});

describe("the audit log viewer", () => {
  it("filters by actor and action and pages back without gaps or repeats", async () => {
    const admin = await createUser(app.db, { role: "admin" });
    for (let i = 0; i < 55; i++) {
      await asService(app.db, "test", (tx) =>
        tx.query(
          "insert into public.audit_log (actor_id, action, target_type, target_id) values ($1, 'user.suspend', 'user', $2)",
          [admin.id, `t-${i}`],
        ),
      );
    }
    const first = await listAuditLog(app.db, { actorId: admin.id });
    expect(first.entries).toHaveLength(50);
    expect(first.entries[0]!.targetId).toBe("t-54");
    const second = await listAuditLog(app.db, { actorId: admin.id, before: first.nextCursor });
    expect(second.entries.map((e) => e.targetId)).toEqual(["t-4", "t-3", "t-2", "t-1", "t-0"]);
    expect(second.nextCursor).toBeNull();
    expect((await listAuditLog(app.db, { actorId: admin.id, action: "user.reinstate" })).entries).toEqual([]);
    expect((await listAuditLog(app.db, { actorId: admin.id, targetId: "t-7" })).entries).toHaveLength(1);
    expect((await listAuditLog(app.db, { actorId: admin.id, from: new Date(Date.now() + 60_000) })).entries).toEqual(
      [],
    );
  });
});

describe("incidents", () => {
  it("lists firing incidents and acknowledges one once, with its note and one audit row", async () => {
    const admin = await createUser(app.db, { role: "admin" });
    const [incident] = await asService(app.db, "test", (tx) =>
      tx.query<{ id: string }>(
        `insert into public.alert_incidents (rule_id, dedup_key, severity, destination, summary)
         values ('error_rate_high', 'koepon/error_rate_high', 'critical', 'pagerduty', '5xx share 7 % over 5 min')
         returning id`,
      ),
    );
    const listed = await listIncidents(app.db);
    expect(listed.firing.map((i) => i.id)).toContain(incident!.id);

    await acknowledgeIncident(app.db, { actorId: admin.id, now: new Date(), incidentId: incident!.id, note: "調査中" });
    await expect(
      acknowledgeIncident(app.db, { actorId: admin.id, now: new Date(), incidentId: incident!.id, note: "again" }),
    ).rejects.toMatchObject({ code: "review_state_conflict" });
    const after = (await listIncidents(app.db)).firing.find((i) => i.id === incident!.id)!;
    expect(after).toMatchObject({ ackNote: "調査中", acknowledgedBy: admin.email });
    const audit = await listAuditLog(app.db, { targetId: incident!.id });
    expect(audit.entries.map((e) => e.action)).toEqual(["incident.acknowledge"]);
  });
});
