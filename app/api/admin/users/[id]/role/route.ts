import Joi from "joi";
import { changeRole } from "@/lib/admin/change-role";
import { route } from "@/lib/api/handler";
import { ROLES, type AppRole } from "@/lib/auth/caller";
import { getDb } from "@/lib/db";

export const runtime = "nodejs";

const body = Joi.object<{ role: AppRole; reason: string }>({
  role: Joi.string()
    .valid(...ROLES)
    .required(),
  reason: Joi.string().trim().min(1).max(2000).required(),
});

/** `{role, reason}`: changes the account's role and signs it out everywhere (rules: lib/admin/change-role.ts). */
export const POST = route({ access: "admin", body }, async ({ params, body, user, requestId }) => ({
  user: {
    id: params.id ?? "",
    ...(await changeRole(await getDb(), {
      actorId: user.id,
      userId: params.id ?? "",
      role: body.role,
      reason: body.reason,
      requestId,
      now: new Date(),
    })),
  },
}));
