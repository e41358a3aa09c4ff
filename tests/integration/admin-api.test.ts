/**
 * The admin actions over HTTP, called straight at the route handlers (past the Edge
 * gate, which is only the first line): who may call them, what each changes, and the
 * one audit row each writes.
 */
import { describe, expect, it } from "vitest";
import * as auditLog from "@/app/api/admin/audit/route";
import * as incidentAck from "@/app/api/admin/incidents/[id]/acknowledge/route";
import * as incidents from "@/app/api/admin/incidents/route";
import * as purchaseRefund from "@/app/api/admin/purchases/[id]/refund/route";
import * as purchase from "@/app/api/admin/purchases/[id]/route";
import * as purchases from "@/app/api/admin/purchases/route";
import * as reconcileRoute from "@/app/api/admin/reconcile/route";
import * as reviewQueue from "@/app/api/admin/review-queue/route";
import * as userDetail from "@/app/api/admin/users/[id]/route";
import * as users from "@/app/api/admin/users/route";
import * as campaignApprove from "@/app/api/admin/campaigns/[id]/approve/route";
import * as campaignReject from "@/app/api/admin/campaigns/[id]/reject/route";
import * as itemApprove from "@/app/api/admin/exchange-items/[id]/approve/route";
import * as itemReject from "@/app/api/admin/exchange-items/[id]/reject/route";
import * as userReinstate from "@/app/api/admin/users/[id]/reinstate/route";
import * as userRole from "@/app/api/admin/users/[id]/role/route";
import * as userSuspend from "@/app/api/admin/users/[id]/suspend/route";
import * as vtuberApprove from "@/app/api/admin/vtubers/[id]/approve/route";
import * as vtuberReject from "@/app/api/admin/vtubers/[id]/reject/route";
import type { AppRole } from "@/lib/auth/caller";
import { API_ROUTES } from "@/lib/edge/api-routes";
import { readPublicGacha } from "@/lib/gacha/public-gacha";
import { errorCode, signIn, testDeps } from "../helpers/auth";
import {
  addGachaItems,
  createCampaign,
  createExchangeItem,
  createRateTable,
  createUser,
  createVtuber,
  standardRates,
  type UserFixture,
} from "../helpers/fixtures";
import { setUpRouteTests } from "../helpers/route-test-context";

const app = setUpRouteTests();

type Handler = (request: Request, context: { params: Promise<Record<string, string>> }) => Promise<Response>;

const ROUTES: { path: string; handler: Handler; body: unknown }[] = [
  { path: "vtubers/{id}/approve", handler: vtuberApprove.POST, body: {} },
  { path: "vtubers/{id}/reject", handler: vtuberReject.POST, body: { reason: "プロフィールが空です" } },
  { path: "campaigns/{id}/approve", handler: campaignApprove.POST, body: {} },
  { path: "campaigns/{id}/reject", handler: campaignReject.POST, body: { reason: "SSRが少なすぎます" } },
  { path: "exchange-items/{id}/approve", handler: itemApprove.POST, body: {} },
  { path: "exchange-items/{id}/reject", handler: itemReject.POST, body: { reason: "画像がありません" } },
  { path: "users/{id}/suspend", handler: userSuspend.POST, body: { reason: "chargeback" } },
  { path: "users/{id}/reinstate", handler: userReinstate.POST, body: { reason: "resolved" } },
  { path: "users/{id}/role", handler: userRole.POST, body: { role: "admin", reason: "運営チームに参加" } },
];

async function tokenOf(user: { id: string; role: AppRole }): Promise<string> {
  return (await signIn(await testDeps(app.db, app.keys), user)).accessToken.token;
}

/** Every read route: no body, and what the caller may see is the whole answer. */
const READS: { path: string; handler: Handler }[] = [
  { path: "audit", handler: auditLog.GET },
  { path: "incidents", handler: incidents.GET },
  { path: "purchases", handler: purchases.GET },
  { path: "purchases/{id}", handler: purchase.GET },
  { path: "review-queue", handler: reviewQueue.GET },
  { path: "users", handler: users.GET },
  { path: "users/{id}", handler: userDetail.GET },
];
/** Writes whose targets `targets()` does not make; refused before any lookup. */
const OTHER_WRITES: { path: string; handler: Handler; body: unknown }[] = [
  { path: "incidents/{id}/acknowledge", handler: incidentAck.POST, body: { note: "見ています" } },
  { path: "purchases/{id}/refund", handler: purchaseRefund.POST, body: { reason: "test" } },
  { path: "reconcile", handler: reconcileRoute.POST, body: {} },
];

function post(
  handler: Handler,
  path: string,
  id: string,
  body: unknown,
  headers: Record<string, string>,
  method: "GET" | "POST" = "POST",
): Promise<Response> {
  const url = `http://localhost/api/admin/${path.replace("{id}", id)}`;
  return handler(
    new Request(url, {
      method,
      headers: method === "GET" ? headers : { "content-type": "application/json", ...headers },
      body: method === "GET" || body === undefined ? undefined : JSON.stringify(body),
    }),
    { params: Promise.resolve({ id }) },
  );
}

const routeOf = (path: string) => ROUTES.find((r) => r.path === path)!;

async function act(path: string, id: string, admin: { token: string }, body?: unknown, requestId?: string) {
  const route = routeOf(path);
  return post(route.handler, path, id, body === undefined ? route.body : body, {
    authorization: `Bearer ${admin.token}`,
    ...(requestId ? { "x-request-id": requestId } : {}),
  });
}

async function auditRows(targetId: string) {
  return app.db.query<{ actor_id: string; action: string; target_type: string; details: unknown; request_id: string }>(
    "select actor_id, action, target_type, details, request_id from public.audit_log where target_id = $1 order by id",
    [targetId],
  );
}

async function statusOf(table: "vtubers" | "campaigns" | "exchange_items" | "users", id: string) {
  const [row] = await app.db.query<{ status: string }>(`select status from public.${table} where id = $1`, [id]);
  return row!.status;
}

async function roleOf(userId: string) {
  const [row] = await app.db.query<{ role: string }>("select role from public.users where id = $1", [userId]);
  return row!.role;
}

async function newAdmin(): Promise<UserFixture & { token: string }> {
  const admin = await createUser(app.db, { role: "admin" });
  return { ...admin, token: await tokenOf(admin) };
}

/** A campaign waiting for review with a valid draft rate table. */
async function campaignInReview(vtuber: { id: string }) {
  const campaign = await createCampaign(app.db, vtuber, { status: "in_review" });
  const items = await addGachaItems(app.db, campaign);
  const table = await createRateTable(app.db, campaign, standardRates(items), { approve: false });
  return { campaign, table };
}

/** One target of every kind, each waiting for review, and a fan to suspend. */
async function targets() {
  const applicant = await createVtuber(app.db, { status: "applied" });
  const vtuber = await createVtuber(app.db);
  const { campaign } = await campaignInReview(vtuber);
  const item = await createExchangeItem(app.db, vtuber, { status: "in_review" });
  const fan = await createUser(app.db);
  const suspended = await createUser(app.db, { status: "suspended" });
  const promoted = await createUser(app.db);
  return {
    "vtubers/{id}/approve": applicant.id,
    "vtubers/{id}/reject": applicant.id,
    "campaigns/{id}/approve": campaign.id,
    "campaigns/{id}/reject": campaign.id,
    "exchange-items/{id}/approve": item.id,
    "exchange-items/{id}/reject": item.id,
    "users/{id}/suspend": fan.id,
    "users/{id}/reinstate": suspended.id,
    "users/{id}/role": promoted.id,
  } as Record<string, string>;
}

describe("who may call /api/admin/*", () => {
  it("covers every /api/admin route of the gate's table in these tests", () => {
    const covered = [...ROUTES, ...READS, ...OTHER_WRITES].map((r) => `/api/admin/${r.path.replace("{id}", "[id]")}`);
    expect(API_ROUTES.map((r) => r.path).filter((p) => p.startsWith("/api/admin/") && !covered.includes(p))).toEqual(
      [],
    );
  });

  it.each(["user", "vtuber"] as const)("refuses a %s with 403 on every read and remaining write", async (role) => {
    const caller = await createUser(app.db, { role });
    const token = await tokenOf(caller);
    const id = "00000000-0000-4000-8000-000000000000";
    const before = await app.db.query<{ n: number }>("select count(*)::int as n from public.audit_log");
    for (const r of READS) {
      const response = await post(r.handler, r.path, id, undefined, { authorization: `Bearer ${token}` }, "GET");
      expect(response.status, r.path).toBe(403);
      expect(await errorCode(response), r.path).toBe("forbidden");
    }
    for (const r of OTHER_WRITES) {
      const response = await post(r.handler, r.path, id, r.body, { authorization: `Bearer ${token}` });
      expect(response.status, r.path).toBe(403);
    }
    expect(await app.db.query<{ n: number }>("select count(*)::int as n from public.audit_log")).toEqual(before);
  });

  it.each(["user", "vtuber"] as const)("refuses a %s with 403 on every route, changing nothing", async (role) => {
    const caller = await createUser(app.db, { role });
    const token = await tokenOf(caller);
    const ids = await targets();
    for (const route of ROUTES) {
      const id = ids[route.path]!;
      const response = await post(route.handler, route.path, id, route.body, { authorization: `Bearer ${token}` });
      expect(response.status, route.path).toBe(403);
      expect(await errorCode(response), route.path).toBe("forbidden");
      expect(await auditRows(id), route.path).toEqual([]);
    }
    expect(await statusOf("vtubers", ids["vtubers/{id}/approve"]!)).toBe("applied");
    expect(await statusOf("campaigns", ids["campaigns/{id}/approve"]!)).toBe("in_review");
    expect(await statusOf("exchange_items", ids["exchange-items/{id}/approve"]!)).toBe("in_review");
    expect(await statusOf("users", ids["users/{id}/suspend"]!)).toBe("active");
    expect(await statusOf("users", ids["users/{id}/reinstate"]!)).toBe("suspended");
    expect(await roleOf(ids["users/{id}/role"]!)).toBe("user");
  });

  it("refuses a signed-out caller with 401 on every route", async () => {
    const ids = await targets();
    for (const route of ROUTES) {
      const response = await post(route.handler, route.path, ids[route.path]!, route.body, {});
      expect(response.status, route.path).toBe(401);
    }
  });

  it("refuses an admin's decision on their own submission with 403 own_submission", async () => {
    const admin = await newAdmin();
    // The admin also runs a VTuber channel: its application, campaign and item are theirs.
    const other = await createUser(app.db, { role: "admin" });
    const ownApplication = await createVtuber(app.db, { status: "applied", user: admin });
    const ownVtuber = await createVtuber(app.db, { user: other });
    const { campaign } = await campaignInReview(ownVtuber);
    const item = await createExchangeItem(app.db, ownVtuber, { status: "in_review" });
    const otherAdmin = { ...other, token: await tokenOf(other) };

    for (const verb of ["approve", "reject"]) {
      const response = await act(`vtubers/{id}/${verb}`, ownApplication.id, admin);
      expect(response.status).toBe(403);
      expect(await errorCode(response)).toBe("own_submission");
      for (const [path, id] of [
        [`campaigns/{id}/${verb}`, campaign.id],
        [`exchange-items/{id}/${verb}`, item.id],
      ] as const) {
        const refused = await act(path, id, otherAdmin);
        expect(refused.status, path).toBe(403);
        expect(await errorCode(refused), path).toBe("own_submission");
      }
    }
    expect(await statusOf("vtubers", ownApplication.id)).toBe("applied");
    expect(await statusOf("campaigns", campaign.id)).toBe("in_review");
    expect(await statusOf("exchange_items", item.id)).toBe("in_review");
    for (const id of [ownApplication.id, campaign.id, item.id]) expect(await auditRows(id)).toEqual([]);

    // Another admin may decide them.
    expect((await act("campaigns/{id}/approve", campaign.id, admin)).status).toBe(200);
  });

  it("refuses an admin suspending themselves", async () => {
    const admin = await newAdmin();
    const response = await act("users/{id}/suspend", admin.id, admin);
    expect(response.status).toBe(403);
    expect(await statusOf("users", admin.id)).toBe("active");
  });
});

describe("each admin action", () => {
  it("writes exactly one audit row with actor, action, target, reason and request id", async () => {
    const admin = await newAdmin();
    const ids = await targets();
    const expected: Record<string, [string, string, string]> = {
      "vtubers/{id}/approve": ["vtuber.approve", "vtuber", "approved"],
      "campaigns/{id}/reject": ["campaign.reject", "campaign", "rejected"],
      "exchange-items/{id}/approve": ["exchange_item.approve", "exchange_item", "active"],
      "users/{id}/suspend": ["user.suspend", "user", "suspended"],
      "users/{id}/reinstate": ["user.reinstate", "user", "active"],
      "users/{id}/role": ["user.role_change", "user", "active"],
    };
    for (const [path, [action, targetType, status]] of Object.entries(expected)) {
      const id = ids[path]!;
      const response = await act(path, id, admin, undefined, `req-${action}`);
      expect(response.status, path).toBe(200);
      const reason = (routeOf(path).body as { reason?: string }).reason;
      const rows = await auditRows(id);
      expect(rows, path).toEqual([
        {
          actor_id: admin.id,
          action,
          target_type: targetType,
          details: expect.objectContaining(reason ? { reason } : {}),
          request_id: `req-${action}`,
        },
      ]);
      const table = {
        vtuber: "vtubers",
        campaign: "campaigns",
        exchange_item: "exchange_items",
        user: "users",
      } as const;
      expect(await statusOf(table[targetType as keyof typeof table], id), path).toBe(status);
    }
  });

  it("approving an application makes the account a VTuber; rejecting keeps the reason for them", async () => {
    const admin = await newAdmin();
    const approved = await createVtuber(app.db, { status: "applied" });
    const rejected = await createVtuber(app.db, { status: "applied" });
    expect((await act("vtubers/{id}/approve", approved.id, admin)).status).toBe(200);
    const reject = await act("vtubers/{id}/reject", rejected.id, admin, { reason: "活動実績を確認できません" });
    expect(await reject.json()).toEqual({
      review: { id: rejected.id, status: "rejected", reviewedAt: expect.any(String) },
    });
    const rows = await app.db.query<{ id: string; role: string; status: string; review_note: string | null }>(
      `select v.id, u.role, v.status, v.review_note from public.vtubers v join public.users u on u.id = v.user_id
       where v.id in ($1, $2) order by v.status`,
      [approved.id, rejected.id],
    );
    expect(rows).toEqual([
      { id: approved.id, role: "vtuber", status: "approved", review_note: null },
      { id: rejected.id, role: "user", status: "rejected", review_note: "活動実績を確認できません" },
    ]);
  });

  it("approving a campaign approves its draft rate table and opens it to fans", async () => {
    const admin = await newAdmin();
    const vtuber = await createVtuber(app.db);
    const { campaign, table } = await campaignInReview(vtuber);
    expect(await readPublicGacha(app.db, campaign.id, new Date())).toBeNull();

    expect((await act("campaigns/{id}/approve", campaign.id, admin)).status).toBe(200);
    const [row] = await app.db.query<{ status: string; current_rate_table_id: string; table_status: string }>(
      `select c.status, c.current_rate_table_id, t.status as table_status
       from public.campaigns c join public.rate_tables t on t.id = c.current_rate_table_id where c.id = $1`,
      [campaign.id],
    );
    expect(row).toEqual({ status: "approved", current_rate_table_id: table.id, table_status: "approved" });
    expect((await readPublicGacha(app.db, campaign.id, new Date()))?.id).toBe(campaign.id);
  });

  it("refuses a campaign whose rate table the database rejects with 422, changing nothing", async () => {
    const admin = await newAdmin();
    const vtuber = await createVtuber(app.db);
    const campaign = await createCampaign(app.db, vtuber, { status: "in_review" });
    const items = await addGachaItems(app.db, campaign);
    const short = standardRates(items).map((e, i) => (i === 0 ? { ...e, weightPpm: e.weightPpm - 1 } : e));
    const table = await createRateTable(app.db, campaign, short, { approve: false });

    const response = await act("campaigns/{id}/approve", campaign.id, admin);
    expect(response.status).toBe(422);
    expect(await errorCode(response)).toBe("rate_table_invalid");
    expect(await statusOf("campaigns", campaign.id)).toBe("in_review");
    const [t] = await app.db.query<{ status: string }>("select status from public.rate_tables where id = $1", [
      table.id,
    ]);
    expect(t!.status).toBe("draft");
    expect(await auditRows(campaign.id)).toEqual([]);
  });

  it("moves only along the lifecycle: a decided submission answers 409 and writes nothing", async () => {
    const admin = await newAdmin();
    const ids = await targets();
    for (const kind of ["vtubers", "campaigns", "exchange-items"]) {
      const id = ids[`${kind}/{id}/approve`]!;
      expect((await act(`${kind}/{id}/reject`, id, admin)).status, kind).toBe(200);
      for (const verb of ["approve", "reject"]) {
        const again = await act(`${kind}/{id}/${verb}`, id, admin);
        expect(again.status, `${kind} ${verb}`).toBe(409);
        expect(await errorCode(again)).toBe("review_state_conflict");
      }
      expect(await auditRows(id), kind).toHaveLength(1);
    }
    const draft = await createCampaign(app.db, await createVtuber(app.db), { status: "draft" });
    expect((await act("campaigns/{id}/approve", draft.id, admin)).status).toBe(409);
  });

  it("decides a campaign once when the same approval arrives many times at once", async () => {
    const admin = await newAdmin();
    const { campaign } = await campaignInReview(await createVtuber(app.db));
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => act("campaigns/{id}/approve", campaign.id, admin)),
    );
    const statuses = answers.map((r) => r.status).sort();
    expect(statuses).toEqual([200, ...Array<number>(9).fill(409)]);
    expect(await auditRows(campaign.id)).toHaveLength(1);
  });

  it("suspending signs the user out everywhere: their next call is refused", async () => {
    const admin = await newAdmin();
    const fan = await createUser(app.db);
    const session = await signIn(await testDeps(app.db, app.keys), fan);
    const response = await act("users/{id}/suspend", fan.id, admin);
    expect(await response.json()).toEqual({ user: { id: fan.id, suspended: true, revokedSessions: 1 } });
    const next = await act("users/{id}/suspend", fan.id, { token: session.accessToken.token });
    expect(next.status).toBe(403);
    expect(await errorCode(next)).toBe("account_suspended");
  });

  it.each([
    ["no reason", {}],
    ["an empty reason", { reason: "  " }],
    ["a reason over 2,000 characters", { reason: "x".repeat(2001) }],
    ["an unknown field", { reason: "ok", extra: 1 }],
  ])("refuses a rejection with %s (400), changing nothing", async (_, body) => {
    const admin = await newAdmin();
    const { campaign } = await campaignInReview(await createVtuber(app.db));
    const response = await act("campaigns/{id}/reject", campaign.id, admin, body);
    expect(response.status).toBe(400);
    expect(await errorCode(response)).toBe("validation_failed");
    expect(await statusOf("campaigns", campaign.id)).toBe("in_review");
  });

  it("answers 404 for an unknown or malformed id", async () => {
    const admin = await newAdmin();
    for (const id of ["00000000-0000-4000-8000-000000000000", "not-a-uuid"]) {
      expect((await act("campaigns/{id}/approve", id, admin)).status).toBe(404);
      expect((await act("users/{id}/suspend", id, admin)).status).toBe(404);
    }
  });
});
