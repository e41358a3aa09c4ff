/**
 * Changing a role through `POST /api/admin/users/{id}/role`: which changes are allowed,
 * what each leaves behind (the role, the application, the sessions, one audit row) and
 * what is refused with which code, changing nothing.
 */
import { describe, expect, it } from "vitest";
import * as me from "@/app/api/me/route";
import * as userRole from "@/app/api/admin/users/[id]/role/route";
import type { AppRole } from "@/lib/auth/caller";
import { errorCode, signIn, testDeps } from "../helpers/auth";
import {
  createApprovedCampaign,
  createCampaign,
  createExchangeItem,
  createUser,
  createVtuber,
  WINDOWS,
  type UserFixture,
} from "../helpers/fixtures";
import { setUpRouteTests } from "../helpers/route-test-context";

const app = setUpRouteTests();

async function tokenOf(user: { id: string; role: AppRole }): Promise<string> {
  return (await signIn(await testDeps(app.db, app.keys), user)).accessToken.token;
}

async function newAdmin(): Promise<UserFixture & { token: string }> {
  const admin = await createUser(app.db, { role: "admin" });
  return { ...admin, token: await tokenOf(admin) };
}

function changeRole(caller: { token: string }, userId: string, body: unknown, requestId?: string) {
  return userRole.POST(
    new Request(`http://localhost/api/admin/users/${userId}/role`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        authorization: `Bearer ${caller.token}`,
        ...(requestId ? { "x-request-id": requestId } : {}),
      },
      body: JSON.stringify(body),
    }),
    { params: Promise.resolve({ id: userId }) },
  );
}

async function roleOf(userId: string) {
  const [row] = await app.db.query<{ role: string }>("select role from public.users where id = $1", [userId]);
  return row!.role;
}

async function auditRows(userId: string) {
  return app.db.query<{ actor_id: string; action: string; details: unknown; request_id: string | null }>(
    "select actor_id, action, details, request_id from public.audit_log where target_id = $1 order by id",
    [userId],
  );
}

async function liveSessions(userId: string) {
  const [row] = await app.db.query<{ n: number }>(
    "select count(*)::int as n from public.refresh_token_families where user_id = $1 and revoked_at is null",
    [userId],
  );
  return row!.n;
}

async function callMe(token: string) {
  return me.GET(new Request("http://localhost/api/me", { headers: { authorization: `Bearer ${token}` } }), {
    params: Promise.resolve({}),
  });
}

describe("changing a role", () => {
  it("makes a fan an admin: one audit row, every session signed out, the role from the database", async () => {
    const admin = await newAdmin();
    const fan = await createUser(app.db);
    const oldToken = await tokenOf(fan);
    await tokenOf(fan);
    expect(await liveSessions(fan.id)).toBe(2);

    const response = await changeRole(admin, fan.id, { role: "admin", reason: "運営に参加" }, "req-role-1");
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      user: { id: fan.id, role: "admin", previousRole: "user", changed: true, revokedSessions: 2 },
    });
    expect(await roleOf(fan.id)).toBe("admin");
    expect(await liveSessions(fan.id)).toBe(0);
    expect(await auditRows(fan.id)).toEqual([
      {
        actor_id: admin.id,
        action: "user.role_change",
        details: { reason: "運営に参加", from: "user", to: "admin", revokedSessions: 2 },
        request_id: "req-role-1",
      },
    ]);
    // The token issued with the old role no longer works; a fresh sign-in carries the new one.
    const stale = await callMe(oldToken);
    expect(stale.status).toBe(401);
    const fresh = await callMe(await tokenOf({ id: fan.id, role: "admin" }));
    expect(((await fresh.json()) as { user: { role: string } }).user.role).toBe("admin");
  });

  it("makes an admin a fan, and the same change again writes nothing", async () => {
    const admin = await newAdmin();
    const other = await createUser(app.db, { role: "admin" });
    expect((await changeRole(admin, other.id, { role: "user", reason: "異動" })).status).toBe(200);
    const again = await changeRole(admin, other.id, { role: "user", reason: "異動" });
    expect(await again.json()).toEqual({
      user: { id: other.id, role: "user", previousRole: "user", changed: false, revokedSessions: 0 },
    });
    expect(await roleOf(other.id)).toBe("user");
    expect(await auditRows(other.id)).toHaveLength(1);
  });

  it("refuses making anyone a VTuber without an approved application (422), changing nothing", async () => {
    const admin = await newAdmin();
    const fan = await createUser(app.db);
    const applicant = await createVtuber(app.db, { status: "applied" });
    for (const userId of [fan.id, applicant.user.id]) {
      const response = await changeRole(admin, userId, { role: "vtuber", reason: "直接" });
      expect(response.status).toBe(422);
      expect(await errorCode(response)).toBe("role_requires_application");
      expect(await roleOf(userId)).toBe("user");
      expect(await auditRows(userId)).toEqual([]);
    }
  });

  it("lets an admin who runs an approved channel step down to VTuber", async () => {
    const admin = await newAdmin();
    const other = await createUser(app.db, { role: "admin" });
    await createVtuber(app.db, { user: other });
    expect((await changeRole(admin, other.id, { role: "vtuber", reason: "配信に専念" })).status).toBe(200);
    expect(await roleOf(other.id)).toBe("vtuber");
  });

  it("refuses VTuber → fan while a campaign or exchange item is in review or live (409)", async () => {
    const admin = await newAdmin();
    const live = await createVtuber(app.db);
    await createApprovedCampaign(app.db, live);
    const reviewing = await createVtuber(app.db);
    await createCampaign(app.db, reviewing, { status: "in_review" });
    const selling = await createVtuber(app.db);
    await createExchangeItem(app.db, selling, { status: "active" });

    for (const [vtuber, campaigns, exchangeItems] of [
      [live, 1, 0],
      [reviewing, 1, 0],
      [selling, 0, 1],
    ] as const) {
      const response = await changeRole(admin, vtuber.user.id, { role: "user", reason: "契約終了" });
      expect(response.status).toBe(409);
      const body = (await response.json()) as { error: { code: string; details: unknown[] } };
      expect(body.error.code).toBe("role_has_live_campaigns");
      expect(body.error.details).toEqual([{ reason: "live", campaigns, exchangeItems }]);
      expect(await roleOf(vtuber.user.id)).toBe("vtuber");
      expect(await auditRows(vtuber.user.id)).toEqual([]);
    }
  });

  it("turns a VTuber with nothing live back into a fan: the application returns to rejected with the reason", async () => {
    const admin = await newAdmin();
    const vtuber = await createVtuber(app.db);
    await createApprovedCampaign(app.db, vtuber, { window: WINDOWS.ended });
    await createCampaign(app.db, vtuber, { status: "draft" });

    const response = await changeRole(admin, vtuber.user.id, { role: "user", reason: "契約終了" });
    expect(response.status).toBe(200);
    expect(await roleOf(vtuber.user.id)).toBe("user");
    const [row] = await app.db.query<{ status: string; review_note: string; reviewed_by: string }>(
      "select status, review_note, reviewed_by from public.vtubers where id = $1",
      [vtuber.id],
    );
    expect(row).toEqual({ status: "rejected", review_note: "契約終了", reviewed_by: admin.id });
    expect(await auditRows(vtuber.user.id)).toEqual([
      {
        actor_id: admin.id,
        action: "user.role_change",
        details: { reason: "契約終了", from: "vtuber", to: "user", revokedSessions: 0, vtuberId: vtuber.id },
        request_id: expect.any(String),
      },
    ]);
  });

  it("refuses an admin changing their own role (403 own_role_change)", async () => {
    const admin = await newAdmin();
    const response = await changeRole(admin, admin.id, { role: "user", reason: "退任" });
    expect(response.status).toBe(403);
    expect(await errorCode(response)).toBe("own_role_change");
    expect(await roleOf(admin.id)).toBe("admin");
  });

  it("never leaves the service without an admin when two demote each other at once", async () => {
    const a = await newAdmin();
    const b = await newAdmin();
    const answers = await Promise.all([
      changeRole(a, b.id, { role: "user", reason: "交代" }),
      changeRole(b, a.id, { role: "user", reason: "交代" }),
    ]);
    // The loser is refused by the lock (403, PostgreSQL) or, run after the winner, finds its
    // session already signed out by the change (401, PGlite's one connection).
    const statuses = answers.map((r) => r.status).sort();
    expect(statuses[0]).toBe(200);
    expect([401, 403]).toContain(statuses[1]);
    const roles = [await roleOf(a.id), await roleOf(b.id)].sort();
    expect(roles).toEqual(["admin", "user"]);
    expect((await auditRows(a.id)).length + (await auditRows(b.id)).length).toBe(1);
  });

  it.each([
    ["no reason", { role: "admin" }],
    ["an empty reason", { role: "admin", reason: " " }],
    ["an unknown role", { role: "owner", reason: "x" }],
    ["an unknown field", { role: "admin", reason: "x", extra: 1 }],
  ])("refuses %s with 400, changing nothing", async (_, body) => {
    const admin = await newAdmin();
    const fan = await createUser(app.db);
    const response = await changeRole(admin, fan.id, body);
    expect(response.status).toBe(400);
    expect(await errorCode(response)).toBe("validation_failed");
    expect(await roleOf(fan.id)).toBe("user");
  });

  it("answers 404 for an unknown or malformed id", async () => {
    const admin = await newAdmin();
    for (const id of ["00000000-0000-4000-8000-000000000000", "not-a-uuid"]) {
      expect((await changeRole(admin, id, { role: "admin", reason: "x" })).status).toBe(404);
    }
  });
});
