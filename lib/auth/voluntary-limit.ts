import "server-only";
/**
 * An adult's own monthly spending limit (docs/architecture.md, "Minors and spending limits"). Minors'
 * caps are the law's and are not theirs to change, so only adults may set one. It takes
 * effect at once whichever way it moves: the spending cap reads the column at every
 * reservation, under the same row lock this update takes. The change and its audit row
 * are written together; setting the value it already has writes neither.
 */
import { asService } from "../db/session";
import type { Database } from "../db/types";
import { DomainError } from "../domain-error";
import { ageBand, ageOn } from "./age";
import type { Columns } from "../db/rows";

/** The users table's check constraint: ¥10,000,000 a month is beyond any real budget. */
export const VOLUNTARY_LIMIT_MAX_JPY = 10_000_000;

export interface SetVoluntaryLimitInput {
  userId: string;
  /** Whole yen, 0–VOLUNTARY_LIMIT_MAX_JPY; null removes the limit. */
  limitJpy: number | null;
  requestId?: string;
  now: Date;
}

export async function setVoluntaryMonthlyLimit(db: Database, input: SetVoluntaryLimitInput): Promise<void> {
  await asService(db, "set-voluntary-limit", async (tx) => {
    const [user] = await tx.query<Columns<"users", "birthdate" | "voluntary_monthly_limit_jpy">>(
      "select birthdate, voluntary_monthly_limit_jpy from public.users where id = $1 for update",
      [input.userId],
    );
    if (!user) throw new DomainError("not_found");
    if (ageBand(ageOn(user.birthdate, input.now)) !== "adult") {
      throw new DomainError("forbidden", [{ field: "voluntaryMonthlyLimitJpy", reason: "adults_only" }]);
    }
    if (user.voluntary_monthly_limit_jpy === input.limitJpy) return;

    await tx.query("update public.users set voluntary_monthly_limit_jpy = $2 where id = $1", [
      input.userId,
      input.limitJpy,
    ]);
    await tx.query(
      `insert into public.audit_log (actor_id, action, target_type, target_id, details, request_id, created_at)
       values ($1, 'user.set_voluntary_limit', 'user', $2, $3, $4, $5)`,
      [
        input.userId,
        input.userId,
        JSON.stringify({ fromJpy: user.voluntary_monthly_limit_jpy, toJpy: input.limitJpy }),
        input.requestId ?? null,
        input.now,
      ],
    );
  });
}
