/**
 * `KOEPON_SERVER_TIMING=1`: every wrapped API route answers with Server-Timing, its
 * steps and the database work done for it, which `npm run bench` reads back. The
 * statement and transaction counts come from the data layer itself, so they move
 * exactly with the work a request does.
 */
import { describe, expect, it, vi } from "vitest";

vi.hoisted(() => {
  process.env.KOEPON_SERVER_TIMING = "1";
});

import { GET } from "@/app/api/me/route";
import { parseServerTiming } from "../../scripts/bench/stats";
import { signIn, testDeps } from "../helpers/auth";
import * as fx from "../helpers/fixtures";
import { setUpRouteTests } from "../helpers/route-test-context";

const t = setUpRouteTests();

async function me(token?: string) {
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  const response = await GET(new Request("http://localhost/api/me", { headers }), { params: Promise.resolve({}) });
  await response.text();
  return { status: response.status, timing: parseServerTiming(response.headers.get("server-timing")) };
}

describe("Server-Timing", () => {
  it("names the steps, the request's statements and transactions, and the process totals", async () => {
    const user = await fx.createUser(t.db);
    const token = (await signIn(await testDeps(t.db, t.keys), user)).accessToken.token;

    const first = await me(token);
    expect(first.status).toBe(200);
    const names = first.timing.map((e) => e.name);
    expect(names).toEqual(expect.arrayContaining(["auth", "pool", "db", "loop", "proc", "total"]));
    const db = first.timing.find((e) => e.name === "db")!.counts;
    expect(db.transactions).toBeGreaterThanOrEqual(1);
    expect(db.statements).toBeGreaterThanOrEqual(db.transactions!);
    // BEGIN and COMMIT travel with statements: fewer writes to PostgreSQL than statements,
    // and none to PGlite, which runs in process.
    if (t.db.engine === "postgres") {
      expect(db.round_trips).toBeGreaterThanOrEqual(1);
      expect(db.round_trips).toBeLessThan(db.statements!);
    } else expect(db.round_trips).toBe(0);

    // The process totals grow by exactly what the next request ran.
    const procBefore = first.timing.find((e) => e.name === "proc")!.counts;
    const second = await me(token);
    const procAfter = second.timing.find((e) => e.name === "proc")!.counts;
    const own = second.timing.find((e) => e.name === "db")!.counts;
    expect(procAfter.statements! - procBefore.statements!).toBe(own.statements);
    expect(procAfter.transactions! - procBefore.transactions!).toBe(own.transactions);
    expect(procAfter.round_trips! - procBefore.round_trips!).toBe(own.round_trips);
  });

  it("counts the time spent recording request metrics in the process totals, after each answer", async () => {
    const proc = async () => (await me()).timing.find((e) => e.name === "proc")!.counts.metrics_us!;
    const before = await proc();
    const afterOne = await proc();
    // The header is written before its own request is recorded: each read shows the ones before it.
    expect(afterOne).toBeGreaterThan(before);
    // Every answer's record adds its time: the total grows with each request, never by none.
    const readings = [afterOne];
    for (let i = 0; i < 20; i++) readings.push(await proc());
    for (let i = 1; i < readings.length; i++) expect(readings[i]).toBeGreaterThan(readings[i - 1]!);
  });

  it("is on error answers too, with no database work when the token is missing", async () => {
    const refused = await me();
    expect(refused.status).toBe(401);
    expect(refused.timing.find((e) => e.name === "db")!.counts).toEqual({
      statements: 0,
      transactions: 0,
      round_trips: 0,
    });
  });
});
