import "server-only";
import { ApiError, errorResponse, requestLang } from "../api/errors";
import { getConfig } from "../config";
import { serveLocalFile } from "./serve-local-file";
import { loadSigningKey } from "./signing-key";

/**
 * GET and HEAD `/api/files/{token}`. Public by design: the signed token is the
 * permission, so a browser's `<audio src>` works without a session. Answers 404 when
 * files live in Supabase Storage, which serves its own signed URLs.
 */
export async function handleFileRequest(request: Request, token: string, now: Date = new Date()): Promise<Response> {
  const lang = requestLang(request.headers);
  try {
    const storage = getConfig().storage;
    if (storage.kind !== "local") throw new ApiError("not_found");
    return await serveLocalFile(request, token, {
      root: storage.dir,
      signingKey: await loadSigningKey(storage.signingKey),
      now,
    });
  } catch (err) {
    if (err instanceof ApiError) return errorResponse(err.code, { lang });
    const requestId = request.headers.get("x-request-id") ?? crypto.randomUUID();
    console.error(JSON.stringify({ level: "error", requestId, error: err instanceof Error ? err.stack : String(err) }));
    return errorResponse("internal_error", { lang, headers: { "x-request-id": requestId } });
  }
}
