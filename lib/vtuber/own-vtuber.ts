import type { Queryable } from "../db/types";
import { DomainError } from "../domain-error";

/**
 * The caller's own approved VTuber id, read under RLS inside the caller's transaction.
 * The route wrapper has already checked the `vtuber` role; this ties the request to the
 * one profile the account owns, so every console query is scoped to it.
 */
export async function ownVtuberIdIn(tx: Queryable, userId: string): Promise<string> {
  const [row] = await tx.query<{ id: string }>(
    "select id from public.vtubers where user_id = $1 and status = 'approved'",
    [userId],
  );
  if (!row) throw new DomainError("forbidden", [{ reason: "no_approved_vtuber_profile" }]);
  return row.id;
}
