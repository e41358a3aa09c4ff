import Joi from "joi";
import { deleteAccount } from "@/lib/account/delete-account";
import { route } from "@/lib/api/handler";
import { signedOutResponse } from "@/lib/api/session-response";
import { getConfig } from "@/lib/config";
import { getDb } from "@/lib/db";
import { getPaymentProvider } from "@/lib/payments/providers";

export const runtime = "nodejs";

const body = Joi.object<{ password: string; confirmation: string }>({
  password: Joi.string().min(1).max(1024).required(),
  confirmation: Joi.string().min(1).max(64).required(),
});

/** Deletes the caller's account (current password and the typed confirmation); signs out (204). */
export const POST = route({ access: "signed-in", body }, async ({ user, body, requestId }) => {
  const config = getConfig();
  await deleteAccount(
    { db: await getDb(), provider: await getPaymentProvider(), bcryptCost: config.bcryptCost, now: new Date() },
    { userId: user.id, password: body.password, confirmation: body.confirmation, requestId },
  );
  return signedOutResponse({ secure: config.auth.cookieSecure });
});
