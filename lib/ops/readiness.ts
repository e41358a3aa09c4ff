import "server-only";
/**
 * Readiness: can this instance serve a fan end to end right now? Each probe makes one
 * real round trip to a dependency (the same clients the app uses), under a time limit,
 * and reports its status and latency. The instance is ready when every required probe
 * passes. Release tooling and load balancers watch this, not `/api/health`, which stays
 * shallow so that a dependency outage never makes every instance look dead.
 */
import { Redis } from "@upstash/redis";
import type { Config } from "../config";
import type { Database } from "../db";
import type { PaymentProvider } from "../payments/providers/types";
import type { ObjectStorage } from "../storage/types";

export type ProbeName = "database" | "limiter_store" | "storage" | "payment_provider";

export interface Probe {
  name: ProbeName;
  /** A failing required probe makes the instance not ready (503). */
  required: boolean;
  /** What is probed, for the operator reading the answer (`postgres`, `upstash`, …). */
  target: string;
  /** One round trip; throws when the dependency is not usable. */
  check(): Promise<void>;
}

export interface ProbeResult {
  name: ProbeName;
  target: string;
  required: boolean;
  status: "pass" | "fail";
  latencyMs: number;
  /** Why it failed; never a secret (messages come from the clients, not from settings). */
  error?: string;
}

export interface Readiness {
  ready: boolean;
  checks: ProbeResult[];
}

/** Longer than any healthy round trip, short enough for a probe interval of a few seconds. */
export const PROBE_TIMEOUT_MS = 2_000;

export async function checkReadiness(
  probes: readonly Probe[],
  options: { timeoutMs?: number; clock?: () => number } = {},
): Promise<Readiness> {
  const timeoutMs = options.timeoutMs ?? PROBE_TIMEOUT_MS;
  const clock = options.clock ?? (() => performance.now());
  const checks = await Promise.all(
    probes.map(async (probe): Promise<ProbeResult> => {
      const started = clock();
      const base = { name: probe.name, target: probe.target, required: probe.required };
      try {
        await withTimeout(probe.check(), timeoutMs);
        return { ...base, status: "pass", latencyMs: Math.round(clock() - started) };
      } catch (err) {
        const error = err instanceof Error ? err.message : String(err);
        return { ...base, status: "fail", latencyMs: Math.round(clock() - started), error };
      }
    }),
  );
  return { ready: checks.every((c) => c.status === "pass" || !c.required), checks };
}

function withTimeout(work: Promise<void>, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/** An object key nobody writes: reading it is a full authenticated round trip that finds nothing. */
const STORAGE_PROBE_KEY = "ops/readiness-probe";

/**
 * The probes of a deployment, all required: without its database, its files or its
 * payment provider the app cannot sell, and without the limiter store it refuses every
 * pull and payment (README, "Rate limits").
 */
export function probesFor(
  config: Pick<Config, "database" | "rateLimit" | "storage" | "payments">,
  deps: { db: () => Promise<Database>; storage: () => ObjectStorage; payments: () => Promise<PaymentProvider> },
): Probe[] {
  const store = config.rateLimit.store;
  return [
    {
      name: "database",
      target: config.database.kind,
      required: true,
      check: async () => {
        await (await deps.db()).query("select 1");
      },
    },
    {
      name: "limiter_store",
      // The in-memory limiter lives in this process: nothing to reach.
      target: store.kind === "upstash" ? "upstash" : "memory",
      required: true,
      check: async () => {
        if (store.kind !== "upstash") return;
        const redis = new Redis({ url: store.url, token: store.token, retry: false, enableTelemetry: false });
        const answer = await redis.ping();
        if (answer !== "PONG") throw new Error(`unexpected PING answer ${JSON.stringify(answer)}`);
      },
    },
    {
      name: "storage",
      target: config.storage.kind,
      required: true,
      check: async () => {
        await deps.storage().get(STORAGE_PROBE_KEY);
      },
    },
    {
      name: "payment_provider",
      target: config.payments.provider,
      required: true,
      // Stripe: an authenticated list of the payments since now (normally none). The
      // sandbox keeps its books in our database, so this reads them there.
      check: async () => {
        await (await deps.payments()).listSucceededSince(new Date());
      },
    },
  ];
}
