import Joi from "joi";
import { route } from "@/lib/api/handler";
import { signedOutResponse } from "@/lib/api/session-response";
import { accountDeps } from "@/lib/account/deps";
import { resetPassword } from "@/lib/account/password";
import { getConfig } from "@/lib/config";

export const runtime = "nodejs";

const body = Joi.object<{ token: string; newPassword: string }>({
  token: Joi.string().max(200).required(),
  newPassword: Joi.string().max(1024).required(),
});

/** Sets the new password; every session ends, this browser's cookies too (204). */
export const POST = route({ access: "public", body }, async ({ body, lang, requestId }) => {
  await resetPassword(await accountDeps(lang), body, { requestId });
  return signedOutResponse({ secure: getConfig().auth.cookieSecure });
});
