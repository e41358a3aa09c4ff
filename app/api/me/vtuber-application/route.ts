import Joi from "joi";
import { json, route } from "@/lib/api/handler";
import { SLUG_PATTERN } from "@/lib/catalog/slug";
import { getDb } from "@/lib/db";
import { getApplication, submitApplication, type ApplicationInput } from "@/lib/vtuber/application";

export const runtime = "nodejs";

/** The caller's VTuber application and its review status (null when they never applied). */
export const GET = route({ access: "signed-in" }, async ({ user }) => ({
  application: await getApplication(await getDb(), user.claims),
}));

const body = Joi.object<ApplicationInput>({
  slug: Joi.string().lowercase().pattern(SLUG_PATTERN).required(),
  name: Joi.string().trim().min(1).max(50).required(),
  bio: Joi.string().trim().allow("").max(2000).default(""),
  links: Joi.array()
    .items(
      Joi.object({
        label: Joi.string().trim().min(1).max(40).required(),
        url: Joi.string()
          .uri({ scheme: ["https"] })
          .max(300)
          .required(),
      }),
    )
    .max(5)
    .default([]),
  adultConfirmed: Joi.boolean().valid(true).required(),
});

/** Applies (or, after a rejection, applies again): 201 with the application in review. */
export const POST = route({ access: "signed-in", body }, async ({ user, body }) =>
  json({ application: await submitApplication(await getDb(), user.claims, body, new Date()) }, 201),
);
