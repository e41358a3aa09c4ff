/**
 * The mutation-testing scope (scripts/mutation/modules.ts) names files that exist, the
 * Stryker config's whole-scope lists match it, `--changed` picks exactly the modules a
 * change touches, and the score is counted as Stryker counts it.
 */
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it, vi } from "vitest";
import type { PartialStrykerOptions } from "@stryker-mutator/api/core";
import { MODULES } from "../../scripts/mutation/modules";
import { judgedStatus, planModules, scoreOf } from "../../scripts/mutation/scope";

const ROOT = path.join(import.meta.dirname, "../..");
// A computed path: the config is plain JavaScript, read as Stryker reads it.
const { default: strykerConfig } = (await import(path.join(ROOT, "stryker.config.mjs"))) as {
  default: PartialStrykerOptions;
};
const union = (lists: (readonly string[])[]) => [...new Set(lists.flat())].sort();

describe("mutation scope", () => {
  it("names only files that exist, each source in one module, every module with tests", () => {
    const files = MODULES.flatMap((m) => [...m.mutate, ...m.testFiles]);
    expect(files.filter((file) => !fs.existsSync(path.join(ROOT, file)))).toEqual([]);
    const sources = MODULES.flatMap((m) => m.mutate);
    expect(new Set(sources).size).toBe(sources.length);
    expect(MODULES.filter((m) => m.mutate.length === 0 || m.testFiles.length === 0)).toEqual([]);
    expect(new Set(MODULES.map((m) => m.name)).size).toBe(MODULES.length);
  });

  it("holds the token verifier and the spending cap to every mutant, the rest to 90 %", () => {
    expect(Object.fromEntries(MODULES.map((m) => [m.name, m.breakAt]))).toMatchObject({
      "token-verifier": 100,
      "spending-cap": 100,
    });
    expect(MODULES.filter((m) => m.breakAt < 90)).toEqual([]);
  });

  it("gives a plain `stryker run` the same scope as the modules together", () => {
    expect([...(strykerConfig.mutate ?? [])].sort()).toEqual(union(MODULES.map((m) => m.mutate)));
  });

  it("names the tests through Vitest's config, never Stryker's testFiles, so static mutants are active on import", async () => {
    // With `testFiles`, Stryker 9.6 activates a module-level constant's mutant only after
    // the module was imported, and reports it surviving tests that fail on it.
    expect(strykerConfig.testFiles).toBeUndefined();
    expect(strykerConfig.vitest).toMatchObject({ configFile: "vitest.mutation.config.ts", related: false });
    const load = async (files: string | undefined) => {
      if (files === undefined) delete process.env.MUTATION_TEST_FILES;
      else process.env.MUTATION_TEST_FILES = files;
      vi.resetModules();
      const { default: config } = (await import("../../vitest.mutation.config")) as {
        default: { test?: { include?: string[]; globalSetup?: unknown } };
      };
      return config.test!;
    };
    const saved = process.env.MUTATION_TEST_FILES;
    try {
      const csrf = MODULES.find((m) => m.name === "csrf")!;
      const one = await load(csrf.testFiles.join(","));
      expect(one.include).toEqual(csrf.testFiles);
      expect(one.globalSetup).toEqual(["tests/helpers/global-setup.ts"]);
      expect([...(await load(undefined)).include!].sort()).toEqual(union(MODULES.map((m) => m.testFiles)));
    } finally {
      if (saved === undefined) delete process.env.MUTATION_TEST_FILES;
      else process.env.MUTATION_TEST_FILES = saved;
    }
  });
});

describe("planModules", () => {
  it("runs every module in full by default, or the ones named", () => {
    expect(planModules({}).map((m) => [m.name, m.partial])).toEqual(MODULES.map((m) => [m.name, false]));
    expect(planModules({ names: ["csrf", "spending-cap"] }).map((m) => m.name)).toEqual(["spending-cap", "csrf"]);
  });

  it("refuses a module name it does not know", () => {
    expect(() => planModules({ names: ["csrf", "payments"] })).toThrow(
      /Unknown module payments; modules: token-verifier/,
    );
  });

  it("with changed files, runs only the modules they touch, narrowed to those files", () => {
    const planned = planModules({
      changed: [
        "lib/auth/jwk.ts",
        "lib/edge/csrf.ts",
        "lib/payments/purchase-history.ts",
        "README.md",
        "tests/unit/gacha-draw.test.ts",
      ],
    });
    expect(planned.map(({ name, mutate, partial }) => ({ name, mutate, partial }))).toEqual([
      { name: "token-verifier", mutate: ["lib/auth/jwk.ts"], partial: true },
      { name: "csrf", mutate: ["lib/edge/csrf.ts"], partial: false },
    ]);
    expect(planned[0]!.testFiles).toEqual(MODULES[0]!.testFiles);
  });

  it("plans nothing when no file in scope changed", () => {
    expect(planModules({ changed: ["README.md", "lib/payments/purchase-history.ts"] })).toEqual([]);
    expect(planModules({ changed: [] })).toEqual([]);
  });
});

describe("scoreOf", () => {
  it("counts killed and timed-out mutants over all valid ones, leaving out disabled and invalid ones", () => {
    const score = scoreOf([
      "Killed",
      "Killed",
      "Killed",
      "Timeout",
      "Survived",
      "NoCoverage",
      "Ignored",
      "CompileError",
      "RuntimeError",
    ]);
    expect(score).toEqual({
      killed: 3,
      survived: 1,
      noCoverage: 1,
      timeout: 1,
      ignored: 1,
      invalid: 2,
      detected: 4,
      total: 6,
      score: (4 / 6) * 100,
    });
  });

  it("counts a mutant under which no test could even load as killed, and any other survivor as survived", () => {
    expect(judgedStatus({ status: "Survived", testsCompleted: 0 })).toBe("Killed");
    expect(judgedStatus({ status: "Survived", testsCompleted: 1 })).toBe("Survived");
    expect(judgedStatus({ status: "NoCoverage", testsCompleted: 0 })).toBe("NoCoverage");
    expect(judgedStatus({ status: "Killed", testsCompleted: 3 })).toBe("Killed");
  });

  it("scores a module with nothing left to count at 100", () => {
    expect(scoreOf(["Ignored", "CompileError"]).score).toBe(100);
  });
});
