/**
 * `payment_customers`: a fan reads their own Stripe customer and nobody else's (admins
 * included), and nobody but the service path writes one. Runs on PGlite, or on
 * PostgreSQL when DATABASE_URL is set.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { DENIED, ENGINE, SERVICE, attempt, setUpRlsTests, user, type World } from "../helpers/rls";

let w: World;
const { run } = setUpRlsTests((_db, world) => {
  w = world;
});

beforeAll(async () => {
  await run(
    SERVICE,
    "insert into public.payment_customers (user_id, provider, customer_id) values ($1, 'stripe', 'cus_fanOne'), ($2, 'stripe', 'cus_fanTwo')",
    [w.fan1.id, w.fan2.id],
  );
});

describe(`row level security on ${ENGINE}: payment_customers`, () => {
  it("shows each fan only their own customer", async () => {
    const customers = (actor: Parameters<typeof run>[0]) =>
      run(actor, "select customer_id from public.payment_customers order by customer_id");
    expect(await customers(user(w.fan1))).toEqual([{ customer_id: "cus_fanOne" }]);
    expect(await customers(user(w.fan2))).toEqual([{ customer_id: "cus_fanTwo" }]);
    expect(await customers(user(w.newcomer))).toEqual([]);
    expect(await customers(user(w.admin))).toEqual([]);
  });

  it.each([
    [
      "insert one for themselves",
      "insert into public.payment_customers (user_id, provider, customer_id) values ($1, 'stripe', 'cus_mine')",
    ],
    [
      "point theirs at another customer",
      "update public.payment_customers set customer_id = 'cus_fanTwo' where user_id = $1",
    ],
    ["delete theirs", "delete from public.payment_customers where user_id = $1"],
  ])("lets no fan %s", async (_, sql) => {
    expect(await attempt(run(user(w.fan1), sql, [w.fan1.id]))).toMatchObject(DENIED);
  });

  it("keeps one customer per user and per customer id", async () => {
    const again = await attempt(
      run(
        SERVICE,
        "insert into public.payment_customers (user_id, provider, customer_id) values ($1, 'stripe', 'cus_fanTwo')",
        [w.newcomer.id],
      ),
    );
    expect(again).toMatchObject({ code: "23505" });
  });
});
