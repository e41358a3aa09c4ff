import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import {
  MAX_VALUES_PER_POINT,
  batches,
  datadogTags,
  distributionItems,
  gzip,
  seriesItem,
} from "@/lib/metrics/datadog-payload";
import { emptyHistogram, observe } from "@/lib/metrics/histogram";

describe("Datadog payloads", () => {
  it("spells tags as Datadog stores them: key:value, lower case, sorted, its character set", () => {
    expect(datadogTags({ route: "/api/gachas/[id]/pulls", env: "test", status_class: "5xx" })).toEqual([
      "env:test",
      "route:/api/gachas/_id_/pulls",
      "status_class:5xx",
    ]);
  });

  it("gives a counter type 1 with its interval, a gauge type 3 without, the host as a resource", () => {
    const count = seriesItem(
      "gacha.pulls.total",
      { env: "test" },
      { timestamp: 60, value: 11 },
      { intervalSeconds: 60 },
    );
    expect(count).toEqual({
      metric: "gacha.pulls.total",
      type: 1,
      interval: 60,
      points: [{ timestamp: 60, value: 11 }],
      tags: ["env:test"],
    });
    const gauge = seriesItem(
      "system.errors.rate",
      { env: "test", status_class: "5xx" },
      { timestamp: 60, value: 0.5 },
      { intervalSeconds: 60, host: "web-1" },
    );
    expect(gauge).toMatchObject({ type: 3, unit: "fraction", resources: [{ name: "web-1", type: "host" }] });
    expect(gauge).not.toHaveProperty("interval");
  });

  it("turns a histogram into one value per request at its bucket's bound, split into points", () => {
    const h = emptyHistogram();
    observe(h, 3);
    observe(h, 30_000);
    for (let i = 0; i < MAX_VALUES_PER_POINT; i++) observe(h, 80);
    const items = distributionItems("system.performance.p99", { env: "test" }, h, { timestamp: 120, host: "web-1" });
    expect(items).toHaveLength(2);
    const values = items.flatMap((i) => i.points.flatMap((p) => p[1]));
    expect(values).toHaveLength(MAX_VALUES_PER_POINT + 2);
    expect(values[0]).toBe(5);
    expect(values.at(-1)).toBe(10_000); // slower than the last bound counts as that bound
    expect(items.every((i) => i.host === "web-1" && i.type === "distribution" && i.points[0]![0] === 120)).toBe(true);
  });

  it("packs items into bodies under the byte limit, in order, none lost, and gzips them", () => {
    const items = Array.from({ length: 500 }, (_, n) =>
      seriesItem("gacha.pulls.total", { env: "test" }, { timestamp: n * 60, value: n }, { intervalSeconds: 60 }),
    );
    const out = batches(items, 10_000);
    expect(out.length).toBeGreaterThan(1);
    expect(out.every((b) => Buffer.byteLength(b.json) <= 10_000)).toBe(true);
    expect(out.flatMap((b) => (JSON.parse(b.json) as { series: unknown[] }).series)).toEqual(items);
    expect(gunzipSync(gzip(out[0]!.json)).toString()).toBe(out[0]!.json);
  });
});
