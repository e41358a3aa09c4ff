/**
 * Shallow liveness check in the draft-inadarei-api-health-check format. Public, so it
 * touches nothing behind the process (no database, no Redis): load balancers poll it
 * often, and a dependency outage must not make every instance look dead. The deep,
 * token-protected readiness check is a separate route.
 */
import { getConfig } from "@/lib/config";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export function GET(): Response {
  const { version, commit } = getConfig();
  const body = {
    status: "pass",
    version,
    releaseId: commit,
    serviceId: "koepon",
    description: "Koepon! (こえポン！) web app",
  };
  return new Response(JSON.stringify(body), {
    status: 200,
    headers: {
      "Content-Type": "application/health+json",
      "Cache-Control": "no-store",
    },
  });
}
