import "server-only";
/**
 * Signing out: ends the session of the refresh token presented (the browser's cookie or
 * an API client's body), or, without one, the session the access token belongs to; with
 * `everywhere`, every session of the user. A refresh token of someone else's session is
 * ignored: holding a token must not be a way to end another person's sign-in.
 */
import { asService } from "../db/session";
import type { Database } from "../db/types";
import { findFamily, revokeAllForUser, revokeFamily } from "./refresh-tokens";

export async function logout(
  db: Database,
  user: { id: string; sessionId: string },
  options: { refreshToken: string | null; everywhere: boolean; now: Date },
): Promise<void> {
  await asService(db, "logout", async (tx) => {
    if (options.everywhere) {
      await revokeAllForUser(tx, user.id, "logout_all", options.now);
      return;
    }
    const family = options.refreshToken ? await findFamily(tx, options.refreshToken) : null;
    const familyId = family?.userId === user.id ? family.familyId : user.sessionId;
    await revokeFamily(tx, familyId, "logout", options.now);
  });
}
