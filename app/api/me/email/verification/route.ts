import { afterResponse } from "@/lib/api/after-response";
import { json, route } from "@/lib/api/handler";
import { accountDeps } from "@/lib/account/deps";
import { deliver } from "@/lib/account/mail";
import { resendVerification } from "@/lib/account/verify-email";

export const runtime = "nodejs";

/** Mails a fresh verification link (202), or says the address is already verified (200). */
export const POST = route({ access: "signed-in" }, async ({ user, lang }) => {
  const deps = await accountDeps(lang);
  const { status, mails } = await resendVerification(deps, user.id);
  await afterResponse(() => deliver(deps, mails));
  return json({ status }, status === "sent" ? 202 : 200);
});
