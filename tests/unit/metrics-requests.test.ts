import { describe, expect, it } from "vitest";
import { emptyHistogram, LATENCY_BUCKETS_MS, merge, observe, quantileMs } from "@/lib/metrics/histogram";
import { renderPrometheus } from "@/lib/metrics/prometheus";
import { recordRequest, routeTemplate, type RequestMetrics } from "@/lib/metrics/requests";
import { requestSnapshot } from "@/lib/metrics/snapshot";

describe("latency histograms", () => {
  it("merge by adding counts, so the p99 of two instances is exact to the bucket", () => {
    const a = emptyHistogram();
    const b = emptyHistogram();
    // Instance a: 98 fast answers; instance b: one of 180 ms and one of 3 s.
    for (let i = 0; i < 98; i++) observe(a, 8);
    observe(b, 180);
    observe(b, 3_000);
    const all = merge(a, b);
    expect(all.count).toBe(100);
    expect(all.sumMs).toBe(98 * 8 + 180 + 3_000);
    // The 99th of 100 answers is the 180 ms one: its bucket is (100, 250].
    expect(quantileMs(all, 0.99)).toBe(250);
    expect(quantileMs(all, 1)).toBe(5_000);
    expect(quantileMs(all, 0.5)).toBe(10);
    // Averaging per-instance p99s (10 and 5,000) would say something else entirely.
    expect(quantileMs(a, 0.99)).toBe(10);
  });

  it("put a bound itself in its bucket, anything over the last bound in the open one, and know nothing when empty", () => {
    const h = emptyHistogram();
    observe(h, 5);
    observe(h, 10_001);
    expect(h.counts[0]).toBe(1);
    expect(h.counts[LATENCY_BUCKETS_MS.length]).toBe(1);
    expect(quantileMs(h, 1)).toBe(Infinity);
    expect(quantileMs(emptyHistogram(), 0.99)).toBeNull();
  });
});

describe("request metrics", () => {
  it("name routes by template, not by the ids in the URL", () => {
    expect(
      routeTemplate("/api/gachas/3f2b8c1e-0000-4000-8000-000000000001/pulls", {
        id: "3f2b8c1e-0000-4000-8000-000000000001",
      }),
    ).toBe("/api/gachas/[id]/pulls");
    expect(routeTemplate("/api/vtubers/hoshino-mio", { slug: "hoshino-mio" })).toBe("/api/vtubers/[slug]");
    expect(routeTemplate("/api/me", {})).toBe("/api/me");
  });

  it("expose answers per route and class, error shares and histograms in the Prometheus format", () => {
    const metrics: RequestMetrics = { answers: new Map(), latency: new Map() };
    const route = "/api/gachas/[id]/pulls";
    recordRequest(metrics, { route, status: 201, durationMs: 40 });
    recordRequest(metrics, { route, status: 201, durationMs: 120 });
    recordRequest(metrics, { route, status: 429, durationMs: 2 });
    recordRequest(metrics, { route: "/api/me", status: 503, durationMs: 7 });
    const { samples, histograms } = requestSnapshot(metrics, "test");
    const text = renderPrometheus(samples, histograms);
    expect(text).toContain(`http_requests{env="test",route="/api/gachas/[id]/pulls",status_class="2xx"} 2`);
    expect(text).toContain(`http_requests{env="test",route="/api/gachas/[id]/pulls",status_class="4xx"} 1`);
    expect(text).toContain(`system_errors_rate{env="test",status_class="5xx"} 0.25`);
    expect(text).toContain(`system_errors_rate{env="test",status_class="4xx"} 0.25`);
    expect(text).toContain("# TYPE http_request_duration histogram");
    expect(text).toContain(`http_request_duration_bucket{env="test",route="/api/gachas/[id]/pulls",le="50"} 2`);
    expect(text).toContain(`http_request_duration_bucket{env="test",route="/api/gachas/[id]/pulls",le="250"} 3`);
    expect(text).toContain(`http_request_duration_bucket{env="test",route="/api/gachas/[id]/pulls",le="+Inf"} 3`);
    expect(text).toContain(`http_request_duration_sum{env="test",route="/api/gachas/[id]/pulls"} 162`);
    expect(text).toContain(`system_performance_p99_count{env="test"} 4`);
  });
});
