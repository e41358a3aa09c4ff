import { describe, expect, it } from "vitest";
import { FanPool, type Fan } from "../../scripts/bench/load";
import { parseOptions, UsageError } from "../../scripts/bench/options";
import {
  cpuCeilingRps,
  metricsFigures,
  metricsVerdict,
  recordingVerdict,
  ratios,
  requestCosts,
  routeFigures,
  type MetricsPass,
} from "../../scripts/bench/report";
import {
  latencySummary,
  median,
  medianOf,
  pairedSpread,
  parseServerTiming,
  percentile,
} from "../../scripts/bench/stats";

describe("npm run bench: options", () => {
  it("defaults to the four points, three repeats, 60 s, 2,000 fans and both open-loop rates on both engines", () => {
    const options = parseOptions([], {})!;
    expect(options).toMatchObject({
      concurrency: [1, 8, 32, 50],
      repeats: 3,
      durationSeconds: 60,
      fans: 2_000,
      ratesPerMinute: [1_000, 10_000],
      engines: ["postgres", "pglite"],
      metricsPass: true,
      poolMax: null,
      json: null,
      databaseUrl: "postgres://postgres@127.0.0.1:5432/test",
      redisUrl: "redis://127.0.0.1:6379",
    });
  });

  it("reads lists, numbers and the one-point form the README gives", () => {
    const options = parseOptions(
      ["--concurrency", "50", "--repeats", "1", "--json", "out.json", "--engines", "pglite", "--no-metrics-pass"],
      { DATABASE_URL: "postgres://x@h:1/db", REDIS_URL: "redis://h:2" },
    )!;
    expect(options).toMatchObject({
      concurrency: [50],
      repeats: 1,
      json: "out.json",
      engines: ["pglite"],
      metricsPass: false,
      databaseUrl: "postgres://x@h:1/db",
      redisUrl: "redis://h:2",
    });
    expect(parseOptions(["--concurrency", "1, 8,32", "--rates", "60", "--pool-max", "7"], {})).toMatchObject({
      concurrency: [1, 8, 32],
      ratesPerMinute: [60],
      poolMax: 7,
    });
    expect(parseOptions(["--rates", ""], {})!.ratesPerMinute).toEqual([]);
  });

  it.each([
    [["--concurrency", "0"]],
    [["--concurrency", "8,x"]],
    [["--concurrency", "8,8"]],
    [["--concurrency", ""]],
    [["--repeats", "1.5"]],
    [["--duration", "-3"]],
    [["--engines", "mysql"]],
    [["--engines", "pglite,pglite"]],
    [["--pool-max", "0"]],
    [["--unknown"]],
  ])("refuses %j with the usage", (argv) => {
    expect(() => parseOptions(argv, {})).toThrow(UsageError);
  });
});

describe("npm run bench: statistics", () => {
  it("takes nearest-rank percentiles", () => {
    const sorted = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(sorted, 50)).toBe(50);
    expect(percentile(sorted, 99)).toBe(99);
    expect(percentile(sorted, 100)).toBe(100);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 50)).toBeNaN();
    expect(latencySummary([5, 1, 3, 2, 4])).toEqual({ p50Ms: 3, p95Ms: 5, p99Ms: 5, maxMs: 5, meanMs: 3 });
  });

  it("takes the median of odd and even counts, ignoring what is not a number", () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([NaN, 5])).toBe(5);
    expect(median([])).toBeNaN();
  });

  it("combines repeated passes figure by figure, so one outlier pass moves nothing", () => {
    const passes = [
      { rps: 100, p99Ms: 40, name: "a", steps: { reserve: 2 } },
      { rps: 10, p99Ms: 900, name: "b", steps: { reserve: 3 } },
      { rps: 110, p99Ms: 50, name: "c", steps: { reserve: 4 } },
    ];
    expect(medianOf(passes)).toEqual({ rps: 100, p99Ms: 50, name: "a", steps: { reserve: 3 } });
    expect(() => medianOf([])).toThrow();
  });

  it("parses Server-Timing back, counts in desc included", () => {
    const entries = parseServerTiming(
      'auth;dur=1.50, reserve;dur=3, pool;dur=0.25, db;desc="statements=14 transactions=5", total;dur=9',
    );
    expect(entries.map((e) => e.name)).toEqual(["auth", "reserve", "pool", "db", "total"]);
    expect(entries[0]).toEqual({ name: "auth", dur: 1.5, counts: {} });
    expect(entries[3]).toEqual({ name: "db", dur: null, counts: { statements: 14, transactions: 5 } });
    expect(parseServerTiming(null)).toEqual([]);
  });

  it("turns a pass into figures: rates over the measured window, costs from the successful answers", () => {
    const timing = parseServerTiming('reserve;dur=2, pool;dur=1, db;desc="statements=10 transactions=4", loop;dur=3');
    const pass = {
      latenciesMs: [10, 20, 30, 40],
      ok: 3,
      outcomes: { "201": 3, "503 server_busy": 1 },
      timings: [timing, timing, parseServerTiming('reserve;dur=5, pool;dur=4, db;desc="statements=12 transactions=4"')],
      measuredMs: 2_000,
      starvedMs: 500,
      dropped: 0,
    };
    expect(routeFigures(pass)).toMatchObject({ requests: 4, ok: 3, errors: 1, rps: 1.5, p50Ms: 20, starved: 0.25 });
    expect(requestCosts(pass)).toEqual({
      stepsMs: { reserve: 3 },
      statementsPerRequest: 32 / 3,
      transactionsPerRequest: 4,
      poolWaitMs: 2,
      eventLoopDelayP99Ms: 3,
    });
  });
});

describe("npm run bench: the CPU ceiling", () => {
  const figures = (rps: number, p99Ms: number) => ({ ...routeFigures(emptyPass), rps, p99Ms });
  const emptyPass = { latenciesMs: [], ok: 0, outcomes: {}, timings: [], measuredMs: 1, starvedMs: 0, dropped: 0 };

  it("allows the cores' time over the CPU one answer takes, every process together", () => {
    // 20 ms of CPU per pull across server, database and client: 2 cores give at most 100 a second.
    expect(cpuCeilingRps({ "next server": 10, postgres: 6, "bench client": 4 }, 2)).toBe(100);
    expect(cpuCeilingRps({ "next server": 10, postgres: 6, "bench client": 4 }, 4)).toBe(200);
  });

  it("sets the pull's ceiling beside health's measured rate, next to the measured ratios", () => {
    const r = ratios(figures(400, 200), figures(160, 300), { ...figures(80, 700), cpuMsPerPull: { a: 15, b: 5 } }, 2);
    expect(r).toEqual({
      pullToHealthRps: 0.2,
      pullToHealthP99: 3.5,
      pullToAuthRps: 0.5,
      authToHealthRps: 0.4,
      pullCpuCeilingToHealthRps: 0.25,
    });
  });
});

describe("npm run bench: what request metrics cost", () => {
  const pass = (rps: number, serverCpuMsPerPull: number, recordingMsPerPull = 0): MetricsPass => ({
    requests: rps * 10,
    ok: rps * 10,
    errors: 0,
    rps,
    p50Ms: 100,
    p95Ms: 200,
    p99Ms: 300,
    maxMs: 400,
    starved: 0,
    outcomes: {},
    serverCpuMsPerPull,
    recordingMsPerPull,
    recordingSharePercent: (recordingMsPerPull / serverCpuMsPerPull) * 100,
  });

  it("summarises paired ratios by their median change and range, and says when the pairs disagree on the sign", () => {
    const spread = pairedSpread([1.04, 0.98, 1.01]);
    expect(spread).toMatchObject({ lowPercent: expect.closeTo(-2, 9), highPercent: expect.closeTo(4, 9) });
    expect(spread.medianPercent).toBeCloseTo(1, 9);
    expect(spread.resolved).toBe(false);
    // An even count: the geometric mean of the middle two.
    expect(pairedSpread([1.02, 1.05, NaN, 1.03, 1.04, -1]).medianPercent).toBeCloseTo(
      (Math.sqrt(1.03 * 1.04) - 1) * 100,
      9,
    );
    expect(pairedSpread([1.02, 1.05]).resolved).toBe(true);
    expect(pairedSpread([0.99, 0.97]).resolved).toBe(true);
    // One pair shows no spread, so it cannot tell noise from effect.
    expect(pairedSpread([1.07]).resolved).toBe(false);
    expect(pairedSpread([]).medianPercent).toBeNaN();
  });

  it("charges the flag the paired difference and the setup's roles their own, from the same pairs", () => {
    // The second port's server does 20 % more work per pull whatever its mode; the flag costs 1 %.
    const figures = metricsFigures(
      32,
      [44000, 44001],
      [
        { offPort: 44000, off: pass(20, 10), on: pass(19.8, 12.12) },
        { offPort: 44000, off: pass(20, 10), on: pass(19.8, 12.12) },
        { offPort: 44001, off: pass(20, 12), on: pass(19.8, 10.1) },
        { offPort: 44001, off: pass(20, 12), on: pass(19.8, 10.1) },
      ],
    );
    expect(figures.throughput.medianPercent).toBeCloseTo(-1, 9);
    expect(figures.throughput.resolved).toBe(true);
    expect(figures.cpuCost.medianPercent).toBeCloseTo(1, 9);
    // The port's effect swamps the flag's in every pair, in both directions.
    expect(figures.cpuCost).toMatchObject({ lowPercent: expect.closeTo(-15.83, 2), resolved: false });
    expect(figures.portEffect.medianPercent).toBeCloseTo(20, 9);
    expect(figures.portEffect).toMatchObject({
      lowPercent: expect.closeTo(18.81, 2),
      highPercent: expect.closeTo(21.2, 9),
    });
    expect(figures.portEffect.resolved).toBe(true);
    expect(figures.on.serverCpuMsPerPull).toBeCloseTo((12.12 + 10.1) / 2, 9);
    expect(figures.off.rps).toBe(20);
    expect(figures.recording.medianPercent).toBe(0);
    expect(figures.offRecordingMs).toBe(0);
  });

  it("holds the budget to the share of the on server's CPU it timed itself recording, per pair", () => {
    const figures = metricsFigures(
      32,
      [44000, 44001],
      [
        { offPort: 44000, off: pass(20, 10), on: pass(20, 10, 0.01) },
        { offPort: 44000, off: pass(20, 10), on: pass(20, 12, 0.03) },
        { offPort: 44001, off: pass(20, 12, 0.002), on: pass(20, 8, 0.016) },
      ],
    );
    expect(figures.recording.lowPercent).toBeCloseTo(0.1, 9);
    expect(figures.recording.medianPercent).toBeCloseTo(0.2, 9);
    expect(figures.recording.highPercent).toBeCloseTo(0.25, 9);
    // An "off" server that recorded anything is shown: 0.002 ms × 200 pulls.
    expect(figures.offRecordingMs).toBeCloseTo(0.4, 9);
    expect(recordingVerdict(figures.recording)).toBe("under the 3 % budget in every pair");
    expect(recordingVerdict({ lowPercent: 1, medianPercent: 2, highPercent: 3.5 })).toBe(
      "under the 3 % budget by the median, not in every pair",
    );
    expect(recordingVerdict({ lowPercent: 2, medianPercent: 3.1, highPercent: 4 })).toBe(
      "OVER the 3 % budget by the median, not in every pair",
    );
    expect(recordingVerdict({ lowPercent: 3, medianPercent: 4, highPercent: 5 })).toBe(
      "OVER the 3 % budget in every pair",
    );
    expect(recordingVerdict({ lowPercent: NaN, medianPercent: NaN, highPercent: NaN })).toBe("no figure");
  });
});

describe("npm run bench: the request-metrics budget", () => {
  const cost = (lowPercent: number, medianPercent: number, highPercent: number) => ({
    lowPercent,
    medianPercent,
    highPercent,
    resolved: lowPercent > 0 || highPercent < 0,
  });

  it("settles the 3 % budget only when every pair falls on one side of it", () => {
    expect(metricsVerdict(cost(-1.5, 0.4, 2.9))).toBe("under the 3 % budget in every pair");
    expect(metricsVerdict(cost(3, 5, 9))).toBe("OVER the 3 % budget in every pair");
    expect(metricsVerdict(cost(-17.1, 3.8, 48.1))).toBe(
      "not settled: the pairs straddle both no cost and the 3 % budget",
    );
    expect(metricsVerdict(cost(1, 2, 4))).toBe("under the 3 % budget by the median, not in every pair");
    expect(metricsVerdict(cost(1, 3.5, 4))).toBe("OVER the 3 % budget by the median, not in every pair");
    expect(metricsVerdict(cost(NaN, NaN, NaN))).toBe("no figure");
  });
});

describe("npm run bench: fans inside their rate limits", () => {
  const fan = (id: string): Fan => ({ id, email: `${id}@x`, address: "198.18.0.1", token: "t", signedInAt: 0 });

  it("hands out fans in turn and never one whose limit the next request would reach", () => {
    const pool = new FanPool([fan("a"), fan("b")], [{ limit: 3, windowMs: 60_000 }]);
    const now = 120_000; // the start of a window: nothing carried over
    const taken = Array.from({ length: 5 }, () => pool.take(now)?.id ?? null);
    // One short of the limit each: two requests per fan, then nobody.
    expect(taken).toEqual(["a", "b", "a", "b", null]);
    // A minute later the window has moved on.
    expect(pool.take(now + 120_000)?.id).toBe("a");
  });
});
