/**
 * Deep readiness for release tooling and load balancers: database, limiter store,
 * storage and payment provider, each with its status and latency; 503 when a required
 * one fails. `Authorization: Bearer <METRICS_TOKEN>` (what probes should use: it needs
 * no database to check) or an admin's access token. Answers in the
 * draft-inadarei-api-health-check format, like the shallow `/api/health`.
 */
import { route } from "@/lib/api/handler";
import { authoriseOperator } from "@/lib/api/ops-access";
import { getConfig } from "@/lib/config";
import { getDb } from "@/lib/db";
import { checkReadiness, probesFor } from "@/lib/ops/readiness";
import { getPaymentProvider } from "@/lib/payments/providers";
import { getStorage } from "@/lib/storage";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = route({ access: "public" }, async ({ request, user }) => {
  const config = getConfig();
  authoriseOperator(request, user, config.ops.metricsToken);
  const { ready, checks } = await checkReadiness(
    probesFor(config, { db: getDb, storage: getStorage, payments: getPaymentProvider }),
  );
  const body = {
    status: ready ? "pass" : "fail",
    version: config.version,
    releaseId: config.commit,
    serviceId: "koepon",
    checks: Object.fromEntries(
      checks.map((c) => [
        `${c.name}:responseTime`,
        [
          {
            componentId: c.target,
            status: c.status,
            observedValue: c.latencyMs,
            observedUnit: "ms",
            required: c.required,
            ...(c.error ? { output: c.error } : {}),
          },
        ],
      ]),
    ),
  };
  return new Response(JSON.stringify(body), {
    status: ready ? 200 : 503,
    headers: { "content-type": "application/health+json", "cache-control": "no-store" },
  });
});
