import Joi from "joi";
import { route } from "@/lib/api/handler";
import { getMe } from "@/lib/auth/me";
import { setVoluntaryMonthlyLimit, VOLUNTARY_LIMIT_MAX_JPY } from "@/lib/auth/voluntary-limit";
import { getDb } from "@/lib/db";

export const runtime = "nodejs";

export const GET = route({ access: "signed-in" }, async ({ user }) => ({
  user: await getMe(await getDb(), user.claims, new Date()),
}));

const patchBody = Joi.object<{ voluntaryMonthlyLimitJpy: number | null }>({
  voluntaryMonthlyLimitJpy: Joi.number().integer().min(0).max(VOLUNTARY_LIMIT_MAX_JPY).allow(null).required(),
});

/** Sets or removes the caller's voluntary monthly limit; answers the account as GET does. */
export const PATCH = route({ access: "signed-in", body: patchBody }, async ({ user, body, requestId }) => {
  const db = await getDb();
  const now = new Date();
  await setVoluntaryMonthlyLimit(db, { userId: user.id, limitJpy: body.voluntaryMonthlyLimitJpy, requestId, now });
  return { user: await getMe(db, user.claims, now) };
});
