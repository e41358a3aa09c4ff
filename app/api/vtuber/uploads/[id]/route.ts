import { route } from "@/lib/api/handler";
import { localUploadKey } from "@/lib/storage";
import { uploadDeps } from "@/lib/vtuber/upload-deps";
import { receiveUpload } from "@/lib/vtuber/uploads";

export const runtime = "nodejs";

/**
 * The local storage's signed upload target (`?token=` from POST /api/vtuber/uploads):
 * the raw bytes of one file, once, streamed to storage (never held whole in memory).
 * Production uploads go to Supabase Storage instead.
 */
export const PUT = route({ access: "vtuber" }, async ({ request, params, user }) => {
  const deps = await uploadDeps();
  const grantKey = await localUploadKey(new URL(request.url).searchParams.get("token") ?? "", deps.now);
  const declared = request.headers.get("content-length");
  await receiveUpload(deps, user.claims, {
    uploadId: params.id ?? "",
    grantKey,
    body: request.body,
    declaredBytes: declared !== null && /^\d+$/.test(declared) ? Number(declared) : null,
  });
  return new Response(null, { status: 204, headers: { "cache-control": "no-store" } });
});
