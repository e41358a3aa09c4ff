import "server-only";
/**
 * The figures an emitter publishes now, as tagged samples of catalogue metrics. Read from
 * the database on every call, so any instance answers the same.
 */
import { jstDate } from "../auth/age";
import type { Database } from "../db";
import { campaignTotals, dailyUserFigures, gachaFigures } from "./business";
import { tagsFor, type MetricName, type Tags } from "./catalogue";

export interface Sample {
  name: MetricName;
  tags: Tags;
  value: number;
}

/** `gacha.pulls.rate` is read over the last few whole minutes: a single minute is too noisy. */
export const PULL_RATE_WINDOW_MINUTES = 5;

export async function businessSnapshot(db: Database, options: { now: Date; env: string }): Promise<Sample[]> {
  const { now, env } = options;
  const sample = (name: MetricName, tags: Record<string, string>, value: number): Sample => ({
    name,
    tags: tagsFor(name, { env, ...tags }),
    value,
  });

  const samples: Sample[] = [];
  for (const c of await campaignTotals(db, now)) {
    samples.push(
      sample("gacha.pulls.total", { campaign_id: c.campaignId, kind: "single" }, c.pullsSingle),
      sample("gacha.pulls.total", { campaign_id: c.campaignId, kind: "ten" }, c.pullsTen),
      sample("gacha.revenue.total", { campaign_id: c.campaignId }, c.revenueJpy),
      sample("gacha.refunds.total", { campaign_id: c.campaignId }, c.refundsJpy),
    );
  }

  const minute = Math.floor(now.getTime() / 60_000) * 60_000;
  const recent = await gachaFigures(db, {
    from: new Date(minute - PULL_RATE_WINDOW_MINUTES * 60_000),
    to: new Date(minute),
  });
  samples.push(sample("gacha.pulls.rate", {}, recent.pullsPerMinute));

  // The JST day so far: the figures a dashboard's "today" shows.
  const today = await dailyUserFigures(db, jstDate(now));
  samples.push(sample("users.active.daily", {}, today.active));
  if (today.conversion !== null) samples.push(sample("users.conversion.rate", {}, today.conversion));
  if (today.retention7day !== null) samples.push(sample("users.retention.7day", {}, today.retention7day));
  return samples;
}
