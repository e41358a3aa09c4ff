/**
 * The VTuber console's application and campaign builder through their routes, with the
 * admin's decisions written as the review writes them.
 */
import { describe, expect, it } from "vitest";
import { GET as publicGacha } from "@/app/api/gachas/[id]/route";
import { computeOdds } from "@/lib/gacha/odds";
import { previewTable, type DraftItemRates } from "@/lib/gacha/rate-lint";
import { errorCode, signIn, testDeps } from "../helpers/auth";
import { consoleApi } from "../helpers/console";
import {
  approveSubmittedCampaign,
  createContentFile,
  createUser,
  createVtuber,
  rejectCampaign,
  reviewApplication,
  type VtuberFixture,
} from "../helpers/fixtures";
import { setUpRouteTests } from "../helpers/route-test-context";

const app = setUpRouteTests();

const tokenOf = async (user: { id: string; role: "user" | "vtuber" | "admin" }) =>
  (await signIn(await testDeps(app.db, app.keys), user)).accessToken.token;

const application = (slug: string) => ({
  slug,
  name: "星見ソラ",
  bio: "歌って踊れる<b>VTuber</b>",
  links: [{ label: "YouTube", url: "https://www.youtube.com/@example" }],
  adultConfirmed: true,
});

describe("the application", () => {
  it("is sent, shown in review, refused twice, and sent again after a rejection with the reason shown", async () => {
    const fan = await createUser(app.db);
    const token = await tokenOf(fan);
    expect(await (await consoleApi.getApplication(token)).json()).toEqual({ application: null });

    const slug = `sora-${fan.id.slice(0, 6)}`;
    const sent = await consoleApi.apply(token, application(slug));
    expect(sent.status).toBe(201);
    expect((await sent.json()).application).toMatchObject({ slug, status: "applied", reviewNote: null });
    const again = await consoleApi.apply(token, application(slug));
    expect(again.status).toBe(409);
    expect(await errorCode(again)).toBe("application_exists");

    await reviewApplication(app.db, fan.id, { approve: false, reason: "リンク先を確認できませんでした" });
    const shown = (await (await consoleApi.getApplication(token)).json()) as {
      application: { status: string; reviewNote: string };
    };
    expect(shown.application).toMatchObject({ status: "rejected", reviewNote: "リンク先を確認できませんでした" });

    const resent = await consoleApi.apply(token, { ...application(slug), name: "星見ソラ (再申請)" });
    expect(resent.status).toBe(201);
    expect((await resent.json()).application).toMatchObject({
      status: "applied",
      reviewNote: null,
      name: "星見ソラ (再申請)",
    });
    const [rows] = await app.db.query<{ n: number }>(
      "select count(*)::int as n from public.vtubers where user_id = $1",
      [fan.id],
    );
    expect(rows!.n).toBe(1);
  });

  it.each([
    ["without the adult confirmation", { adultConfirmed: false }],
    ["with a slug the catalog cannot hold", { slug: "Not A Slug" }],
    ["with a link that is not https", { links: [{ label: "x", url: "javascript:alert(1)" }] }],
    [
      "with six links",
      { links: Array.from({ length: 6 }, (_, i) => ({ label: `l${i}`, url: `https://e.example/${i}` })) },
    ],
  ])("is refused %s: 400 and nothing stored", async (_, change) => {
    const fan = await createUser(app.db);
    const response = await consoleApi.apply(await tokenOf(fan), {
      ...application(`ok-${fan.id.slice(0, 6)}`),
      ...change,
    });
    expect(response.status).toBe(400);
    expect(await errorCode(response)).toBe("validation_failed");
    const [row] = await app.db.query<{ n: number }>(
      "select count(*)::int as n from public.vtubers where user_id = $1",
      [fan.id],
    );
    expect(row!.n).toBe(0);
  });

  it("is refused with 409 slug_taken when another VTuber has the slug", async () => {
    const taken = await createVtuber(app.db);
    const fan = await createUser(app.db);
    const response = await consoleApi.apply(await tokenOf(fan), application(taken.slug));
    expect(response.status).toBe(409);
    expect(await errorCode(response)).toBe("slug_taken");
  });
});

/** A VTuber with four library files, and the builder's document over them. */
async function builder() {
  const vtuber: VtuberFixture = await createVtuber(app.db);
  const token = await tokenOf(vtuber.user);
  const files = [
    await createContentFile(app.db, vtuber, { kind: "voice" }),
    await createContentFile(app.db, vtuber, { kind: "voice" }),
    await createContentFile(app.db, vtuber, { kind: "image" }),
    await createContentFile(app.db, vtuber, { kind: "video" }),
  ];
  const document = {
    title: "夏ボイスガチャ",
    description: "<p>夏の<b>ボイス</b></p>",
    startsAt: new Date(Date.now() - 60_000).toISOString(),
    endsAt: new Date(Date.now() + 7 * 86_400_000).toISOString(),
    singlePriceJpy: 150,
    tenPriceJpy: 1500,
    medals: { N: 10, R: 20, SR: 50, SSR: 100 },
    items: [
      { fileId: files[0]!.id, name: "おはよう", rarity: "N", regularPpm: 600_000, guaranteedPpm: 0 },
      { fileId: files[1]!.id, name: "おやすみ", rarity: "R", regularPpm: 300_000, guaranteedPpm: 0 },
      { fileId: files[2]!.id, name: "サイン", rarity: "SR", regularPpm: 80_000, guaranteedPpm: 980_000 },
      { fileId: files[3]!.id, name: "特別動画", rarity: "SSR", regularPpm: 20_000, guaranteedPpm: 20_000 },
    ],
  };
  return { vtuber, token, files, document };
}

describe("the campaign builder", () => {
  it("drafts, explains problems, refuses to submit them, submits once fixed, and the public odds equal the preview", async () => {
    const { token, document } = await builder();
    const wrong = {
      ...document,
      items: document.items.map((i) => (i.rarity === "SSR" ? { ...i, guaranteedPpm: 30_000 } : i)),
    };
    const created = await consoleApi.createCampaign(token, wrong);
    expect(created.status).toBe(201);
    const { campaign } = (await created.json()) as {
      campaign: { id: string; status: string; problems: { code: string }[] };
    };
    expect(campaign.status).toBe("draft");
    expect(campaign.problems.map((p) => p.code)).toEqual(["slot_sum", "ssr_mismatch"]);

    const refused = await consoleApi.submitCampaign(token, campaign.id);
    expect(refused.status).toBe(422);
    const body = (await refused.json()) as { error: { code: string; details: { reason: string }[] } };
    expect(body.error.code).toBe("rate_table_invalid");
    expect(body.error.details.map((d) => d.reason)).toEqual(["slot_sum", "ssr_mismatch"]);

    const saved = await consoleApi.saveCampaign(token, campaign.id, document);
    expect(saved.status).toBe(200);
    const draft = (await saved.json()).campaign as {
      items: (DraftItemRates & { id: string; name: string })[];
      problems: unknown[];
      singlePriceJpy: number;
      tenPriceJpy: number;
      medals: { N: number; R: number; SR: number; SSR: number };
    };
    expect(draft.problems).toEqual([]);
    // In the order the VTuber gave them, which one transaction's timestamp cannot tell.
    expect(draft.items.map((i) => i.name)).toEqual(document.items.map((i) => i.name));
    const preview = computeOdds(
      previewTable(draft.items.map((i) => ({ ...i, key: i.id }))),
      { singlePriceJpy: draft.singlePriceJpy, tenPriceJpy: draft.tenPriceJpy, medals: draft.medals },
      [],
    );

    const submitted = await consoleApi.submitCampaign(token, campaign.id);
    expect(submitted.status).toBe(200);
    expect((await submitted.json()).campaign.status).toBe("in_review");
    const locked = await consoleApi.saveCampaign(token, campaign.id, document);
    expect(locked.status).toBe(409);
    expect(await errorCode(locked)).toBe("campaign_not_editable");

    await approveSubmittedCampaign(app.db, campaign.id);
    const pub = await publicGacha(new Request(`http://localhost/api/gachas/${campaign.id}`), {
      params: Promise.resolve({ id: campaign.id }),
    });
    expect(pub.status).toBe(200);
    const { gacha } = (await pub.json()) as { gacha: { odds: unknown } };
    expect(gacha.odds).toEqual(JSON.parse(JSON.stringify(preview)));

    // Approved: the table is never edited through the builder.
    const after = await consoleApi.saveCampaign(token, campaign.id, document);
    expect(after.status).toBe(409);
  });

  it("shows the reviewer's reason after a rejection, and takes an edit and a new submission", async () => {
    const { token, document } = await builder();
    const { campaign } = (await (await consoleApi.createCampaign(token, document)).json()) as {
      campaign: { id: string };
    };
    expect((await consoleApi.submitCampaign(token, campaign.id)).status).toBe(200);
    await rejectCampaign(app.db, campaign.id, "SSRの説明文を追加してください");
    const shown = (await (await consoleApi.getCampaign(token, campaign.id)).json()).campaign;
    expect(shown).toMatchObject({ status: "rejected", reviewNote: "SSRの説明文を追加してください" });
    const listed = (await (await consoleApi.campaigns(token)).json()).campaigns;
    expect(listed).toEqual([
      expect.objectContaining({ id: campaign.id, status: "rejected", reviewNote: "SSRの説明文を追加してください" }),
    ]);

    const edited = await consoleApi.saveCampaign(token, campaign.id, { ...document, description: "SSR: 特別動画" });
    expect((await edited.json()).campaign.status).toBe("draft");
    expect((await (await consoleApi.submitCampaign(token, campaign.id)).json()).campaign.status).toBe("in_review");
  });

  it.each([
    [
      "an N item in the guaranteed slot",
      (d: Doc) => ({ ...d, items: d.items.map((i) => (i.rarity === "N" ? { ...i, guaranteedPpm: 10 } : i)) }),
      422,
      "rate_table_invalid",
    ],
    ["a 10-pull dearer than ten singles", (d: Doc) => ({ ...d, tenPriceJpy: 1600 }), 400, "validation_failed"],
    ["a price out of range", (d: Doc) => ({ ...d, singlePriceJpy: 10 }), 400, "validation_failed"],
    ["a window that ends before it starts", (d: Doc) => ({ ...d, endsAt: d.startsAt }), 400, "validation_failed"],
    [
      "a weight above 100 %",
      (d: Doc) => ({ ...d, items: [{ ...d.items[0]!, regularPpm: 1_000_001 }] }),
      400,
      "validation_failed",
    ],
  ])("refuses %s with nothing stored", async (_, change, status, code) => {
    const { vtuber, token, document } = await builder();
    const response = await consoleApi.createCampaign(token, change(document));
    expect(response.status).toBe(status);
    expect(await errorCode(response)).toBe(code);
    const [row] = await app.db.query<{ n: number }>(
      "select count(*)::int as n from public.campaigns where vtuber_id = $1",
      [vtuber.id],
    );
    expect(row!.n).toBe(0);
  });

  it("refuses another VTuber's file as an item: 400 not_in_library", async () => {
    const { token, document } = await builder();
    const other = await createVtuber(app.db);
    const theirs = await createContentFile(app.db, other, { kind: "voice" });
    const response = await consoleApi.createCampaign(token, {
      ...document,
      items: [{ ...document.items[0]!, fileId: theirs.id }, ...document.items.slice(1)],
    });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { details: { reason: string }[] } };
    expect(body.error.details).toEqual([
      expect.objectContaining({ field: "items.0.fileId", reason: "not_in_library" }),
    ]);
  });
});

type Doc = Awaited<ReturnType<typeof builder>>["document"];

describe("exchange items", () => {
  it("are drafted from the library, submitted, locked in review, and edited back to draft after a rejection", async () => {
    const { vtuber, token, files } = await builder();
    const created = await consoleApi.createExchangeItem(token, {
      fileId: files[2]!.id,
      name: "サイン色紙",
      costMedals: 500,
      stock: 20,
      perUserLimit: 1,
      availableFrom: "2026-12-01T00:00:00+09:00",
      availableUntil: "2026-12-31T23:59:00+09:00",
    });
    expect(created.status).toBe(201);
    const { item } = (await created.json()) as { item: { id: string; status: string; stock: number } };
    expect(item).toMatchObject({ status: "draft", stock: 20, availableFrom: "2026-11-30T15:00:00.000Z" });

    expect((await (await consoleApi.submitExchangeItem(token, item.id)).json()).item.status).toBe("in_review");
    const locked = await consoleApi.saveExchangeItem(token, item.id, { name: "x", costMedals: 1 });
    expect(locked.status).toBe(409);
    expect(await errorCode(locked)).toBe("exchange_item_not_editable");

    await app.db.query("update public.exchange_items set status = 'rejected', review_note = $2 where id = $1", [
      item.id,
      "画像が不鮮明です",
    ]);
    const listed = (await (await consoleApi.exchangeItems(token)).json()).items;
    expect(listed).toEqual([
      expect.objectContaining({ id: item.id, status: "rejected", reviewNote: "画像が不鮮明です" }),
    ]);
    const edited = await consoleApi.saveExchangeItem(token, item.id, { name: "サイン色紙 (高画質)", costMedals: 400 });
    expect((await edited.json()).item).toMatchObject({ status: "draft", costMedals: 400, stock: 20 });

    const [row] = await app.db.query<{ vtuber_id: string }>(
      "select vtuber_id from public.exchange_items where id = $1",
      [item.id],
    );
    expect(row!.vtuber_id).toBe(vtuber.id);
  });

  it("refuses another VTuber's file and another VTuber's item", async () => {
    const { token, document } = await builder();
    const other = await builder();
    const theirs = await createContentFile(app.db, other.vtuber, { kind: "image" });
    const refused = await consoleApi.createExchangeItem(token, { fileId: theirs.id, name: "x", costMedals: 10 });
    expect(refused.status).toBe(400);
    const { item } = (await (
      await consoleApi.createExchangeItem(other.token, { fileId: theirs.id, name: "B's", costMedals: 10 })
    ).json()) as { item: { id: string } };
    for (const response of [
      await consoleApi.saveExchangeItem(token, item.id, { name: "taken", costMedals: 1 }),
      await consoleApi.submitExchangeItem(token, item.id),
    ]) {
      expect(response.status).toBe(404);
      expect(await errorCode(response)).toBe("exchange_item_not_found");
    }
    expect((await (await consoleApi.exchangeItems(token)).json()).items).toEqual([]);
    expect(document.items).toHaveLength(4);
  });
});
