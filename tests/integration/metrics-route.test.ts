/**
 * GET /api/metrics on a freshly seeded demo database: the demo fan signs in, buys one
 * single pull and one 10-pull through the pull route (demo campaigns cost 100 yen a
 * single and 1,000 a 10-pull), and the Prometheus text shows 11 items drawn and 1,100
 * yen, summed over labels. Who may read it: the metrics token or an admin.
 */
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

const METRICS_TOKEN = vi.hoisted(() => {
  const token = "metrics-route-test-token-0123456789";
  process.env.METRICS_TOKEN = token;
  return token;
});

import { POST as login } from "@/app/api/auth/login/route";
import { POST as pull } from "@/app/api/gachas/[id]/pulls/route";
import { GET as metrics } from "@/app/api/metrics/route";
import { getConfig } from "@/lib/config";
import { seedDemoData, type DemoAccount } from "@/lib/seed/demo";
import { useAppDatabase } from "../helpers/app-db";
import { jsonRequest, useTestKeys, type TestKeys } from "../helpers/auth";
import { createTestDatabase, type TestDatabase } from "../helpers/database";
import { collectingSandbox, usePaymentProvider } from "../helpers/payment-fixtures";

let database: TestDatabase;
let keys: TestKeys;
let storageDir: string;
let accounts: DemoAccount[];
const undo: (() => void)[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  storageDir = await fs.mkdtemp(path.join(os.tmpdir(), "koepon-metrics-"));
  // Published passwords on PGlite, random ones on PostgreSQL: use what the seed returns.
  ({ accounts } = await seedDemoData(database.db, {
    database: getConfig().database,
    storage: { kind: "local", dir: storageDir },
    bcryptCost: 4,
  }));
  keys = await useTestKeys();
  undo.push(useAppDatabase(database.db), usePaymentProvider(collectingSandbox(database.db).provider));
});

afterAll(async () => {
  for (const step of undo.reverse()) step();
  await keys?.restore();
  await database?.close();
  await fs.rm(storageDir, { recursive: true, force: true });
});

async function signIn(email: string): Promise<string> {
  const account = accounts.find((a) => a.email === email)!;
  const response = await login(jsonRequest("/api/auth/login", { email, password: account.password }), {
    params: Promise.resolve({}),
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { accessToken: string }).accessToken;
}

function scrape(authorization?: string): Promise<Response> {
  const headers: Record<string, string> = authorization ? { authorization } : {};
  return metrics(new Request("http://localhost/api/metrics", { headers }), { params: Promise.resolve({}) });
}

/** Sum of every sample of `name` in a Prometheus text body, over all label sets. */
function sumOf(body: string, name: string): number {
  const sample = new RegExp(`^${name}(\\{[^}]*\\})? (\\S+)$`);
  return body
    .split("\n")
    .map((line) => sample.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .reduce((sum, m) => sum + Number(m[2]), 0);
}

describe("GET /api/metrics", () => {
  it("shows one single pull and one 10-pull as 11 items drawn and 1,100 yen", async () => {
    const before = await scrape(`Bearer ${METRICS_TOKEN}`);
    expect(before.status).toBe(200);
    const empty = await before.text();
    expect(sumOf(empty, "gacha_pulls_total")).toBe(0);

    const fan = await signIn("fan@demo.koepon.test");
    const [campaign] = await database.db.query<{ id: string }>(
      "select id from public.campaigns where status = 'approved' order by title limit 1",
    );
    for (const [count, key] of [
      [1, "metrics-single-0001"],
      [10, "metrics-ten-0000001"],
    ] as const) {
      const response = await pull(
        jsonRequest(
          `/api/gachas/${campaign!.id}/pulls`,
          { count, paymentMethodId: "pm_card_visa" },
          { authorization: `Bearer ${fan}`, "idempotency-key": key },
        ),
        { params: Promise.resolve({ id: campaign!.id }) },
      );
      expect(response.status).toBe(201);
    }

    const response = await scrape(`Bearer ${METRICS_TOKEN}`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
    const body = await response.text();
    expect(sumOf(body, "gacha_pulls_total")).toBe(11);
    expect(sumOf(body, "gacha_revenue_total")).toBe(1100);
    expect(body).toMatch(
      new RegExp(`^gacha_pulls_total\\{campaign_id="${campaign!.id}",env="test",kind="ten"\\} 10$`, "m"),
    );
    expect(body).toContain("# TYPE gacha_pulls_total counter");
    expect(body).toContain("# TYPE users_active_daily gauge");
    // The fan signed in and paid today: one active user, who converted.
    expect(sumOf(body, "users_active_daily")).toBe(1);
    expect(sumOf(body, "users_conversion_rate")).toBe(1);
    // The route wrapper recorded both pulls under the route's template, with their latency.
    expect(body).toContain(`http_requests{env="test",route="/api/gachas/[id]/pulls",status_class="2xx"} 2`);
    expect(body).toContain(`http_request_duration_count{env="test",route="/api/gachas/[id]/pulls"} 2`);
    expect(body).not.toContain(campaign!.id + "/pulls");
    // No sample carries a user's id.
    expect(body).not.toMatch(/user_id|fan@demo/);
  });

  it("answers 401 without a token and with a wrong one, 403 to a fan, 200 to an admin", async () => {
    expect((await scrape()).status).toBe(401);
    expect((await scrape(`Bearer ${METRICS_TOKEN}x`)).status).toBe(401);
    expect((await scrape(`Bearer ${METRICS_TOKEN.slice(0, -1)}`)).status).toBe(401);
    expect((await scrape(`Basic ${Buffer.from(`x:${METRICS_TOKEN}`).toString("base64")}`)).status).toBe(401);
    const unauthenticated = (await (await scrape()).json()) as { error: { code: string } };
    expect(unauthenticated.error.code).toBe("unauthenticated");

    const fan = await scrape(`Bearer ${await signIn("fan@demo.koepon.test")}`);
    expect(fan.status).toBe(403);
    expect(((await fan.json()) as { error: { code: string } }).error.code).toBe("forbidden");

    const admin = await scrape(`Bearer ${await signIn("admin@demo.koepon.test")}`);
    expect(admin.status).toBe(200);
    expect(sumOf(await admin.text(), "gacha_pulls_total")).toBe(11);
  });
});
