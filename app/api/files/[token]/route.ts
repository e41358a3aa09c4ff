import { serveLocalFile } from "@/lib/api/files/serve-local-file";
import { route } from "@/lib/api/handler";
import { getConfig } from "@/lib/config";
import { DomainError } from "@/lib/domain-error";
import { loadSigningKey } from "@/lib/storage/signing-key";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/**
 * GET and HEAD `/api/files/{token}`: local signed file URLs (embedded and services
 * modes). Public by design: the signed token is the permission, so a browser's
 * `<audio src>` works without a session. 404 when files live in Supabase Storage,
 * which serves its own signed URLs.
 */
export const GET = route({ access: "signed-url" }, async ({ request, params }) => {
  const { storage } = getConfig();
  if (storage.kind !== "local") throw new DomainError("not_found");
  return serveLocalFile(request, params.token ?? "", {
    root: storage.dir,
    signingKey: await loadSigningKey(storage.signingKey),
    now: new Date(),
  });
});

export const HEAD = GET;
