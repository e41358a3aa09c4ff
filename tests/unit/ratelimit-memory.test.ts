import { describe, expect, it } from "vitest";
import { MemoryStore } from "@/lib/ratelimit/memory";

const MINUTE = 60_000;
const T0 = Date.UTC(2030, 0, 15, 3, 0, 0);

describe("MemoryStore", () => {
  it("admits up to the limit inside a window, then refuses until it ends", () => {
    const store = new MemoryStore();
    const results = Array.from({ length: 4 }, () => store.hit("k", 3, MINUTE, T0 + 10_000));
    expect(results.map((r) => [r.success, r.remaining])).toEqual([
      [true, 2],
      [true, 1],
      [true, 0],
      [false, 0],
    ]);
    expect(results[3]!.reset).toBe(T0 + MINUTE);
  });

  it("weighs the previous window by how much of it still overlaps, as @upstash/ratelimit does", () => {
    const store = new MemoryStore();
    for (let i = 0; i < 10; i++) store.hit("k", 10, MINUTE, T0 + 50_000);
    // At the window's end the previous one still weighs in full.
    expect(store.hit("k", 10, MINUTE, T0 + MINUTE).success).toBe(false);
    // A quarter into the next window: floor(0.75 × 10) = 7 of the old requests still count.
    const quarter = T0 + MINUTE + 15_000;
    expect(store.hit("k", 10, MINUTE, quarter)).toEqual({
      success: true,
      limit: 10,
      remaining: 2,
      reset: T0 + 2 * MINUTE,
    });
    expect(store.hit("k", 10, MINUTE, quarter).remaining).toBe(1);
    expect(store.hit("k", 10, MINUTE, quarter).remaining).toBe(0);
    expect(store.hit("k", 10, MINUTE, quarter).success).toBe(false);
    // Two windows on, nothing of the old requests is left.
    expect(store.hit("k", 10, MINUTE, T0 + 3 * MINUTE).remaining).toBe(9);
  });

  it("keeps keys apart", () => {
    const store = new MemoryStore();
    store.hit("a", 1, MINUTE, T0);
    expect(store.hit("a", 1, MINUTE, T0).success).toBe(false);
    expect(store.hit("b", 1, MINUTE, T0).success).toBe(true);
    // Starting b's counter left a's alone.
    expect(store.hit("a", 1, MINUTE, T0).success).toBe(false);
  });

  it("holds 10 000 counters by default before dropping any", () => {
    const store = new MemoryStore();
    for (let i = 0; i < 10_000; i++) store.hit(`k${i}`, 1, MINUTE, T0);
    expect(store.size).toBe(10_000);
    expect(store.hit("k0", 1, MINUTE, T0).success).toBe(false);
    store.hit("one more", 1, MINUTE, T0);
    expect(store.size).toBe(10_000);
  });

  it("holds at most maxKeys counters, dropping finished windows first", () => {
    const store = new MemoryStore({ maxKeys: 3 });
    store.hit("old", 5, MINUTE, T0);
    store.hit("a", 5, MINUTE, T0 + 3 * MINUTE);
    store.hit("b", 5, MINUTE, T0 + 3 * MINUTE);
    store.hit("c", 5, MINUTE, T0 + 3 * MINUTE);
    expect(store.size).toBe(3);
    // "old" went, not the live "a": its count is still there.
    expect(store.hit("a", 5, MINUTE, T0 + 3 * MINUTE).remaining).toBe(3);

    store.hit("d", 5, MINUTE, T0 + 3 * MINUTE);
    expect(store.size).toBe(3);
  });

  it("keeps finished counters while under its bound: only a full store looks for them", () => {
    const store = new MemoryStore({ maxKeys: 3 });
    store.hit("finished", 5, MINUTE, T0);
    store.hit("live", 5, MINUTE, T0 + 3 * MINUTE);
    expect(store.size).toBe(2);
  });

  it("counts a counter as finished from the very start of the second window after its own", () => {
    const store = new MemoryStore({ maxKeys: 3 });
    store.hit("finished", 5, MINUTE, T0);
    store.hit("ends now", 5, MINUTE, T0 + MINUTE);
    store.hit("live", 5, MINUTE, T0 + 3 * MINUTE);
    // At T0 + 3 min "ends now" (window T0+1..2 min) weighs nothing any more: both finished
    // counters go, so the new one does not push the store to its bound.
    store.hit("new", 5, MINUTE, T0 + 3 * MINUTE);
    expect(store.size).toBe(2);
  });
});
