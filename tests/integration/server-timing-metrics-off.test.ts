/**
 * `KOEPON_REQUEST_METRICS=0` (the bench's "off" server): answers are not recorded, so the
 * time the process counts recording stays at zero while requests are served.
 */
import { describe, expect, it, vi } from "vitest";

vi.hoisted(() => {
  process.env.KOEPON_SERVER_TIMING = "1";
  process.env.KOEPON_REQUEST_METRICS = "0";
});

import { GET } from "@/app/api/me/route";
import { requestMetrics } from "@/lib/metrics/requests";
import { parseServerTiming } from "../../scripts/bench/stats";
import { setUpRouteTests } from "../helpers/route-test-context";

setUpRouteTests();

describe("request metrics off", () => {
  it("records no answer and counts no time recording", async () => {
    let last: Record<string, number> = {};
    for (let i = 0; i < 5; i++) {
      const response = await GET(new Request("http://localhost/api/me"), { params: Promise.resolve({}) });
      await response.text();
      expect(response.status).toBe(401);
      last = parseServerTiming(response.headers.get("server-timing")).find((e) => e.name === "proc")!.counts;
    }
    expect(last.metrics_us).toBe(0);
    expect(requestMetrics().answers.size).toBe(0);
  });
});
