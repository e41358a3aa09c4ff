import Joi from "joi";
import { json, route } from "@/lib/api/handler";
import type { ContentKind } from "@/lib/gacha/types";
import { CONTENT_KINDS } from "@/lib/vtuber/media-rules";
import { uploadDeps } from "@/lib/vtuber/upload-deps";
import { startUpload } from "@/lib/vtuber/uploads";

export const runtime = "nodejs";

const body = Joi.object<{ kind: ContentKind; title: string; sizeBytes: number }>({
  kind: Joi.string()
    .valid(...CONTENT_KINDS)
    .required(),
  title: Joi.string().trim().min(1).max(100).required(),
  sizeBytes: Joi.number().integer().min(1).max(524_288_000).required(),
});

/** Starts an upload: 201 with a one-time signed URL to PUT the bytes to, then `…/verify`. */
export const POST = route({ access: "vtuber", body }, async ({ user, body }) =>
  json({ upload: await startUpload(await uploadDeps(), user.claims, body) }, 201),
);
