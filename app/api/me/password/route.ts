import Joi from "joi";
import { afterResponse } from "@/lib/api/after-response";
import { clientKey } from "@/lib/api/client-key";
import { route } from "@/lib/api/handler";
import { accountDeps } from "@/lib/account/deps";
import { deliver } from "@/lib/account/mail";
import { changePassword } from "@/lib/account/password";

export const runtime = "nodejs";

const body = Joi.object<{ currentPassword: string; newPassword: string }>({
  currentPassword: Joi.string().max(1024).required(),
  newPassword: Joi.string().max(1024).required(),
});

/** Changes the caller's password; their other sessions end, this one stays. */
export const POST = route({ access: "signed-in", body }, async ({ request, body, user, lang, requestId }) => {
  const deps = await accountDeps(lang);
  const { revokedSessions, mails } = await changePassword(deps, user, body, {
    clientIp: clientKey(request),
    requestId,
  });
  await afterResponse(() => deliver(deps, mails));
  return { revokedSessions };
});
