import Joi from "joi";
import { route } from "@/lib/api/handler";
import { getConfig } from "@/lib/config";
import { authCookieNames, readCookie } from "@/lib/auth/cookies";
import { authDeps } from "@/lib/auth/deps";
import { readOptionalJsonBody } from "@/lib/auth/optional-body";
import { refreshSession } from "@/lib/auth/refresh";
import { sessionResponse } from "@/lib/auth/session-response";

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
