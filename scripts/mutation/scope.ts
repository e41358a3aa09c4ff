/** Which modules a run covers, and how a module's score is counted. */
import type { MutantResult, MutantStatus } from "@stryker-mutator/api/core";
import { MODULES, type MutationModule } from "./modules";

/** A module as one run mutates it: all of its files, or only those that changed. */
export interface PlannedModule extends MutationModule {
  /** True when `mutate` is narrowed to changed files. */
  partial: boolean;
}

/**
 * `names` empty: every module. `changed` (repository-relative paths) given: only the
 * modules with a changed source file, each narrowed to those files.
 */
export function planModules(options: { names?: readonly string[]; changed?: readonly string[] }): PlannedModule[] {
  const names = options.names ?? [];
  const unknown = names.filter((name) => !MODULES.some((m) => m.name === name));
  if (unknown.length > 0) {
    throw new Error(`Unknown module ${unknown.join(", ")}; modules: ${MODULES.map((m) => m.name).join(", ")}`);
  }
  const chosen = names.length > 0 ? MODULES.filter((m) => names.includes(m.name)) : MODULES;
  const { changed } = options;
  if (!changed) return chosen.map((m) => ({ ...m, partial: false }));
  return chosen.flatMap((m) => {
    const mutate = m.mutate.filter((file) => changed.includes(file));
    return mutate.length === 0 ? [] : [{ ...m, mutate, partial: mutate.length < m.mutate.length }];
  });
}

/**
 * A mutant's status as the score counts it. A static mutant that makes a test file throw
 * while it is imported (a key built at the top of the file, refused by the mutated check)
 * leaves no test to run: Vitest reports the file failed, but Stryker's Vitest runner counts
 * only the tests it collected, finds none failed and reports the mutant surviving. A
 * mutant under which the tests cannot even load is detected: counted killed.
 */
export function judgedStatus(result: Pick<MutantResult, "status" | "testsCompleted">): MutantStatus {
  return result.status === "Survived" && result.testsCompleted === 0 ? "Killed" : result.status;
}

export interface ModuleScore {
  killed: number;
  survived: number;
  noCoverage: number;
  timeout: number;
  /** Disabled at their line as equivalent (`// Stryker disable …`). */
  ignored: number;
  /** Mutants the type checker or the runtime refused: not valid programs, not counted. */
  invalid: number;
  /** Killed or timed out, of all valid and not disabled. */
  detected: number;
  total: number;
  /** Percent, as Stryker counts it; 100 when there is nothing to count. */
  score: number;
}

export function scoreOf(statuses: readonly MutantStatus[]): ModuleScore {
  const count = (status: MutantStatus) => statuses.filter((s) => s === status).length;
  const killed = count("Killed");
  const timeout = count("Timeout");
  const survived = count("Survived");
  const noCoverage = count("NoCoverage");
  const detected = killed + timeout;
  const total = detected + survived + noCoverage;
  return {
    killed,
    survived,
    noCoverage,
    timeout,
    ignored: count("Ignored"),
    invalid: count("CompileError") + count("RuntimeError"),
    detected,
    total,
    score: total === 0 ? 100 : (detected / total) * 100,
  };
}
