import "server-only";
/**
 * The signed-in user as pages see them. Only the Cookie header is passed on: a page load
 * authenticates with the session cookie, never with a header a script could have set.
 * A missing, expired or revoked token is simply "signed out" (null), never an error page.
 * Cached per request, so the header and the page share one lookup.
 */
import { headers } from "next/headers";
import { cache } from "react";
import { authenticateRequest, type AuthenticatedUser } from "./authenticate";

export const getCurrentUser = cache(async (): Promise<AuthenticatedUser | null> => {
  const cookie = (await headers()).get("cookie");
  if (!cookie) return null;
  return authenticateRequest(new Request("http://koepon.internal/", { headers: { cookie } }), { optional: true });
});
