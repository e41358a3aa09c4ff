import { json, route } from "@/lib/api/handler";
import { uploadDeps } from "@/lib/vtuber/upload-deps";
import { verifyUpload } from "@/lib/vtuber/uploads";

export const runtime = "nodejs";

/**
 * Checks the uploaded bytes (type, size, duration, quota), strips image metadata and
 * adds the file to the library: 201 with the file. A refusal deletes what was uploaded.
 */
export const POST = route({ access: "vtuber" }, async ({ params, user }) =>
  json({ file: await verifyUpload(await uploadDeps(), user.claims, params.id ?? "") }, 201),
);
