import Joi from "joi";
import { route } from "@/lib/api/handler";
import { sessionResponse } from "@/lib/api/session-response";
import { getConfig } from "@/lib/config";
import { authDeps } from "@/lib/auth/deps";
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

export const POST = route({ access: "public", body }, async ({ request, body }) => {
  const deps = await authDeps();
  const { user, ...tokens } = await signup(deps, body, request.headers.get("user-agent"));
  return sessionResponse(
    { user, accessToken: tokens.accessToken.token, expiresIn: tokens.accessToken.expiresIn },
    201,
    tokens,
    { secure: getConfig().auth.cookieSecure, now: deps.now },
  );
});
