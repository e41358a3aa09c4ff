/**
 * `npm run release`: preflight → migrate → deploy green → smoke green → switch → watch
 * → done, or roll back with the reason. Traffic only ever moves to a colour that passed
 * its smoke checks, and after a failed watch it moves back to the colour that served
 * before, which was kept running for exactly that.
 */
import { smoke as runSmoke, type SmokeCheck } from "./smoke";
import { StepFailure, stepRunner, type StepRecord } from "./steps";
import { otherColour, type Colour, type Deployment, type ReleaseTarget } from "./targets/types";
import { watch as runWatch, type WatchOptions, type WatchResult } from "./watch";

export type ReleaseOutcome = "released" | "refused" | "rolled_back" | "failed";

export interface ReleaseReport {
  releaseId: string;
  target: string;
  outcome: ReleaseOutcome;
  reason?: string;
  from: Deployment | null;
  to: Colour;
  /** From the watch's first failed check until the old colour served again. */
  rollbackMs?: number;
  steps: StepRecord[];
}

export interface ReleaseOptions {
  target: ReleaseTarget;
  releaseId: string;
  /** Throws (a StepFailure) when the release must not go out. */
  preflight?: () => Promise<unknown>;
  migrate?: () => Promise<unknown>;
  smoke?: (green: Deployment) => Promise<{ ok: boolean; checks: SmokeCheck[] }>;
  watch?: Omit<WatchOptions, "target" | "green">;
  /** Runs after the switch, while the watch runs: the drill's fault injection. */
  duringWatch?: (green: Deployment) => void;
  log?: (line: string) => void;
  audit?: (record: StepRecord & { releaseId: string }) => Promise<void>;
  now?: () => number;
}

export async function release(options: ReleaseOptions): Promise<ReleaseReport> {
  const { target, releaseId } = options;
  const log = options.log ?? ((line: string) => console.log(line));
  const now = options.now ?? Date.now;
  const steps = stepRunner({
    log,
    now,
    onStep: options.audit ? (record) => options.audit!({ ...record, releaseId }) : undefined,
  });
  const { serving } = await target.state();
  const to: Colour = serving ? otherColour(serving.colour) : "blue";
  const report = (outcome: ReleaseOutcome, extra: Partial<ReleaseReport> = {}): ReleaseReport => ({
    releaseId,
    target: target.name,
    outcome,
    from: serving,
    to,
    ...extra,
    steps: steps.records,
  });

  try {
    if (options.preflight) await steps.run("preflight", options.preflight, (r) => r);
    if (options.migrate) await steps.run("migrate", options.migrate, (r) => r);
  } catch (err) {
    return report("refused", { reason: (err as Error).message });
  }

  let green: Deployment;
  try {
    green = await steps.run(
      "deploy",
      () => target.deploy(to, releaseId),
      (d) => d,
    );
  } catch (err) {
    await target.discard(to).catch(() => {});
    return report("failed", { reason: (err as Error).message });
  }

  try {
    await steps.run(
      "smoke",
      async () => {
        const result = await (options.smoke ?? defaultSmoke(target))(green);
        if (!result.ok) {
          const failed = result.checks.filter((c) => !c.ok).map((c) => `${c.name} (${c.error})`);
          throw new StepFailure("smoke", `failed: ${failed.join(", ")}`, result.checks);
        }
        return result.checks;
      },
      (checks) => checks,
    );
  } catch (err) {
    await steps.run("discard", () => target.discard(to));
    return report("refused", { reason: (err as Error).message });
  }

  try {
    await steps.run("switch", () => target.switchTo(to));
  } catch (err) {
    if (serving) await steps.run("rollback", () => target.switchTo(serving.colour)).catch(() => {});
    return report("failed", { reason: (err as Error).message });
  }

  options.duringWatch?.(green);
  try {
    await steps.run(
      "watch",
      async () => {
        const result = await runWatch({ log, ...options.watch, target, green });
        if (!result.ok) throw Object.assign(new StepFailure("watch", result.reason!, result), { result });
        return result;
      },
      (r) => r,
    );
  } catch (err) {
    const failed = (err as { result?: WatchResult }).result;
    if (!serving) return report("failed", { reason: `${(err as Error).message}; nothing to roll back to` });
    await steps.run("rollback", () => target.switchTo(serving.colour));
    await steps.run("discard", () => target.discard(to)).catch(() => {});
    return report("rolled_back", {
      reason: (err as Error).message,
      ...(failed?.failedAt ? { rollbackMs: now() - failed.failedAt } : {}),
    });
  }
  return report("released");
}

/** Moves production back to the colour kept from the previous release. */
export async function rollback(options: {
  target: ReleaseTarget;
  log?: (line: string) => void;
}): Promise<{ from: Deployment; to: Deployment; ms: number }> {
  const { serving, standby } = await options.target.state();
  if (!serving || !standby) throw new Error("Nothing to roll back to: no previous release is kept running.");
  const started = Date.now();
  await options.target.switchTo(standby.colour);
  options.log?.(`rollback: ${serving.colour} (${serving.releaseId}) → ${standby.colour} (${standby.releaseId})`);
  return { from: serving, to: standby, ms: Date.now() - started };
}

const defaultSmoke = (target: ReleaseTarget) => (green: Deployment) =>
  runSmoke({ url: green.url, releaseId: green.releaseId, headers: target.bypassHeaders });
