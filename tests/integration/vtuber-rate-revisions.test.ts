/**
 * New rates for an approved campaign: the VTuber proposes the next version (a copy of
 * the live one), edits it with the builder's lint, submits it; the admin review queue
 * shows it; approval makes it the version new pulls use, while a purchase reserved
 * under the old version is drawn with that version and records its hash. The approved
 * table itself never changes, by the API or the database. PGlite, or PostgreSQL with
 * DATABASE_URL.
 */
import { describe, expect, it } from "vitest";
import { listCampaignSubmissions } from "@/lib/admin/review-queue";
import { reviewCampaign } from "@/lib/admin/review-campaign";
import { asUser } from "@/lib/db/session";
import { DomainError } from "@/lib/domain-error";
import { seededRandom } from "@/lib/gacha/random";
import { payAndPull } from "@/lib/payments/pay-and-pull";
import type { PaymentProvider } from "@/lib/payments/providers/types";
import { createStorage } from "@/lib/storage";
import { getConfig } from "@/lib/config";
import { getCampaign } from "@/lib/vtuber/campaigns";
import { proposeRates, saveRates, submitRates } from "@/lib/vtuber/rate-revisions";
import * as fx from "../helpers/fixtures";
import { pullRequest } from "../helpers/payment-fixtures";
import { setUpPaymentTests } from "../helpers/payment-test-context";

const t = setUpPaymentTests();
const now = () => new Date();

async function refusal(promise: Promise<unknown>): Promise<DomainError> {
  const err = await promise.then(
    () => new Error("expected a refusal"),
    (e: unknown) => e,
  );
  if (!(err instanceof DomainError)) throw err;
  return err;
}

async function freshCampaign() {
  const vtuber = await fx.createVtuber(t.db);
  const gacha = await fx.createApprovedCampaign(t.db, vtuber);
  return { vtuber, gacha, claims: vtuber.user.claims };
}

/** Every item at its rarity's share of STANDARD_RATES, but SSR regular+guaranteed at `ssrPpm`. */
function ratesWithSsr(items: fx.GachaItemFixture[], ssrPpm: number) {
  const rates = fx.standardRates(items, {
    regular: { N: 700_000, R: 220_000, SR: 80_000 - ssrPpm, SSR: ssrPpm },
    guaranteed: { SR: 1_000_000 - ssrPpm, SSR: ssrPpm },
  });
  return items.map((item) => ({
    itemId: item.id,
    regularPpm: rates.find((r) => r.itemId === item.id && r.slot === "regular")?.weightPpm ?? 0,
    guaranteedPpm: rates.find((r) => r.itemId === item.id && r.slot === "guaranteed")?.weightPpm ?? 0,
  }));
}

async function approveAsAdmin(campaignId: string, decision: "approve" | "reject" = "approve") {
  const admin = await fx.createUser(t.db, { role: "admin" });
  return reviewCampaign(t.db, {
    actorId: admin.id,
    now: now(),
    targetId: campaignId,
    decision: decision === "approve" ? { decision } : { decision, reason: "SSRが低すぎます" },
  });
}

async function tableRows(campaignId: string) {
  return t.db.query<{ version: number; status: string; content_hash: string | null; submitted_at: Date | null }>(
    "select version, status, content_hash, submitted_at from public.rate_tables where campaign_id = $1 order by version",
    [campaignId],
  );
}

describe("proposing new rates", () => {
  it("opens version 2 as a copy of the live table, once, and leaves version 1 untouched", async () => {
    const { gacha, claims } = await freshCampaign();
    const proposed = await proposeRates(t.db, claims, gacha.campaign.id, now());
    expect(proposed.status).toBe("approved");
    expect(proposed.rateRevision).toEqual({ version: 2, liveVersion: 1, submittedAt: null });
    expect(proposed.problems).toEqual([]);
    const again = await proposeRates(t.db, claims, gacha.campaign.id, now());
    expect(again.rateTable!.id).toBe(proposed.rateTable!.id);
    const rows = await tableRows(gacha.campaign.id);
    expect(rows.map((r) => [r.version, r.status])).toEqual([
      [1, "approved"],
      [2, "draft"],
    ]);
    // Same entries, so the same canonical content as version 1.
    const [copy] = await t.db.query<{ same: boolean }>(
      `select (select count(*) from public.rate_table_entries a
                where a.rate_table_id = $1
                  and exists (select 1 from public.rate_table_entries b
                               where b.rate_table_id = $2 and b.slot = a.slot and b.item_id = a.item_id
                                 and b.weight_ppm = a.weight_ppm))
            = (select count(*) from public.rate_table_entries where rate_table_id = $2) as same`,
      [proposed.rateTable!.id, gacha.rateTable.id],
    );
    expect(copy!.same).toBe(true);
  });

  it("four proposals at once open one draft (in parallel on PostgreSQL, one after another on PGlite)", async () => {
    const { gacha, claims } = await freshCampaign();
    const answers = await Promise.all(
      Array.from({ length: 4 }, () => proposeRates(t.db, claims, gacha.campaign.id, now())),
    );
    expect(new Set(answers.map((a) => a.rateTable!.id)).size).toBe(1);
    expect((await tableRows(gacha.campaign.id)).map((r) => r.version)).toEqual([1, 2]);
  });

  it("is refused for a campaign that is not approved, and for another VTuber's campaign", async () => {
    const { vtuber, claims } = await freshCampaign();
    const draft = await fx.createCampaign(t.db, vtuber);
    expect((await refusal(proposeRates(t.db, claims, draft.id, now()))).code).toBe("rates_not_open");
    const other = await freshCampaign();
    expect((await refusal(proposeRates(t.db, claims, other.gacha.campaign.id, now()))).code).toBe("campaign_not_found");
    expect(await tableRows(other.gacha.campaign.id)).toHaveLength(1);
  });
});

describe("editing, submitting and the review", () => {
  it("lints, submits, shows in the admin queue, and on approval becomes the version new pulls use", async () => {
    const { gacha, claims } = await freshCampaign();
    await proposeRates(t.db, claims, gacha.campaign.id, now());
    // SSR unequal between the slots: the builder's lint says why, submit is refused.
    const uneven = ratesWithSsr(gacha.items, 20_000).map((r) =>
      gacha.items.find((i) => i.id === r.itemId)!.rarity === "SSR" ? { ...r, guaranteedPpm: 10_000 } : r,
    );
    const linted = await saveRates(t.db, claims, gacha.campaign.id, { items: uneven });
    expect(linted.problems.length).toBeGreaterThan(0);
    expect((await refusal(submitRates(t.db, claims, gacha.campaign.id, now()))).code).toBe("rate_table_invalid");

    const saved = await saveRates(t.db, claims, gacha.campaign.id, { items: ratesWithSsr(gacha.items, 20_000) });
    expect(saved.problems).toEqual([]);
    const ssr = gacha.items.find((i) => i.rarity === "SSR")!;
    expect(saved.items.find((i) => i.id === ssr.id)).toMatchObject({ regularPpm: 20_000, guaranteedPpm: 20_000 });
    const submitted = await submitRates(t.db, claims, gacha.campaign.id, now());
    expect(submitted.rateRevision!.submittedAt).not.toBeNull();
    // Frozen while in review.
    expect((await refusal(saveRates(t.db, claims, gacha.campaign.id, { items: [] }))).code).toBe("rates_not_open");

    const queue = await listCampaignSubmissions(t.db, { storage: createStorage(getConfig().storage) });
    const entry = queue.find((c) => c.id === gacha.campaign.id);
    expect(entry).toMatchObject({ rateTable: { version: 2 }, revisionOf: { version: 1 } });
    expect(entry!.odds).not.toBeNull();

    expect(await approveAsAdmin(gacha.campaign.id)).toMatchObject({ status: "approved" });
    const rows = await tableRows(gacha.campaign.id);
    expect(rows.map((r) => r.status)).toEqual(["approved", "approved"]);
    const [campaign] = await t.db.query<{ current_rate_table_id: string; status: string }>(
      "select current_rate_table_id, status from public.campaigns where id = $1",
      [gacha.campaign.id],
    );
    expect(campaign).toEqual({ current_rate_table_id: submitted.rateTable!.id, status: "approved" });
    const [audit] = await t.db.query<{ action: string }>(
      "select action from public.audit_log where target_id = $1 order by created_at desc limit 1",
      [gacha.campaign.id],
    );
    expect(audit!.action).toBe("campaign.rates_approve");
    // Out of the queue once decided; the console shows no open revision.
    const after = await listCampaignSubmissions(t.db, { storage: createStorage(getConfig().storage) });
    expect(after.some((c) => c.id === gacha.campaign.id)).toBe(false);
    expect((await getCampaign(t.db, claims, gacha.campaign.id)).rateRevision).toBeNull();
  });

  it("a rejection sends the draft back with the reason; the live version stays", async () => {
    const { gacha, claims } = await freshCampaign();
    await proposeRates(t.db, claims, gacha.campaign.id, now());
    await saveRates(t.db, claims, gacha.campaign.id, { items: ratesWithSsr(gacha.items, 5_000) });
    await submitRates(t.db, claims, gacha.campaign.id, now());
    await approveAsAdmin(gacha.campaign.id, "reject");
    const campaign = await getCampaign(t.db, claims, gacha.campaign.id);
    expect(campaign).toMatchObject({ status: "approved", reviewNote: "SSRが低すぎます" });
    expect(campaign.rateRevision).toMatchObject({ version: 2, submittedAt: null });
    const [row] = await t.db.query<{ current_rate_table_id: string }>(
      "select current_rate_table_id from public.campaigns where id = $1",
      [gacha.campaign.id],
    );
    expect(row!.current_rate_table_id).toBe(gacha.rateTable.id);
    // Editable again.
    await saveRates(t.db, claims, gacha.campaign.id, { items: ratesWithSsr(gacha.items, 10_000) });
  });

  it("the database keeps version 1 frozen and a submitted draft closed to the VTuber's own session", async () => {
    const { gacha, claims } = await freshCampaign();
    const proposed = await proposeRates(t.db, claims, gacha.campaign.id, now());
    const reweigh = (tableId: string) =>
      asUser(t.db, claims, (tx) =>
        tx.query("delete from public.rate_table_entries where rate_table_id = $1 returning 1", [tableId]),
      );
    // The approved table: no row the VTuber may delete.
    expect(await reweigh(gacha.rateTable.id)).toHaveLength(0);
    await submitRates(t.db, claims, gacha.campaign.id, now());
    expect(await reweigh(proposed.rateTable!.id)).toHaveLength(0);
    // Approving is not the VTuber's to do.
    await expect(
      asUser(t.db, claims, (tx) =>
        tx.query("update public.rate_tables set status = 'approved' where id = $1", [proposed.rateTable!.id]),
      ),
    ).rejects.toThrow(/permission denied/);
    // Another VTuber cannot open a version on this campaign directly either.
    const other = await freshCampaign();
    await expect(
      asUser(t.db, other.claims, (tx) =>
        tx.query("insert into public.rate_tables (campaign_id, version) values ($1, 9)", [gacha.campaign.id]),
      ),
    ).rejects.toThrow(/row-level security/);
  });
});

describe("pulls in flight keep the version they pinned", () => {
  it("a purchase reserved under v1, v2 approved before fulfilment: drawn with v1, v1's hash recorded", async () => {
    const { gacha, claims } = await freshCampaign();
    const fan = await fx.createUser(t.db);
    // Version 2 is all SSR, so a draw from it would show.
    const allSsr = gacha.items.map((item) => ({
      itemId: item.id,
      regularPpm: item.rarity === "SSR" ? 1_000_000 : 0,
      guaranteedPpm: item.rarity === "SSR" ? 1_000_000 : 0,
    }));
    let v2Id = "";
    const approvingMidway: PaymentProvider = {
      ...t.sandbox.provider,
      async charge(request) {
        const result = await t.sandbox.provider.charge(request);
        await proposeRates(t.db, claims, gacha.campaign.id, now());
        await saveRates(t.db, claims, gacha.campaign.id, { items: allSsr });
        v2Id = (await submitRates(t.db, claims, gacha.campaign.id, now())).rateTable!.id;
        await approveAsAdmin(gacha.campaign.id);
        return result;
      },
    };
    const { pull } = await payAndPull(
      { db: t.db, provider: approvingMidway, now: now(), rng: seededRandom(1) },
      pullRequest(fan, gacha.campaign, { count: 10 }),
    );
    const [row] = await t.db.query<{ rate_table_id: string; rate_table_hash: string }>(
      "select rate_table_id, rate_table_hash from public.pulls where id = $1",
      [pull.id],
    );
    const [v1] = await t.db.query<{ content_hash: string }>(
      "select content_hash from public.rate_tables where id = $1",
      [gacha.rateTable.id],
    );
    expect(row).toEqual({ rate_table_id: gacha.rateTable.id, rate_table_hash: v1!.content_hash });
    expect(pull.results.some((r) => r.rarity !== "SSR")).toBe(true);

    // The next purchase is reserved under v2 and draws only SSR.
    const { pull: next } = await payAndPull(
      { db: t.db, provider: t.sandbox.provider, now: now(), rng: seededRandom(1) },
      pullRequest(fan, gacha.campaign, { count: 10 }),
    );
    const [nextRow] = await t.db.query<{ rate_table_id: string }>(
      "select rate_table_id from public.pulls where id = $1",
      [next.id],
    );
    expect(nextRow!.rate_table_id).toBe(v2Id);
    expect(next.results.every((r) => r.rarity === "SSR")).toBe(true);
  });
});
