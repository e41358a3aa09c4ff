import Joi from "joi";
import { afterResponse } from "@/lib/api/after-response";
import { json, route } from "@/lib/api/handler";
import { accountDeps } from "@/lib/account/deps";
import { deliver } from "@/lib/account/mail";
import { requestPasswordReset } from "@/lib/account/password";

export const runtime = "nodejs";

const body = Joi.object<{ email: string }>({ email: Joi.string().max(320).required() });

/** Always 202 with the same body; a link is mailed, after the answer, only to an address with an account. */
export const POST = route({ access: "public", body }, async ({ body, lang, requestId }) => {
  const deps = await accountDeps(lang);
  const { mails } = await requestPasswordReset(deps, body.email, { requestId });
  await afterResponse(() => deliver(deps, mails));
  return json({ status: "sent_if_registered" }, 202);
});
