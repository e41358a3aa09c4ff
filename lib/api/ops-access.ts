import "server-only";
import type { AuthenticatedUser } from "../auth/authenticate";
import { bearerTokenOf } from "../auth/caller";
import { DomainError } from "../domain-error";
import { matchesSecret } from "../ops/secret";

/**
 * Operators' endpoints (`/api/metrics`, `/api/health/ready`): a scraper or probe sends the
 * shared token, a person signs in as an admin. Without either: 401; signed in as someone
 * else: 403. `user` is what the route wrapper found (`access: "public"`), so a bearer
 * that is the shared token, not an access token, arrives here as no user.
 */
export function authoriseOperator(request: Request, user: AuthenticatedUser | null, token: string | null): void {
  const bearer = bearerTokenOf(request.headers);
  if (bearer !== null && "token" in bearer && matchesSecret(bearer.token, token)) return;
  if (user === null) throw new DomainError("unauthenticated");
  if (user.role !== "admin") throw new DomainError("forbidden");
}

/** Scheduled jobs (`/api/cron/*`): only `Authorization: Bearer <CRON_SECRET>`, as Vercel Cron sends it. */
export function authoriseCron(request: Request, secret: string | null): void {
  const bearer = bearerTokenOf(request.headers);
  const presented = bearer !== null && "token" in bearer ? bearer.token : null;
  if (!matchesSecret(presented, secret)) throw new DomainError("unauthenticated");
}
