import { route } from "@/lib/api/handler";
import { avatarSignedUrl } from "@/lib/catalog/avatar";
import { getDb } from "@/lib/db";
import { getStorage } from "@/lib/storage";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/**
 * 302 to a short-lived signed URL of the VTuber's avatar (images are private like every
 * content file). Browsers may keep the redirect a little, never past the URL's life.
 */
export const GET = route({ access: "public" }, async ({ params }) => {
  const url = await avatarSignedUrl(await getDb(), getStorage(), params.slug ?? "");
  return new Response(null, { status: 302, headers: { location: url, "cache-control": "private, max-age=120" } });
});
