/**
 * Each release step is logged when it starts and ends, timed, and kept in the report,
 * so a failed release says which step failed, why, and how long each one took.
 */
export interface StepRecord {
  step: string;
  ok: boolean;
  startedAt: string;
  ms: number;
  detail?: unknown;
  error?: string;
}

export class StepFailure extends Error {
  constructor(
    readonly step: string,
    message: string,
    readonly detail?: unknown,
  ) {
    super(`${step}: ${message}`);
    this.name = "StepFailure";
  }
}

export interface StepRunner {
  readonly records: StepRecord[];
  run<T>(step: string, fn: () => Promise<T>, describe?: (result: T) => unknown): Promise<T>;
}

export function stepRunner(options: {
  log: (line: string) => void;
  now?: () => number;
  /** Called with each finished step: the release's audit trail. */
  onStep?: (record: StepRecord) => Promise<void>;
}): StepRunner {
  const now = options.now ?? Date.now;
  const records: StepRecord[] = [];
  return {
    records,
    async run(step, fn, describe) {
      const started = now();
      options.log(`release: ${step} …`);
      let record: StepRecord;
      try {
        const result = await fn();
        record = { step, ok: true, startedAt: new Date(started).toISOString(), ms: now() - started };
        const detail = describe?.(result);
        if (detail !== undefined) record.detail = detail;
        return result;
      } catch (err) {
        record = {
          step,
          ok: false,
          startedAt: new Date(started).toISOString(),
          ms: now() - started,
          error: (err as Error).message,
        };
        if (err instanceof StepFailure && err.detail !== undefined) record.detail = err.detail;
        throw err;
      } finally {
        records.push(record!);
        options.log(`release: ${step} ${record!.ok ? "ok" : `FAILED (${record!.error})`} in ${record!.ms} ms`);
        await options.onStep?.(record!).catch((err) => options.log(`release: audit of ${step} failed: ${err}`));
      }
    },
  };
}
