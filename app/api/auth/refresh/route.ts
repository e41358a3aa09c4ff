import Joi from "joi";
import { readOptionalJsonBody } from "@/lib/api/body";
import { route } from "@/lib/api/handler";
import { sessionResponse } from "@/lib/api/session-response";
import { getConfig } from "@/lib/config";
import { authCookieNames, readCookie } from "@/lib/auth/cookies";
import { authDeps } from "@/lib/auth/deps";
import { refreshSession } from "@/lib/auth/refresh";

export const runtime = "nodejs";

/** Browsers send nothing (the cookie is the token); API clients may send it here. */
const body = Joi.object<{ refreshToken?: string }>({ refreshToken: Joi.string().max(256) });

export const POST = route({ access: "public" }, async ({ request }) => {
  const input = await readOptionalJsonBody(request, body);
  const { cookieSecure } = getConfig().auth;
  const presented = input?.refreshToken ?? readCookie(request.headers, authCookieNames(cookieSecure).refresh);
  const deps = await authDeps();
  const tokens = await refreshSession(deps, presented);
  return sessionResponse(
    { accessToken: tokens.accessToken.token, expiresIn: tokens.accessToken.expiresIn },
    200,
    tokens,
    { secure: cookieSecure, now: deps.now },
  );
});
