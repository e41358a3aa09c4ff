import Joi from "joi";
import { route } from "@/lib/api/handler";
import { getDb } from "@/lib/db";
import { getProfile, PROFILE_LIMITS, updateProfile, type ProfileInput } from "@/lib/vtuber/profile";

export const runtime = "nodejs";

/** The caller's public profile as they edit it. */
export const GET = route({ access: "vtuber" }, async ({ user }) => ({
  profile: await getProfile(await getDb(), user.claims),
}));

const body = Joi.object<ProfileInput>({
  name: Joi.string().trim().min(1).max(PROFILE_LIMITS.nameLength).required(),
  bio: Joi.string().trim().allow("").max(PROFILE_LIMITS.bioLength).required(),
  links: Joi.array()
    .items(
      Joi.object({
        label: Joi.string().trim().min(1).max(PROFILE_LIMITS.labelLength).required(),
        url: Joi.string()
          .uri({ scheme: ["https"] })
          .max(PROFILE_LIMITS.urlLength)
          .required(),
      }),
    )
    .max(PROFILE_LIMITS.links)
    .required(),
  avatarFileId: Joi.string().guid().allow(null).required(),
});

/** Saves the profile (any time after approval); the text is sanitised before it is stored. */
export const PUT = route({ access: "vtuber", body, maxBodyBytes: 32 * 1024 }, async ({ user, body }) => ({
  profile: await updateProfile(await getDb(), user.claims, body),
}));
