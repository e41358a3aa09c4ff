import "server-only";
/** Trading a refresh token for a new pair: a rotated refresh token and a fresh access token. */
import { DomainError } from "../domain-error";
import { rotateRefreshToken } from "./refresh-tokens";
import { mintAccessToken, type AuthDeps, type SessionTokens } from "./session";

export async function refreshSession(deps: AuthDeps, presented: string | null): Promise<SessionTokens> {
  if (!presented) throw new DomainError("refresh_token_invalid", [{ reason: "missing" }]);
  const rotated = await rotateRefreshToken(deps.db, presented, deps.now, deps.auth);
  if (!rotated.ok) {
    if (rotated.reason === "suspended") throw new DomainError("account_suspended");
    throw new DomainError("refresh_token_invalid", [{ reason: rotated.reason }]);
  }
  // The role comes from the users row as it is now, so a promotion or demotion shows
  // in the next access token.
  const accessToken = await mintAccessToken(deps, { sub: rotated.userId, role: rotated.role, sid: rotated.familyId });
  return { accessToken, refreshToken: rotated };
}
