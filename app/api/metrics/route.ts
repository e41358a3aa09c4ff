/**
 * Prometheus scrape target: the metric catalogue's business figures, computed from the
 * database at each scrape, and this instance's request metrics, in the text exposition
 * format. `Authorization: Bearer
 * <METRICS_TOKEN>` or an admin's access token.
 */
import { route } from "@/lib/api/handler";
import { authoriseOperator } from "@/lib/api/ops-access";
import { getConfig } from "@/lib/config";
import { getDb } from "@/lib/db";
import { emitterSamples } from "@/lib/metrics/datadog";
import { PROMETHEUS_CONTENT_TYPE, renderPrometheus } from "@/lib/metrics/prometheus";
import { requestMetrics } from "@/lib/metrics/requests";
import { businessSnapshot, requestSnapshot } from "@/lib/metrics/snapshot";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = route({ access: "public" }, async ({ request, user }) => {
  const config = getConfig();
  authoriseOperator(request, user, config.ops.metricsToken);
  const business = await businessSnapshot(await getDb(), { now: new Date(), env: config.nodeEnv });
  const requests = requestSnapshot(requestMetrics(), config.nodeEnv);
  const emitter = config.ops.datadog ? emitterSamples(config.nodeEnv) : [];
  return new Response(renderPrometheus([...business, ...requests.samples, ...emitter], requests.histograms), {
    headers: { "content-type": PROMETHEUS_CONTENT_TYPE, "cache-control": "no-store" },
  });
});
