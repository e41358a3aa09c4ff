/**
 * Vitest as mutation testing runs it (stryker.config.mjs): the project's settings, with
 * the test files narrowed to one module's (scripts/mutation/modules.ts).
 *
 * The narrowing happens here rather than through Stryker's `testFiles` option on purpose.
 * With `testFiles`, Stryker 9.6 gives every mutant a test filter and so activates even a
 * static mutant (one in a module-level constant, evaluated once on import) only after the
 * module under test was imported: the mutation never takes effect and the mutant is
 * reported surviving although a test fails on it. Without `testFiles`, a static mutant
 * runs every test of this config with the mutant active before anything is imported, and
 * the others still run only the tests that cover them (per-test coverage).
 *
 * `MUTATION_TEST_FILES` (comma-separated, set by scripts/test-mutation.ts for each module)
 * names the files; without it, the test files of every module in scope.
 */
import { defineConfig } from "vitest/config";
import { MODULES } from "./scripts/mutation/modules";
import base from "./vitest.config";

const named = process.env.MUTATION_TEST_FILES?.split(",").filter(Boolean);

export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: named && named.length > 0 ? named : [...new Set(MODULES.flatMap((m) => m.testFiles))],
  },
});
