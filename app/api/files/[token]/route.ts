import { handleFileRequest } from "@/lib/storage/files-route";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

type Context = { params: Promise<{ token: string }> };

/** Local signed file URLs (embedded and services modes); see lib/storage/files-route.ts. */
export async function GET(request: Request, context: Context): Promise<Response> {
  return handleFileRequest(request, (await context.params).token);
}

export const HEAD = GET;
