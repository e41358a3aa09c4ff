/**
 * `isUniqueViolation` against the errors the database engine really raises (PGlite, or
 * PostgreSQL with DATABASE_URL), and against the two shapes of report it accepts.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isUniqueViolation } from "@/lib/db/unique-violation";
import { createTestDatabase, type TestDatabase } from "../helpers/database";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
  await t.db.exec(`create table public.test_unique_violation (
                     k int constraint test_unique_violation_k_key unique,
                     n int constraint test_unique_violation_n_check check (n > 0))`);
  await t.db.exec("insert into public.test_unique_violation values (1, 1)");
});
afterAll(() => t.close());

const engine = process.env.DATABASE_URL ? "PostgreSQL" : "PGlite";

async function errorOf(sql: string): Promise<unknown> {
  try {
    await t.db.exec(sql);
  } catch (err) {
    return err;
  }
  throw new Error(`expected ${sql} to fail`);
}

describe(`isUniqueViolation on ${engine}`, () => {
  it("names the constraint a duplicate key violated, and no other", async () => {
    const err = await errorOf("insert into public.test_unique_violation values (1, 2)");
    expect(isUniqueViolation(err, "test_unique_violation_k_key")).toBe(true);
    expect(isUniqueViolation(err, "test_unique_violation_k")).toBe(false);
    expect(isUniqueViolation(err, "exchanges_user_idempotency_key")).toBe(false);
  });

  it("is false for another error naming the same constraint, and for what is not an error", async () => {
    const check = await errorOf("insert into public.test_unique_violation values (2, 0)");
    expect(isUniqueViolation(check, "test_unique_violation_n_check")).toBe(false);
    for (const thrown of [null, undefined, "23505", 23505, new Error("23505")]) {
      expect(isUniqueViolation(thrown, "test_unique_violation_k_key")).toBe(false);
    }
  });

  it("accepts the constraint named in the error's field or only in its message", () => {
    const named = { code: "23505", constraint: "rewards_user_file_key", message: "duplicate key" };
    const told = {
      code: "23505",
      message: 'duplicate key value violates unique constraint "rewards_user_file_key"',
    };
    for (const err of [named, told]) expect(isUniqueViolation(err, "rewards_user_file_key")).toBe(true);
    // The message must name it whole, quoted, as the server does.
    const prefix = {
      code: "23505",
      message: 'duplicate key value violates unique constraint "rewards_user_file_key_2"',
    };
    expect(isUniqueViolation(prefix, "rewards_user_file_key")).toBe(false);
    expect(isUniqueViolation({ ...told, message: 42 }, "rewards_user_file_key")).toBe(false);
    expect(isUniqueViolation({ ...named, code: "23503" }, "rewards_user_file_key")).toBe(false);
  });
});
