/**
 * What one paid pull of a returning fan costs the database, counted by the data layer and
 * answered in Server-Timing (the figures `npm run bench` prints per pull): three
 * transactions (reserve with the account check, the sandbox's charge record, fulfilment
 * with its receipt) and, on PostgreSQL, nine round trips. The webhook that follows runs
 * outside the request. A change that adds a transaction or a round trip fails here first.
 */
import { describe, expect, it, vi } from "vitest";

vi.hoisted(() => {
  process.env.KOEPON_SERVER_TIMING = "1";
});

import { POST } from "@/app/api/gachas/[id]/pulls/route";
import { parseServerTiming } from "../../scripts/bench/stats";
import { signIn, testDeps } from "../helpers/auth";
import * as fx from "../helpers/fixtures";
import { setUpPaymentTests } from "../helpers/payment-test-context";

const t = setUpPaymentTests({ app: true });

async function pull(token: string, key: string) {
  const request = new Request(`http://localhost/api/gachas/${t.gacha.campaign.id}/pulls`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}`, "idempotency-key": key },
    body: JSON.stringify({ count: 1, paymentMethodId: "pm_card_visa" }),
  });
  const response = await POST(request, { params: Promise.resolve({ id: t.gacha.campaign.id }) });
  await response.text();
  const db = parseServerTiming(response.headers.get("server-timing")).find((e) => e.name === "db")!.counts;
  return { status: response.status, transactions: db.transactions, roundTrips: db.round_trips };
}

describe("a returning fan's paid pull", () => {
  it("runs three transactions, and nine round trips on PostgreSQL (none on PGlite)", async () => {
    const fan = await fx.createUser(t.db);
    const token = (await signIn(await testDeps(t.db, t.keys), fan)).accessToken.token;
    // The first pull also commits the fan's fairness seed.
    expect((await pull(token, "pull-cost-first")).status).toBe(201);
    expect(await pull(token, "pull-cost-second")).toEqual({
      status: 201,
      transactions: 3,
      roundTrips: t.db.engine === "postgres" ? 9 : 0,
    });
  });
});
