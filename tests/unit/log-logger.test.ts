import { afterEach, describe, expect, it, vi } from "vitest";
import { log, logLine } from "@/lib/log/logger";

const AT = new Date("2026-11-20T01:02:03.456Z");

afterEach(() => {
  vi.restoreAllMocks();
});

describe("structured logger", () => {
  it("writes one JSON line with level, time, service, event, request id and the fields", () => {
    expect(JSON.parse(logLine("info", "ops.tick", { requestId: "req-1", job: "rollups" }, AT))).toEqual({
      level: "info",
      time: "2026-11-20T01:02:03.456Z",
      timestamp: AT.getTime(),
      service: "koepon",
      event: "ops.tick",
      message: "ops.tick",
      requestId: "req-1",
      job: "rollups",
    });
    expect(logLine("info", "x", {}, AT)).not.toContain("\n");
  });

  it("puts an error under Datadog's error.kind, error.message and error.stack", () => {
    const error = new TypeError("boom");
    const entry = JSON.parse(logLine("error", "api.unhandled_error", { error }, AT)) as {
      error: { kind: string; message: string; stack: string };
    };
    expect(entry.error).toEqual({ kind: "TypeError", message: "boom", stack: error.stack });
    expect(JSON.parse(logLine("warn", "x", { error: "HTTP 503" }, AT))).toMatchObject({
      error: { kind: "Error", message: "HTTP 503" },
    });
  });

  it("keeps the event when a field cannot be serialised", () => {
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    expect(JSON.parse(logLine("alert", "payment.charge_outcome_unknown", { cycle }, AT))).toMatchObject({
      level: "alert",
      event: "payment.charge_outcome_unknown",
    });
  });

  it("sends warnings, errors and alerts to stderr, the rest to stdout", () => {
    const out = vi.spyOn(console, "log").mockImplementation(() => {});
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const err = vi.spyOn(console, "error").mockImplementation(() => {});
    log("info", "a");
    log("debug", "b");
    log("warn", "c");
    log("error", "d");
    log("alert", "e");
    const events = (spy: typeof out) =>
      spy.mock.calls.map(([line]) => (JSON.parse(String(line)) as { event: string }).event);
    expect(events(out)).toEqual(["a", "b"]);
    expect(events(warn)).toEqual(["c"]);
    expect(events(err)).toEqual(["d", "e"]);
  });
});
