/**
 * Rate limits measured through the balancer, where every instance asks the one shared
 * store: a fan's 11th pull within a minute refused whichever instance takes it, and 50
 * pulls sent at once against the limit of 10 admitting exactly 10.
 */
import { TIERS } from "../../lib/ratelimit/tiers";
import { call, replyLabel, type Reply } from "./http";
import type { Check } from "./journeys";

export interface LimitFigures {
  name: string;
  sent: number;
  admitted: number;
  expected: number;
  /** Instances the requests landed on. */
  instances: string[];
  labels: Record<string, number>;
}

export interface LimitFan {
  token: string;
  address: string;
}

const PULL_LIMIT = TIERS.gacha.limit;

function pull(balancer: string, fan: LimitFan, campaignId: string, key: string): Promise<Reply> {
  return call(`${balancer}/api/gachas/${campaignId}/pulls`, {
    token: fan.token,
    address: fan.address,
    idempotencyKey: key,
    body: { count: 1, paymentMethodId: "pm_card_visa" },
    timeoutMs: 60_000,
  });
}

function figures(name: string, replies: Reply[], expected: number): LimitFigures {
  const labels: Record<string, number> = {};
  for (const r of replies) labels[replyLabel(r)] = (labels[replyLabel(r)] ?? 0) + 1;
  return {
    name,
    sent: replies.length,
    // Admitted: paid. A refusal is a 429, or a 503 when the store's answer came too late
    // (money tiers fail closed); either way nothing past the limit may be paid.
    admitted: replies.filter((r) => r.status === 201).length,
    expected,
    instances: [...new Set(replies.map((r) => r.instance ?? "?"))].sort(),
    labels,
  };
}

/**
 * Waits, when needed, until a minute has just begun. The limiter's sliding window weighs
 * the previous fixed minute by the share of it still inside the window and rounds down
 * (@upstash/ratelimit's algorithm), so a burst that straddles a minute boundary may
 * admit one more than the limit; a burst inside one minute must admit exactly the limit.
 */
export async function startOfWindow(room = 25_000): Promise<void> {
  const intoMinute = Date.now() % 60_000;
  if (intoMinute > 60_000 - room) await new Promise((r) => setTimeout(r, 60_000 - intoMinute + 200));
}

/** limit + 1 pulls one after another: the first `limit` paid, the last one refused. */
export async function sequentialPulls(balancer: string, fan: LimitFan, campaignId: string, keyPrefix: string) {
  await startOfWindow();
  const replies: Reply[] = [];
  for (let i = 0; i <= PULL_LIMIT; i++) replies.push(await pull(balancer, fan, campaignId, `${keyPrefix}-${i}`));
  const last = replies.at(-1)!;
  const f = figures(`pull ${PULL_LIMIT + 1} in a minute`, replies, PULL_LIMIT);
  const check: Check = {
    name: `a fan's pull ${PULL_LIMIT + 1} in a minute refused`,
    ok:
      replies.slice(0, PULL_LIMIT).every((r) => r.status === 201) &&
      last.status === 429 &&
      last.code === "rate_limited" &&
      f.instances.length > 1,
    detail: `${PULL_LIMIT} × 201 then ${replyLabel(last)} on ${last.instance}; landed on ${f.instances.join(", ")}`,
  };
  return { figures: f, check };
}

/** `count` pulls of one fan at the same instant: exactly `limit` admitted, each paid. */
export async function parallelPulls(
  balancer: string,
  fan: LimitFan,
  campaignId: string,
  keyPrefix: string,
  count: number,
) {
  await startOfWindow();
  const replies = await Promise.all(
    Array.from({ length: count }, (_, i) => pull(balancer, fan, campaignId, `${keyPrefix}-${i}`)),
  );
  const f = figures(`${count} at once`, replies, PULL_LIMIT);
  const check: Check = {
    name: `${count} parallel pulls admit exactly ${PULL_LIMIT}`,
    ok:
      f.admitted === PULL_LIMIT &&
      replies.filter((r) => r.status === 429 && r.code === "rate_limited").length >= 1 &&
      replies.every((r) => r.status === 201 || r.status === 429 || (r.status === 503 && r.code !== "(no-code)")),
    detail: `${Object.entries(f.labels)
      .map(([l, n]) => `${n} × ${l}`)
      .join(", ")}; landed on ${f.instances.join(", ")}`,
  };
  return { figures: f, check };
}
