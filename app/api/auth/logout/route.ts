import Joi from "joi";
import { route } from "@/lib/api/handler";
import { getConfig } from "@/lib/config";
import { getDb } from "@/lib/db";
import { authCookieNames, readCookie } from "@/lib/auth/cookies";
import { logout } from "@/lib/auth/logout";
import { readOptionalJsonBody } from "@/lib/auth/optional-body";
import { signedOutResponse } from "@/lib/auth/session-response";

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
