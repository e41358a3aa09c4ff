/**
 * What the route wrapper's request-metrics record costs, timed in this process: the same
 * calls `lib/api/handler.ts` makes after each answer (route template from the URL, the
 * answer and latency record, the signal counts), over many records. Set beside the Next
 * server's CPU per pull measured in the same run, it gives the share of a pull's work
 * that recording is, a figure the throughput of two noisy passes cannot resolve.
 */
import { recordRequest, requestMetrics, routeTemplate } from "@/lib/metrics/requests";
import { countAnswer } from "@/lib/metrics/signals";

export function recordMicroseconds(records = 200_000): number {
  const ids = Array.from({ length: 64 }, (_, i) => `3f2c${String(i).padStart(4, "0")}-0000-4000-8000-000000000000`);
  const statuses = [201, 200, 409, 429, 503];
  const run = (n: number) => {
    for (let i = 0; i < n; i++) {
      const id = ids[i % ids.length]!;
      const request = new Request(`http://127.0.0.1:3000/api/gachas/${id}/pulls`, { method: "POST" });
      const started = performance.now();
      const status = statuses[i % statuses.length]!;
      const durationMs = (i % 997) * 1.3;
      recordRequest(requestMetrics(), {
        route: routeTemplate(new URL(request.url).pathname, { id }),
        status,
        durationMs: durationMs + (performance.now() - started),
      });
      countAnswer(status, durationMs);
    }
  };
  run(Math.min(20_000, records)); // warm the JIT first
  const started = process.cpuUsage();
  run(records);
  const used = process.cpuUsage(started);
  return (used.user + used.system) / records;
}
