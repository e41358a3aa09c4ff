/**
 * The spending cap's ledger (lib/payments/monthly-spend.ts) on its own: what a
 * reservation and a release leave in `monthly_spend`, to the yen, on either
 * side of the cap, and what a refusal says. The purchase flows that call it are tested in
 * payments-caps.test.ts (the commit of a paid purchase's yen is the fulfilment's, tested in
 * payments-saga.test.ts); here each step is checked where no other step can hide it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { asService } from "@/lib/db/session";
import { DomainError } from "@/lib/domain-error";
import { releaseSpend, reserveSpend } from "@/lib/payments/monthly-spend";
import { createTestDatabase, type TestDatabase } from "../helpers/database";
import { createUser } from "../helpers/fixtures";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(() => t.close());

const MONTH = "2026-12-01";
const OTHER_MONTH = "2027-01-01";

const reserve = (userId: string, amountJpy: number, capJpy: number | null, month = MONTH) =>
  asService(t.db, "test", (tx) => reserveSpend(tx, { userId, month, amountJpy, capJpy }));
/** What a fulfilment does to the row (fulfil.ts moves the yen in its own statement). */
const commit = (userId: string, amountJpy: number, month = MONTH) =>
  asService(t.db, "test", (tx) =>
    tx.query(
      "update public.monthly_spend set pending_jpy = pending_jpy - $3, committed_jpy = committed_jpy + $3 where user_id = $1 and month = $2",
      [userId, month, amountJpy],
    ),
  );
const release = (userId: string, amountJpy: number, month = MONTH) =>
  asService(t.db, "test", (tx) => releaseSpend(tx, { userId, month, amountJpy }));

/** Every monthly_spend row of the fan, month by month. */
async function ledger(userId: string) {
  const rows = await asService(t.db, "test", (tx) =>
    tx.query<{ month: string; committed_jpy: number; pending_jpy: number }>(
      "select to_char(month, 'YYYY-MM-DD') as month, committed_jpy, pending_jpy from public.monthly_spend where user_id = $1 order by month",
      [userId],
    ),
  );
  return rows.map((r) => ({ month: r.month, committed: r.committed_jpy, pending: r.pending_jpy }));
}

async function refusal(promise: Promise<unknown>): Promise<{ code: string; details: unknown } | "allowed"> {
  try {
    await promise;
    return "allowed";
  } catch (err) {
    if (!(err instanceof DomainError)) throw err;
    return { code: err.code, details: err.details };
  }
}

describe("reserveSpend", () => {
  it("holds the amount as pending, up to the cap exactly and not a yen past it", async () => {
    const fan = await createUser(t.db);
    expect(await refusal(reserve(fan.id, 3000, 5000))).toBe("allowed");
    expect(await refusal(reserve(fan.id, 2000, 5000))).toBe("allowed");
    expect(await ledger(fan.id)).toEqual([{ month: MONTH, committed: 0, pending: 5000 }]);

    expect(await refusal(reserve(fan.id, 1, 5000))).toEqual({
      code: "spending_cap_exceeded",
      details: [{ reason: "monthly_cap", capJpy: 5000, remainingJpy: 0, month: MONTH }],
    });
    expect(await ledger(fan.id)).toEqual([{ month: MONTH, committed: 0, pending: 5000 }]);
  });

  it("counts committed and pending yen alike, and says how much is left", async () => {
    const fan = await createUser(t.db);
    await reserve(fan.id, 1200, 10000);
    await commit(fan.id, 1200);
    await reserve(fan.id, 3000, 10000);
    // 10,000 − 1,200 committed − 3,000 pending = 5,800 left: 5,801 is one yen too many.
    expect(await refusal(reserve(fan.id, 5801, 10000))).toEqual({
      code: "spending_cap_exceeded",
      details: [{ reason: "monthly_cap", capJpy: 10000, remainingJpy: 5800, month: MONTH }],
    });
    expect(await refusal(reserve(fan.id, 5800, 10000))).toBe("allowed");
    expect(await ledger(fan.id)).toEqual([{ month: MONTH, committed: 1200, pending: 8800 }]);
  });

  it("has no ceiling without a cap, and keeps each fan's months apart", async () => {
    const fan = await createUser(t.db);
    const other = await createUser(t.db);
    expect(await refusal(reserve(fan.id, 1_000_000, null))).toBe("allowed");
    expect(await refusal(reserve(fan.id, 300, 500, OTHER_MONTH))).toBe("allowed");
    expect(await refusal(reserve(other.id, 500, 500))).toBe("allowed");
    expect(await ledger(fan.id)).toEqual([
      { month: MONTH, committed: 0, pending: 1_000_000 },
      { month: OTHER_MONTH, committed: 0, pending: 300 },
    ]);
    expect(await ledger(other.id)).toEqual([{ month: MONTH, committed: 0, pending: 500 }]);
  });

  it("refuses everything under a cap of zero (a voluntary limit of ¥0)", async () => {
    const fan = await createUser(t.db);
    expect(await refusal(reserve(fan.id, 1, 0))).toEqual({
      code: "spending_cap_exceeded",
      details: [{ reason: "monthly_cap", capJpy: 0, remainingJpy: 0, month: MONTH }],
    });
    // The refusal rolls back the whole reservation, the row it opened included.
    expect(await ledger(fan.id)).toEqual([]);
  });
});

describe("releaseSpend", () => {
  it("moves exactly the amount back to the allowance, beside yen committed", async () => {
    const fan = await createUser(t.db);
    await reserve(fan.id, 3000, 5000);
    await reserve(fan.id, 1500, 5000);
    await commit(fan.id, 3000);
    expect(await ledger(fan.id)).toEqual([{ month: MONTH, committed: 3000, pending: 1500 }]);
    await release(fan.id, 1500);
    expect(await ledger(fan.id)).toEqual([{ month: MONTH, committed: 3000, pending: 0 }]);
    // The released yen are allowance again; the committed ones are not.
    expect(await refusal(reserve(fan.id, 2000, 5000))).toBe("allowed");
    expect(await refusal(reserve(fan.id, 1, 5000))).toMatchObject({ code: "spending_cap_exceeded" });
  });

  it("refuses to move yen that were never reserved, naming the fan and month", async () => {
    const fan = await createUser(t.db);
    const missing = new RegExp(`monthly_spend: no row for user ${fan.id} in ${MONTH}`);
    await expect(release(fan.id, 100)).rejects.toThrow(missing);
    await reserve(fan.id, 100, 5000);
    // More than is pending: the CHECK refuses, and nothing moves.
    await expect(release(fan.id, 101)).rejects.toThrow(/monthly_spend_pending_nonnegative/);
    expect(await ledger(fan.id)).toEqual([{ month: MONTH, committed: 0, pending: 100 }]);
  });
});
