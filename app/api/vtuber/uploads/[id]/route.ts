import { route } from "@/lib/api/handler";
import { readRawBody } from "@/lib/api/body";
import { RequestError } from "@/lib/api/errors";
import { DomainError } from "@/lib/domain-error";
import { localUploadKey } from "@/lib/storage";
import { uploadDeps } from "@/lib/vtuber/upload-deps";
import { receiveUpload } from "@/lib/vtuber/uploads";

export const runtime = "nodejs";

/**
 * The local storage's signed upload target (`?token=` from POST /api/vtuber/uploads):
 * the raw bytes of one file, once. Production uploads go to Supabase Storage instead.
 */
export const PUT = route({ access: "vtuber" }, async ({ request, params, user }) => {
  const deps = await uploadDeps();
  const grantKey = await localUploadKey(new URL(request.url).searchParams.get("token") ?? "", deps.now);
  await receiveUpload(deps, user.claims, {
    uploadId: params.id ?? "",
    grantKey,
    body: async (maxBytes) => {
      try {
        const bytes = Buffer.from(await readRawBody(request, maxBytes));
        const declared = request.headers.get("content-length");
        // A body cut short on its way (a proxy's limit, a dropped line) must not count as the file.
        if (declared !== null && Number(declared) !== bytes.length) {
          throw new DomainError("validation_failed", [{ field: "body", reason: "incomplete", received: bytes.length }]);
        }
        return bytes;
      } catch (err) {
        if (err instanceof RequestError && err.code === "body_too_large") {
          throw new DomainError("file_too_large", [{ reason: "max_bytes", limit: maxBytes }]);
        }
        throw err;
      }
    },
  });
  return new Response(null, { status: 204, headers: { "cache-control": "no-store" } });
});
