/**
 * Paging and filtering the reward box: GET /api/me/rewards with `before`, `kind` and
 * `vtuber`, and listRewards under the caller's RLS. The rewards of one pull share their
 * acquisition time, so many rows here share a timestamp across the page boundaries.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { GET as getRewards } from "@/app/api/me/rewards/route";
import { asService, asUser } from "@/lib/db/session";
import type { ContentKind } from "@/lib/gacha/types";
import { listRewards, REWARD_PAGE_SIZE } from "@/lib/rewards/list-rewards";
import { errorCode, signIn, testDeps } from "../helpers/auth";
import {
  createApprovedCampaign,
  createFulfilledPull,
  createUser,
  createVtuber,
  type UserFixture,
  type VtuberFixture,
} from "../helpers/fixtures";
import { setUpRouteTests } from "../helpers/route-test-context";

const app = setUpRouteTests();
let fan: UserFixture;
let otherFan: UserFixture;
let fanToken: string;
let otherToken: string;
let mio: VtuberFixture;
let ren: VtuberFixture;

interface Seeded {
  id: string;
  kind: ContentKind;
  vtuber: string;
  acquiredAt: Date;
}
/** The fan's rewards in the order the box must show them: newest first, then by id, descending. */
let expected: Seeded[];
let otherIds: string[];

const KINDS: ContentKind[] = ["voice", "image", "video"];
const MIME: Record<ContentKind, string> = { voice: "audio/wav", image: "image/png", video: "video/webm" };
const BASE = Date.parse("2026-11-01T00:00:00Z");

/**
 * Puts `count` rewards into a fan's box in one go, `perInstant` at a time sharing one
 * acquisition time, kinds and VTubers taking turns.
 */
async function fillBox(
  user: UserFixture,
  vtubers: VtuberFixture[],
  count: number,
  perInstant: number,
  offsetMinutes: number,
): Promise<Seeded[]> {
  const gacha = await createApprovedCampaign(app.db, vtubers[0]!);
  const { pull } = await createFulfilledPull(app.db, user, gacha, { results: [gacha.items[0]!] });
  return asService(app.db, "test", async (tx) => {
    const rows: Seeded[] = [];
    for (let i = 0; i < count; i++) {
      const kind = KINDS[i % KINDS.length]!;
      const vtuber = vtubers[i % vtubers.length]!;
      const acquiredAt = new Date(BASE + (Math.floor(i / perInstant) * 2 + offsetMinutes) * 60_000);
      const [file] = await tx.query<{ id: string }>(
        `insert into public.content_files (vtuber_id, kind, title, storage_path, mime_type, size_bytes, sha256)
         values ($1, $2, $3, $4, $5, $6, repeat('a', 64)) returning id`,
        [vtuber.id, kind, `特典 ${i}`, `vtubers/${vtuber.slug}/${user.id}-${i}.bin`, MIME[kind], 1000 + i],
      );
      const [reward] = await tx.query<{ id: string }>(
        `insert into public.rewards (user_id, content_file_id, vtuber_id, title, kind, source, pull_id, acquired_at)
         values ($1, $2, $3, $4, $5, 'pull', $6, $7) returning id`,
        [user.id, file!.id, vtuber.id, `特典 ${i}`, kind, pull.id, acquiredAt],
      );
      rows.push({ id: reward!.id, kind, vtuber: vtuber.slug, acquiredAt });
    }
    return rows;
  });
}

function newestFirst(a: Seeded, b: Seeded): number {
  return b.acquiredAt.getTime() - a.acquiredAt.getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);
}

beforeAll(async () => {
  const deps = await testDeps(app.db, app.keys);
  [fan, otherFan] = [await createUser(app.db), await createUser(app.db)];
  fanToken = (await signIn(deps, fan)).accessToken.token;
  otherToken = (await signIn(deps, otherFan)).accessToken.token;
  mio = await createVtuber(app.db, { name: "星野ミオ" });
  ren = await createVtuber(app.db, { name: "月城レン" });

  // 2 × 30 exactly, seven to an instant (so ties straddle both page boundaries), plus
  // the reward of the pull the rows hang on. The other fan's rows fall in between in time.
  const own = await fillBox(fan, [mio, ren], 2 * REWARD_PAGE_SIZE - 1, 7, 0);
  const others = await fillBox(otherFan, [mio], 12, 3, 1);
  otherIds = others.map((r) => r.id);
  const pullRewards = await asService(app.db, "test", (tx) =>
    tx.query<{ id: string; kind: ContentKind; slug: string; acquired_at: Date }>(
      `select r.id, r.kind, v.slug, r.acquired_at from public.rewards r join public.vtubers v on v.id = r.vtuber_id
        where r.user_id = $1 and r.title not like '特典 %'`,
      [fan.id],
    ),
  );
  otherIds.push(
    ...(
      await asService(app.db, "test", (tx) =>
        tx.query<{ id: string }>("select id from public.rewards where user_id = $1 and title not like '特典 %'", [
          otherFan.id,
        ]),
      )
    ).map((r) => r.id),
  );
  expected = [
    ...own,
    ...pullRewards.map((r) => ({ id: r.id, kind: r.kind, vtuber: r.slug, acquiredAt: r.acquired_at })),
  ].sort(newestFirst);
});

interface Page {
  rewards: { id: string; kind: ContentKind; vtuber: { slug: string } }[];
  nextCursor: string | null;
}

async function get(query: string, token = fanToken): Promise<Response> {
  return getRewards(
    new Request(`http://localhost/api/me/rewards${query}`, { headers: { authorization: `Bearer ${token}` } }),
    { params: Promise.resolve({}) },
  );
}

async function page(query: string, token = fanToken): Promise<Page> {
  const response = await get(query, token);
  expect(response.status).toBe(200);
  return (await response.json()) as Page;
}

/** Follows `nextCursor` to the end, keeping each page. */
async function allPages(filter: string, token = fanToken): Promise<Page[]> {
  const pages = [await page(filter ? `?${filter}` : "", token)];
  while (pages.at(-1)!.nextCursor) {
    const before = `before=${pages.at(-1)!.nextCursor}`;
    pages.push(await page(`?${filter ? `${filter}&` : ""}${before}`, token));
  }
  return pages;
}

describe("GET /api/me/rewards paging", () => {
  it("pages 30 at a time, newest first, with nothing lost or repeated at the boundaries", async () => {
    expect(expected).toHaveLength(2 * REWARD_PAGE_SIZE);
    const pages = await allPages("");

    expect(pages.map((p) => p.rewards.length)).toEqual([REWARD_PAGE_SIZE, REWARD_PAGE_SIZE]);
    expect(pages[0]!.nextCursor).toBe(expected[REWARD_PAGE_SIZE - 1]!.id);
    // Exactly two full pages: the second one says there is no third.
    expect(pages[1]!.nextCursor).toBeNull();
    expect(pages.flatMap((p) => p.rewards.map((r) => r.id))).toEqual(expected.map((r) => r.id));
  });

  it("starts after any reward used as the cursor", async () => {
    const { rewards, nextCursor } = await page(`?before=${expected[44]!.id}`);
    expect(rewards.map((r) => r.id)).toEqual(expected.slice(45).map((r) => r.id));
    expect(nextCursor).toBeNull();
  });

  it("filters by kind and by VTuber, and pages within the filter", async () => {
    for (const kind of KINDS) {
      const ids = (await allPages(`kind=${kind}`)).flatMap((p) => p.rewards.map((r) => r.id));
      expect(ids).toEqual(expected.filter((r) => r.kind === kind).map((r) => r.id));
    }
    const mioPages = await allPages(`vtuber=${mio.slug}`);
    expect(mioPages.map((p) => p.rewards.length)).toEqual([REWARD_PAGE_SIZE, 1]);
    expect(mioPages.flatMap((p) => p.rewards.map((r) => r.id))).toEqual(
      expected.filter((r) => r.vtuber === mio.slug).map((r) => r.id),
    );
    const both = (await allPages(`kind=video&vtuber=${ren.slug}`)).flatMap((p) => p.rewards);
    expect(both.length).toBeGreaterThan(0);
    expect(both.map((r) => r.id)).toEqual(
      expected.filter((r) => r.kind === "video" && r.vtuber === ren.slug).map((r) => r.id),
    );
  });

  it("never shows another fan's rewards, even with one of theirs as the cursor", async () => {
    const ids = (await allPages("")).flatMap((p) => p.rewards.map((r) => r.id));
    expect(ids.filter((id) => otherIds.includes(id))).toEqual([]);

    const { rewards, nextCursor } = await page(`?before=${otherIds[0]}`);
    expect(rewards).toEqual([]);
    expect(nextCursor).toBeNull();

    const theirs = (await allPages("", otherToken)).flatMap((p) => p.rewards.map((r) => r.id));
    expect(theirs.sort()).toEqual([...otherIds].sort());
  });

  it("leaves the rows to RLS: asked for another fan's box, a fan's session reads nothing", async () => {
    const mine = await asUser(app.db, fan.claims, (tx) => listRewards(tx, fan.id));
    expect(mine.rewards).toHaveLength(REWARD_PAGE_SIZE);
    const theirs = await asUser(app.db, fan.claims, (tx) => listRewards(tx, otherFan.id));
    expect(theirs).toEqual({ rewards: [], nextCursor: null });
  });

  it("refuses a cursor, kind or VTuber that cannot exist, and unknown parameters, with 400", async () => {
    for (const [query, field] of [
      ["?before=not-a-uuid", "before"],
      ["?before=00000000-0000-4000-8000-00000000000", "before"],
      [`?before=${expected[0]!.id}'--`, "before"],
      ["?kind=audio", "kind"],
      ["?vtuber=Not_A_Slug", "vtuber"],
      ["?limit=100", "limit"],
    ] as const) {
      const response = await get(query);
      expect(response.status, query).toBe(400);
      const body = (await response.json()) as { error: { code: string; details: { field: string }[] } };
      expect(body.error.code).toBe("validation_failed");
      expect(body.error.details.map((d) => d.field)).toEqual([field]);
    }
  });

  it("refuses a signed-out caller with 401", async () => {
    const response = await getRewards(new Request("http://localhost/api/me/rewards?before=x"), {
      params: Promise.resolve({}),
    });
    expect(response.status).toBe(401);
    expect(await errorCode(response)).toBe("unauthenticated");
  });
});
