import Joi from "joi";
import { route } from "@/lib/api/handler";
import { sessionResponse } from "@/lib/api/session-response";
import { getConfig } from "@/lib/config";
import { authDeps } from "@/lib/auth/deps";
import { login, type LoginInput } from "@/lib/auth/login";
import { clientIp, ipKey } from "@/lib/ratelimit/client-ip";

export const runtime = "nodejs";

const body = Joi.object<LoginInput>({
  email: Joi.string().max(320).required(),
  password: Joi.string().max(1024).required(),
});

export const POST = route({ access: "public", body }, async ({ request, body }) => {
  const deps = await authDeps();
  const { user, ...tokens } = await login(deps, body, {
    // The rate limiter's notion of the client address (first untrusted hop, IPv6 per /64).
    ip: ipKey(clientIp(request.headers, getConfig().rateLimit.clientAddress)),
    userAgent: request.headers.get("user-agent"),
  });
  return sessionResponse(
    { user, accessToken: tokens.accessToken.token, expiresIn: tokens.accessToken.expiresIn },
    200,
    tokens,
    { secure: getConfig().auth.cookieSecure, now: deps.now },
  );
});
