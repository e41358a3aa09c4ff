import Joi from "joi";
import { readOptionalJsonBody } from "@/lib/api/body";
import { route } from "@/lib/api/handler";
import { signedOutResponse } from "@/lib/api/session-response";
import { getConfig } from "@/lib/config";
import { getDb } from "@/lib/db";
import { authCookieNames, readCookie } from "@/lib/auth/cookies";
import { logout } from "@/lib/auth/logout";

export const runtime = "nodejs";

const body = Joi.object<{ everywhere?: boolean; refreshToken?: string }>({
  everywhere: Joi.boolean(),
  refreshToken: Joi.string().max(256),
});

export const POST = route({ access: "signed-in" }, async ({ request, user }) => {
  const input = await readOptionalJsonBody(request, body);
  const { cookieSecure } = getConfig().auth;
  await logout(await getDb(), user, {
    refreshToken: input?.refreshToken ?? readCookie(request.headers, authCookieNames(cookieSecure).refresh),
    everywhere: input?.everywhere === true,
    now: new Date(),
  });
  return signedOutResponse({ secure: cookieSecure });
});
