import "server-only";
import { asService } from "../db/session";
import type { Database } from "../db/types";
import { DomainError } from "../domain-error";
import type { Columns } from "../db/rows";

/**
 * Re-authentication for reading everything about the fan at once: the session's sign-in
 * (its refresh-token family, started by typing the password) must be at most
 * `maxAgeMinutes` old. Refreshing keeps a session alive for weeks without the password,
 * so a stolen refresh cookie could otherwise download the whole account; a GET cannot
 * carry the password in a body, and a recent sign-in is what GitHub-style "sudo mode"
 * asks for too. Refused with `reauthentication_required`: the page signs the fan out and
 * sends them to the sign-in form, which brings them back.
 */
export async function requireRecentSignIn(
  db: Database,
  session: { id: string; sessionId: string },
  now: Date,
  maxAgeMinutes: number,
): Promise<void> {
  const [family] = await asService(db, "account:recent-sign-in", (tx) =>
    tx.query<Columns<"refresh_token_families", "created_at">>(
      "select created_at from public.refresh_token_families where id = $1 and user_id = $2 and revoked_at is null",
      [session.sessionId, session.id],
    ),
  );
  const ageMs = family ? now.getTime() - family.created_at.getTime() : Infinity;
  if (ageMs > maxAgeMinutes * 60_000) {
    throw new DomainError("reauthentication_required", [{ reason: "sign_in_too_old", maxAgeMinutes }]);
  }
}
