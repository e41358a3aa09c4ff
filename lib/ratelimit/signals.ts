/**
 * What the gate counts about rate limiting, for the metrics and the alert rules:
 * requests refused with 429 (`ratelimit.refusals`, under the binding tier) and tier
 * checks that found the shared store slow or down (`ratelimit.store_failures`, per
 * tier). Edge-safe.
 *
 * The gate has no database, so the counts travel through the limiter store itself: per
 * minute, a hash `<prefix>:signals:<minute epoch ms>` whose fields are `<metric>|<tier>`,
 * incremented after the answer is sent (never on the response path) and kept two hours.
 * The Node side reads those hashes into `metric_signal_counts` (lib/metrics/gate-signals.ts).
 * A failure is counted while the store is unreachable, so it waits here and goes with
 * the first hand-over after the store answers again.
 *
 * In embedded mode there is no shared store: the counts stay in this process, and the
 * gate hands them to the server's jobs when they ask (lib/edge/gate.ts).
 */

export type GateSignal = "ratelimit.refusals" | "ratelimit.store_failures";

/** Where the gate itself answers its held counts, to an admin's token (embedded mode). */
export const GATE_SIGNALS_PATH = "/api/gate/signals";

/** The gate's answer there: running counts per minute, `<metric>|<tier>` → count. */
export interface GateSignalsAnswer {
  instanceId: string;
  minutes: { minute: number; counts: Record<string, number> }[];
}

const MINUTE = 60_000;
/** Minutes held while they cannot be handed over; older ones are dropped (an Edge isolate has little memory). */
const MAX_HELD_MINUTES = 120;
/** The limiter's keys in the shared store start with it, unless a test gives its own. */
export const STORE_PREFIX = "koepon:rl";
/** How long the store keeps a minute's hash: long enough for the readers' lookback. */
export const SIGNAL_TTL_SECONDS = 2 * 3600;

/** The store key of a minute's counts. */
export function signalKey(prefix: string, minute: number): string {
  return `${prefix}:signals:${minute}`;
}

/** minute (epoch ms) → `<metric>|<tier>` → count */
export type SignalCounts = Map<number, Map<string, number>>;

export class GateSignals {
  /** Names this gate's counts apart from another process's (a restart starts a new one). */
  readonly instanceId = crypto.randomUUID();
  #pending: SignalCounts = new Map();

  count(signal: GateSignal, tier: string, now: number, n = 1): void {
    const minute = Math.floor(now / MINUTE) * MINUTE;
    let cells = this.#pending.get(minute);
    if (!cells) {
      this.#pending.set(minute, (cells = new Map()));
      for (const held of this.#pending.keys())
        if (held < minute - MAX_HELD_MINUTES * MINUTE) this.#pending.delete(held);
    }
    const field = `${signal}|${tier}`;
    cells.set(field, (cells.get(field) ?? 0) + n);
  }

  get empty(): boolean {
    return this.#pending.size === 0;
  }

  /** The running counts held, left in place (embedded mode: nothing takes them). */
  snapshot(): GateSignalsAnswer {
    return {
      instanceId: this.instanceId,
      minutes: [...this.#pending].map(([minute, cells]) => ({ minute, counts: Object.fromEntries(cells) })),
    };
  }

  /** Everything held, removed from here: the caller hands it over, or gives it back. */
  take(): SignalCounts {
    const taken = this.#pending;
    this.#pending = new Map();
    return taken;
  }

  /** Puts back counts whose hand-over failed. */
  giveBack(counts: SignalCounts): void {
    for (const [minute, cells] of counts) {
      for (const [field, n] of cells) {
        const [signal, tier] = field.split("|") as [GateSignal, string];
        this.count(signal, tier, minute, n);
      }
    }
  }
}
