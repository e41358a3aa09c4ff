import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { SCHEDULER_OFFSET_MS, startScheduler } from "@/lib/ops/scheduler";

beforeEach(() => {
  vi.useFakeTimers({ now: new Date("2026-11-20T10:00:20Z") });
});
afterEach(() => {
  vi.useRealTimers();
});

describe("in-process scheduler", () => {
  it("runs once a minute, just after the minute turns, with the instant it ran at", async () => {
    const runs: string[] = [];
    const scheduler = startScheduler({ run: async (now) => void runs.push(now.toISOString()), onError: () => {} });
    await vi.advanceTimersByTimeAsync(40_000 + SCHEDULER_OFFSET_MS - 1);
    expect(runs).toEqual([]);
    await vi.advanceTimersByTimeAsync(1 + 2 * 60_000);
    expect(runs).toEqual(["2026-11-20T10:01:05.000Z", "2026-11-20T10:02:05.000Z", "2026-11-20T10:03:05.000Z"]);
    scheduler.stop();
    await vi.advanceTimersByTimeAsync(5 * 60_000);
    expect(runs).toHaveLength(3);
  });

  it("does not start a run while the last one is still going, and goes on after a failure", async () => {
    let release: () => void = () => {};
    const started: string[] = [];
    const errors: unknown[] = [];
    let calls = 0;
    const scheduler = startScheduler({
      run: (now) => {
        calls += 1;
        started.push(now.toISOString());
        if (calls === 1) return new Promise<void>((resolve) => (release = resolve));
        if (calls === 2) return Promise.reject(new Error("database unreachable"));
        return Promise.resolve();
      },
      onError: (err) => errors.push(err),
    });
    await vi.advanceTimersByTimeAsync(45_000 + 2 * 60_000); // 10:01:05, 10:02:05 (skipped), 10:03:05 (skipped)
    expect(started).toEqual(["2026-11-20T10:01:05.000Z"]);
    release();
    await vi.advanceTimersByTimeAsync(2 * 60_000); // 10:04:05 fails, 10:05:05 runs
    expect(started).toEqual(["2026-11-20T10:01:05.000Z", "2026-11-20T10:04:05.000Z", "2026-11-20T10:05:05.000Z"]);
    expect(errors).toEqual([new Error("database unreachable")]);
    scheduler.stop();
  });
});
