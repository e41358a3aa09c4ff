import { spawnSync } from "node:child_process";
import fs from "node:fs/promises";
import net, { type AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openPglite } from "@/lib/db/pglite";
import { openPostgres } from "@/lib/db/postgres";
import { asAnon, asService, asUser } from "@/lib/db/session";
import { processTotals } from "@/lib/timing/request-timing";
import { createTestDatabase, type TestDatabase } from "../helpers/database";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(() => t.close());

describe(`data layer on ${process.env.DATABASE_URL ? "PostgreSQL" : "PGlite"}`, () => {
  it("returns the same JS types on both engines", async () => {
    const [row] = await t.db.query<Record<string, unknown>>(
      `select 9007199254740991::int8 as big, 42::int4 as int, '2026-11-28'::date as day,
              '2026-11-28T01:02:03Z'::timestamptz as at, '12.50'::numeric as exact, true as flag,
              '{"a":[1,2]}'::jsonb as doc, array['x','y']::text[] as list,
              '00000000-0000-0000-0000-000000000001'::uuid as id, null::text as nothing`,
    );
    expect(row).toEqual({
      big: 9007199254740991,
      int: 42,
      day: "2026-11-28",
      at: new Date("2026-11-28T01:02:03Z"),
      exact: "12.50",
      flag: true,
      doc: { a: [1, 2] },
      list: ["x", "y"],
      id: "00000000-0000-0000-0000-000000000001",
      nothing: null,
    });
  });

  it("binds parameters of every kind", async () => {
    const [row] = await t.db.query<{ n: number; s: string; d: Date; j: unknown; a: string[] }>(
      "select $1::int as n, $2::text as s, $3::timestamptz as d, $4::jsonb as j, $5::text[] as a",
      [7, "こえポン", new Date("2026-01-01T00:00:00Z"), JSON.stringify({ k: "v" }), ["p", "q"]],
    );
    expect(row).toEqual({ n: 7, s: "こえポン", d: new Date("2026-01-01T00:00:00Z"), j: { k: "v" }, a: ["p", "q"] });
  });

  it("rolls a transaction back when its function throws", async () => {
    await t.db.exec("create table public.scratch (id int primary key, n int not null)");
    await t.db.query("insert into public.scratch values (1, 0)");
    await expect(
      t.db.transaction(async (tx) => {
        await tx.query("update public.scratch set n = 99 where id = 1");
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    expect(await t.db.query("select n from public.scratch")).toEqual([{ n: 0 }]);
  });

  it("serialises parallel read-modify-write transactions without losing an update", async () => {
    await Promise.all(
      Array.from({ length: 25 }, () =>
        t.db.transaction(async (tx) => {
          const [row] = await tx.query<{ n: number }>("select n from public.scratch where id = 1 for update");
          await tx.query("update public.scratch set n = $1 where id = 1", [row!.n + 1]);
        }),
      ),
    );
    expect(await t.db.query("select n from public.scratch")).toEqual([{ n: 25 }]);
  });

  it("scopes role and claims to the transaction, as PostgREST does", async () => {
    const sub = "11111111-1111-4111-8111-111111111111";
    const inside = await asUser(t.db, { sub, appRole: "user" }, (tx) =>
      tx.query<{ role: string; uid: string; claims: Record<string, unknown> }>(
        "select current_user as role, auth.uid()::text as uid, auth.jwt() as claims",
      ),
    );
    expect(inside).toEqual([
      {
        role: "authenticated",
        uid: sub,
        claims: expect.objectContaining({ sub, role: "authenticated", app_role: "user" }),
      },
    ]);

    expect(await asAnon(t.db, (tx) => tx.query("select current_user as role, auth.uid() as uid"))).toEqual([
      { role: "anon", uid: null },
    ]);
    expect(await asService(t.db, "test", (tx) => tx.query("select current_user as role"))).toEqual([
      { role: "service_role" },
    ]);

    // The next statement on the (possibly same) connection is back to the owner with no claims.
    const [after] = await t.db.query<{ role: string; uid: string | null }>(
      "select current_user as role, auth.uid() as uid",
    );
    expect(after!.role).not.toBe("authenticated");
    expect(after!.uid).toBeNull();
  });

  it("keeps a failed user transaction from leaking its role", async () => {
    await expect(
      asUser(t.db, { sub: "11111111-1111-4111-8111-111111111111", appRole: "user" }, (tx) =>
        tx.query("select * from public.refresh_tokens"),
      ),
    ).rejects.toThrow(/permission denied/);
    const [after] = await t.db.query<{ role: string }>("select current_user as role");
    expect(after!.role).not.toBe("authenticated");
  });
});

describe(`a transaction's round trips on ${process.env.DATABASE_URL ? "PostgreSQL" : "PGlite"}`, () => {
  // PostgreSQL: BEGIN travels with the first statement and COMMIT with lastQuery's.
  // PGlite runs in process: no round trip at all.
  const overTheWire = (n: number) => (t.db.engine === "postgres" ? n : 0);
  const roundTrips = async (fn: () => Promise<unknown>) => {
    const before = processTotals().roundTrips;
    await fn();
    return processTotals().roundTrips - before;
  };

  beforeAll(() =>
    t.db.exec(`create table public.ledger_scratch (id int primary key, note text not null);
               grant select, insert on public.ledger_scratch to service_role`),
  );

  it("sends BEGIN, the statement and COMMIT at once when the statement is the last, and commits it", async () => {
    const trips = await roundTrips(() =>
      asService(t.db, "test", (tx) => tx.lastQuery("insert into public.ledger_scratch values (1, 'one')")),
    );
    expect(trips).toBe(overTheWire(1));
    expect(await t.db.query("select note from public.ledger_scratch where id = 1")).toEqual([{ note: "one" }]);
  });

  it("sends BEGIN, the statement and COMMIT without waiting in between: they reach the server together", async () => {
    if (t.db.engine !== "postgres") {
      // In process: nothing crosses a wire to count.
      expect(await roundTrips(() => t.db.transaction((tx) => tx.lastQuery("select 1")))).toBe(0);
      return;
    }
    const proxy = await packetCountingProxy(t.url!);
    const db = openPostgres(proxy.url, 1);
    try {
      await db.query("select 1"); // the connection is open and idle
      const before = proxy.packetsToServer();
      await asService(db, "test", (tx) => tx.lastQuery("insert into public.ledger_scratch values (7, 'seven')"));
      expect(proxy.packetsToServer() - before).toBe(1);
      const between = proxy.packetsToServer();
      await asService(db, "test", async (tx) => {
        await tx.query("select 1");
        await tx.query("select 2");
      });
      // BEGIN with the first, the second, then COMMIT: three.
      expect(proxy.packetsToServer() - between).toBe(3);
    } finally {
      await db.close();
      await proxy.close();
    }
    expect(await t.db.query("select note from public.ledger_scratch where id = 7")).toEqual([{ note: "seven" }]);
  });

  it("sends BEGIN with the first statement, and COMMIT on its own after the function", async () => {
    const trips = await roundTrips(() =>
      asService(t.db, "test", async (tx) => {
        const [row] = await tx.query<{ role: string }>("select current_user as role");
        // The settings were in force for the statement BEGIN travelled with.
        expect(row!.role).toBe("service_role");
        await tx.query("insert into public.ledger_scratch values (2, 'two')");
      }),
    );
    expect(trips).toBe(overTheWire(3));
    expect(await t.db.query("select note from public.ledger_scratch where id = 2")).toEqual([{ note: "two" }]);
  });

  it("sends nothing for a transaction that ran no statement", async () => {
    expect(await roundTrips(() => t.db.transaction(async () => "nothing"))).toBe(0);
  });

  it("commits nothing when the last statement fails, throws its error, and hands on a clean connection", async () => {
    await expect(
      asService(t.db, "test", async (tx) => {
        await tx.query("insert into public.ledger_scratch values (3, 'three')");
        await tx.lastQuery("insert into public.ledger_scratch values (1, 'duplicate')");
      }),
    ).rejects.toThrow(/duplicate key/);
    expect(await t.db.query("select id from public.ledger_scratch where id = 3")).toEqual([]);
    // Every pooled connection still works (none was left inside the failed transaction).
    const roles = await Promise.all(
      Array.from({ length: 12 }, () => asService(t.db, "test", (tx) => tx.lastQuery("select 1 as one"))),
    );
    expect(roles.flat()).toEqual(Array.from({ length: 12 }, () => ({ one: 1 })));
  });

  it("refuses a statement after lastQuery, whose commit already happened", async () => {
    await expect(
      asService(t.db, "test", async (tx) => {
        await tx.lastQuery("insert into public.ledger_scratch values (4, 'four')");
        await tx.query("insert into public.ledger_scratch values (5, 'five')");
      }),
    ).rejects.toThrow(/after lastQuery/);
    expect(await t.db.query("select id from public.ledger_scratch where id in (4, 5) order by id")).toEqual([
      { id: 4 },
    ]);
  });

  it("never runs the statement outside the transaction when the settings sent with BEGIN fail", async () => {
    await expect(
      t.db.transaction((tx) => tx.lastQuery("insert into public.ledger_scratch values (6, 'six')"), {
        "no-such-setting": "x",
      }),
    ).rejects.toThrow(/no-such-setting/);
    expect(await t.db.query("select id from public.ledger_scratch where id = 6")).toEqual([]);
  });
});

/**
 * A TCP relay in front of PostgreSQL that counts its reads of what the client sent: what
 * the client writes at once (one corked write) arrives in one read, and what waited for
 * an answer in between cannot.
 */
async function packetCountingProxy(databaseUrl: string) {
  const target = new URL(databaseUrl);
  let packets = 0;
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(target.port || 5432), target.hostname);
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    client.on("data", (chunk) => {
      packets++;
      upstream.write(chunk);
    });
    upstream.on("data", (chunk) => client.write(chunk));
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
    client.on("error", () => upstream.destroy());
    upstream.on("error", () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const relayed = new URL(databaseUrl);
  relayed.hostname = "127.0.0.1";
  relayed.port = String((server.address() as AddressInfo).port);
  return {
    url: relayed.toString(),
    packetsToServer: () => packets,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe("embedded data directory", () => {
  let dir: string;
  beforeAll(async () => {
    dir = path.join(await fs.mkdtemp(path.join(os.tmpdir(), "koepon-pglite-")), "pglite");
  });
  afterAll(() => fs.rm(path.dirname(dir), { recursive: true, force: true }));

  it("keeps data across restarts and lets only one process open it", async () => {
    const first = await openPglite(dir);
    await first.exec("create table kept (v text); insert into kept values ('still here')");

    await expect(openPglite(dir)).rejects.toThrow(/in use by process/);
    const tryFromAnotherProcess = () =>
      spawnSync(path.resolve("node_modules/.bin/tsx"), [path.resolve("tests/helpers/open-pglite.ts"), dir], {
        encoding: "utf8",
      }).stdout.trim();
    expect(tryFromAnotherProcess()).toMatch(new RegExp(`in use by process ${process.pid}`));
    await first.close();
    // Closed: the lock is released, so another process may now open it.
    expect(tryFromAnotherProcess()).toBe("opened");

    const reopened = await openPglite(dir);
    expect(await reopened.query("select v from kept")).toEqual([{ v: "still here" }]);
    await reopened.close();
  });
});
