import { describe, expect, it } from "vitest";
import { BUSINESS_METRICS, CATALOGUE, MetricTagError, prometheusName, tagsFor } from "@/lib/metrics/catalogue";

describe("metric catalogue", () => {
  it("holds the eight business metrics under their exact names", () => {
    expect(BUSINESS_METRICS.map((m) => m.name)).toEqual([
      "gacha.pulls.total",
      "gacha.pulls.rate",
      "gacha.revenue.total",
      "users.active.daily",
      "users.retention.7day",
      "users.conversion.rate",
      "system.errors.rate",
      "system.performance.p99",
    ]);
  });

  it("names every metric once, and no metric may carry a per-user tag", () => {
    const names = CATALOGUE.map((m) => m.name);
    expect(new Set(names).size).toBe(names.length);
    for (const m of CATALOGUE) {
      expect(m.tags as readonly string[]).not.toContain("user_id");
    }
  });

  it("refuses a user-id tag", () => {
    expect(() =>
      tagsFor("gacha.pulls.total", { kind: "ten", user_id: "6f1c2a6e-0000-4000-8000-000000000001" }),
    ).toThrow(MetricTagError);
  });

  it("refuses unbounded values of allowed keys: an untemplated route, an unknown kind, a non-uuid campaign", () => {
    expect(() => tagsFor("http.requests", { route: "/api/gachas/6f1c2a6e-0000-4000-8000-000000000001/pulls" })).toThrow(
      MetricTagError,
    );
    expect(() => tagsFor("http.requests", { route: "/api/me/pulls/12345" })).toThrow(MetricTagError);
    expect(() => tagsFor("gacha.pulls.total", { kind: "hundred" })).toThrow(MetricTagError);
    expect(() => tagsFor("gacha.revenue.total", { campaign_id: "alice@example.com" })).toThrow(MetricTagError);
    expect(() => tagsFor("system.errors.rate", { status_class: "503" })).toThrow(MetricTagError);
  });

  it("accepts bounded tags and returns them sorted by key", () => {
    expect(
      Object.keys(
        tagsFor("http.requests", { status_class: "5xx", route: "/api/gachas/[id]/pulls", env: "production" }),
      ),
    ).toEqual(["env", "route", "status_class"]);
  });

  it("spells names for Prometheus with underscores", () => {
    expect(prometheusName("gacha.pulls.total")).toBe("gacha_pulls_total");
    expect(prometheusName("users.retention.7day")).toBe("users_retention_7day");
  });
});
