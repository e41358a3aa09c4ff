import "server-only";
/**
 * The in-process scheduler of embedded and services mode: runs the jobs once a minute,
 * a few seconds after the minute turns (so the minute just closed is complete). A run
 * still going when the next is due is not doubled up; a failed run is reported and the
 * next minute tries again. Other instances may run the same jobs: they are idempotent.
 */

const MINUTE = 60_000;
/** After the minute turns: lets the just-closed minute's transactions commit. */
export const SCHEDULER_OFFSET_MS = 5_000;

export interface Scheduler {
  stop(): void;
}

export function startScheduler(deps: {
  run: (now: Date) => Promise<void>;
  onError: (err: unknown) => void;
  /** @default () => new Date() */
  now?: () => Date;
}): Scheduler {
  const now = deps.now ?? (() => new Date());
  let running = false;
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const tick = async () => {
    if (running) return;
    running = true;
    try {
      await deps.run(now());
    } catch (err) {
      deps.onError(err);
    } finally {
      running = false;
    }
  };

  const schedule = () => {
    if (stopped) return;
    const wait = MINUTE - (now().getTime() % MINUTE) + SCHEDULER_OFFSET_MS;
    timer = setTimeout(() => {
      void tick();
      schedule();
    }, wait);
    // Never keeps a process alive that has nothing else to do.
    timer.unref?.();
  };
  schedule();

  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
