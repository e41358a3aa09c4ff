import Joi from "joi";
import { clientKey } from "@/lib/api/client-key";
import { route } from "@/lib/api/handler";
import { sessionResponse } from "@/lib/api/session-response";
import { getConfig } from "@/lib/config";
import { authDeps } from "@/lib/auth/deps";
import { login, type LoginInput } from "@/lib/auth/login";

export const runtime = "nodejs";

const body = Joi.object<LoginInput>({
  email: Joi.string().max(320).required(),
  password: Joi.string().max(1024).required(),
});

export const POST = route({ access: "public", body }, async ({ request, body }) => {
  const deps = await authDeps();
  const { user, ...tokens } = await login(deps, body, {
    ip: clientKey(request),
    userAgent: request.headers.get("user-agent"),
  });
  return sessionResponse(
    { user, accessToken: tokens.accessToken.token, expiresIn: tokens.accessToken.expiresIn },
    200,
    tokens,
    { secure: getConfig().auth.cookieSecure, now: deps.now },
  );
});
