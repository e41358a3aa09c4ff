/**
 * The recovery drill's judgement of a restored database against the writes the app
 * acknowledged: a clean cut in time passes, a hole (a write lost although a later one
 * survived) or a write from after a snapshot does not.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AckedWrite } from "../../scripts/dr/load";
import { compareWithAcks } from "../../scripts/dr/report";
import { createTestDatabase, type TestDatabase } from "../helpers/database";
import * as fx from "../helpers/fixtures";

let t: TestDatabase;
let kept: string[];

/** A sign-up that took from `start` to `end` (seconds on a made-up clock). */
const write = (id: string, start: number, end: number): AckedWrite => ({
  kind: "signup",
  id,
  startedAt: start * 1000,
  ackedAt: end * 1000,
});

beforeAll(async () => {
  t = await createTestDatabase();
  kept = [(await fx.createUser(t.db)).id, (await fx.createUser(t.db)).id];
});

afterAll(async () => {
  await t?.close();
});

describe("compareWithAcks", () => {
  it("accepts a recovery that kept everything up to a point and nothing after it", async () => {
    const lost = randomUUID();
    const acked = [write(kept[0]!, 1, 2), write(kept[1]!, 3, 4), write(lost, 5, 6)];
    const check = await compareWithAcks(t.db, acked, { at: new Date(0), kind: "pitr" });
    expect(check).toMatchObject({ acknowledged: 3, present: 2, consistent: true, problems: [] });
    expect(check.lost.map((w) => w.id)).toEqual([lost]);
    expect(check.recoveredTo.getTime()).toBe(4000);
  });

  it("finds a hole: a write acknowledged before a surviving one started, yet missing", async () => {
    const hole = randomUUID();
    const acked = [write(hole, 1, 2), write(kept[0]!, 3, 4)];
    const check = await compareWithAcks(t.db, acked, { at: new Date(0), kind: "pitr" });
    expect(check.consistent).toBe(false);
    expect(check.problems).toEqual([`signup ${hole} committed before a write that survived, yet it is missing`]);
  });

  it("holds a snapshot to its instant: everything acknowledged before it, nothing started after it", async () => {
    const snapshot = new Date(10_000);
    const clean = await compareWithAcks(t.db, [write(kept[0]!, 1, 2), write(randomUUID(), 11, 12)], {
      at: snapshot,
      kind: "snapshot",
    });
    expect(clean.consistent).toBe(true);
    expect(clean.recoveredTo).toEqual(snapshot);

    const missing = randomUUID();
    const broken = await compareWithAcks(t.db, [write(missing, 1, 2), write(kept[1]!, 11, 12)], {
      at: snapshot,
      kind: "snapshot",
    });
    expect(broken.problems).toEqual([
      `signup ${missing} predates the snapshot, yet it is missing`,
      `signup ${kept[1]} started after the snapshot, yet it is there`,
    ]);
  });
});
