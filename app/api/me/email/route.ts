import Joi from "joi";
import { afterResponse } from "@/lib/api/after-response";
import { clientKey } from "@/lib/api/client-key";
import { json, route } from "@/lib/api/handler";
import { accountDeps } from "@/lib/account/deps";
import { requestEmailChange } from "@/lib/account/email-change";
import { deliver } from "@/lib/account/mail";

export const runtime = "nodejs";

const body = Joi.object<{ newEmail: string; currentPassword: string }>({
  newEmail: Joi.string().max(320).required(),
  currentPassword: Joi.string().max(1024).required(),
});

/** Mails a confirmation link to the new address and a notice to the current one (202); nothing changes yet. */
export const POST = route({ access: "signed-in", body }, async ({ request, body, user, lang, requestId }) => {
  const deps = await accountDeps(lang);
  const { mails } = await requestEmailChange(deps, user, body, { clientIp: clientKey(request), requestId });
  await afterResponse(() => deliver(deps, mails));
  return json({ status: "confirmation_sent" }, 202);
});
