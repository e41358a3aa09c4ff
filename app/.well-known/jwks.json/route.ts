/**
 * The public keys that verify access tokens: the current signing key and any earlier
 * one still inside its rotation overlap. Cacheable for as long as the Edge gate caches it.
 */
import { errorResponse } from "@/lib/api/errors";
import { JWKS_CACHE_SECONDS } from "@/lib/auth/jwks-resolver";
import { getPublicJwks } from "@/lib/auth/keys";
import { log } from "@/lib/log/logger";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export async function GET(): Promise<Response> {
  try {
    return new Response(JSON.stringify(await getPublicJwks()), {
      status: 200,
      headers: {
        "content-type": "application/jwk-set+json; charset=utf-8",
        "cache-control": `public, max-age=${JWKS_CACHE_SECONDS}`,
      },
    });
  } catch (err) {
    log("error", "jwks_unavailable", { error: err });
    return errorResponse("service_unavailable");
  }
}
