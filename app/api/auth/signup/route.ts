import Joi from "joi";
import { afterResponse } from "@/lib/api/after-response";
import { json, route } from "@/lib/api/handler";
import { accountDeps } from "@/lib/account/deps";
import { deliver } from "@/lib/account/mail";
import { signup, type SignupInput } from "@/lib/auth/signup";

export const runtime = "nodejs";

// Shapes and types only; what a valid address, birthdate or password is, signup() decides.
const body = Joi.object<SignupInput>({
  email: Joi.string().max(320).required(),
  password: Joi.string().max(1024).required(),
  displayName: Joi.string().max(200).required(),
  birthdate: Joi.string()
    .pattern(/^\d{4}-\d{2}-\d{2}$/)
    .required(),
  acceptTerms: Joi.boolean().valid(true).required(),
  guardianConsent: Joi.boolean(),
});

/** 202 and the same body for a new and a taken address; the mail says which (lib/auth/signup.ts). */
export const POST = route({ access: "public", body }, async ({ body, lang, requestId }) => {
  const deps = await accountDeps(lang);
  const { answer, mails } = await signup(deps, body, { requestId });
  await afterResponse(() => deliver(deps, mails));
  return json(answer, 202);
});
