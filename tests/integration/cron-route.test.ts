/**
 * /api/cron/<job> as Vercel Cron calls it: only `Authorization: Bearer <CRON_SECRET>`
 * runs a job; a missing, wrong or differently-shaped secret is 401 before the job name
 * is looked at. vercel.json schedules every job there is, at the job's own schedule.
 */
import fs from "node:fs/promises";
import path from "node:path";
import { describe, expect, it, vi } from "vitest";

const CRON_SECRET = vi.hoisted(() => {
  const secret = "cron-route-test-secret-0123456789";
  process.env.CRON_SECRET = secret;
  return secret;
});

import { GET } from "@/app/api/cron/[job]/route";
import { JOBS } from "@/lib/ops/jobs";
import { setUpRouteTests } from "../helpers/route-test-context";
import * as fx from "../helpers/fixtures";

const t = setUpRouteTests();

function cron(job: string, authorization?: string): Promise<Response> {
  const headers: Record<string, string> = authorization ? { authorization } : {};
  return GET(new Request(`http://localhost/api/cron/${job}`, { headers }), { params: Promise.resolve({ job }) });
}

async function rollupRows(): Promise<number> {
  const [row] = await t.db.query<{ n: number }>("select count(*)::int as n from public.metric_rollups");
  return row!.n;
}

describe("/api/cron/*", () => {
  it("refuses a missing, wrong, truncated or non-bearer secret with 401 and runs nothing", async () => {
    const vtuber = await fx.createVtuber(t.db);
    const gacha = await fx.createApprovedCampaign(t.db, vtuber);
    const { purchase } = await fx.createFulfilledPull(t.db, await fx.createUser(t.db), gacha);
    // In a minute already closed: the job leaves the minute in progress for later.
    await fx.stampPurchase(t.db, purchase, new Date(Date.now() - 120_000));

    for (const authorization of [
      undefined,
      "Bearer wrong-secret-0123456789abcdef",
      `Bearer ${CRON_SECRET.slice(0, -1)}`,
      `Bearer ${CRON_SECRET}0`,
      CRON_SECRET,
      `Basic ${Buffer.from(`cron:${CRON_SECRET}`).toString("base64")}`,
    ]) {
      const response = await cron("rollups", authorization);
      expect(response.status, String(authorization)).toBe(401);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe("unauthenticated");
    }
    // An unknown job with a wrong secret says nothing about which jobs exist.
    expect((await cron("no-such-job")).status).toBe(401);
    expect(await rollupRows()).toBe(0);
  });

  it("runs the job for the right secret, and answers 404 for a job that does not exist", async () => {
    const response = await cron("rollups", `Bearer ${CRON_SECRET}`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { job: string; result: { written: number } };
    expect(body.job).toBe("rollups");
    // The fan's single pull: its pulls series and its revenue series.
    expect(body.result.written).toBe(2);
    expect(await rollupRows()).toBe(2);

    expect((await cron("no-such-job", `Bearer ${CRON_SECRET}`)).status).toBe(404);
  });

  it("vercel.json schedules every job at its own schedule", async () => {
    const vercel = JSON.parse(await fs.readFile(path.join(import.meta.dirname, "../../vercel.json"), "utf8")) as {
      crons: { path: string; schedule: string }[];
    };
    expect(vercel.crons).toEqual(
      Object.entries(JOBS).map(([name, job]) => ({ path: `/api/cron/${name}`, schedule: job.schedule })),
    );
  });
});
