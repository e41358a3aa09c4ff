import "server-only";
import { accessCookie, clearedAuthCookies, refreshCookie } from "../auth/cookies";
import type { SessionTokens } from "../auth/session";
import { json } from "./handler";

/** A JSON answer that also sets both session cookies. */
export function sessionResponse(
  body: object,
  status: number,
  tokens: SessionTokens,
  options: { secure: boolean; now: Date },
): Response {
  const response = json(body, status);
  const refreshSeconds = (tokens.refreshToken.expiresAt.getTime() - options.now.getTime()) / 1000;
  response.headers.append("set-cookie", accessCookie(tokens.accessToken.token, tokens.accessToken.expiresIn, options));
  response.headers.append("set-cookie", refreshCookie(tokens.refreshToken.token, refreshSeconds, options));
  return response;
}

/** An empty answer that removes both session cookies. */
export function signedOutResponse(options: { secure: boolean }): Response {
  const response = new Response(null, { status: 204, headers: { "cache-control": "no-store" } });
  for (const cookie of clearedAuthCookies(options)) response.headers.append("set-cookie", cookie);
  return response;
}
