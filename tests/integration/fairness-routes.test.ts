/**
 * The fairness routes as Next calls them: the caller's commitment, the client seed
 * (validated), the rotation and its refusal mid-payment, and the odds API publishing
 * the exact table text its hash is taken over.
 */
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { GET as gachaGet } from "@/app/api/gachas/[id]/route";
import { GET, PUT } from "@/app/api/me/fairness/route";
import { POST as rotate } from "@/app/api/me/fairness/rotate/route";
import { reserve } from "@/lib/payments/reserve";
import { errorCode, signIn, testDeps } from "../helpers/auth";
import * as fx from "../helpers/fixtures";
import { pullRequest } from "../helpers/payment-fixtures";
import { setUpPaymentTests } from "../helpers/payment-test-context";

const t = setUpPaymentTests({ app: true });
const NO_PARAMS = { params: Promise.resolve({}) };

async function session() {
  const user = await fx.createUser(t.db);
  const tokens = await signIn(await testDeps(t.db, t.keys), user);
  return { user, auth: { authorization: `Bearer ${tokens.accessToken.token}` } };
}

const json = (headers: Record<string, string>) => ({ ...headers, "content-type": "application/json" });

describe("GET, PUT /api/me/fairness and POST /api/me/fairness/rotate", () => {
  it("commits a seed on first ask, sets the client seed, and rotates to a new commitment", async () => {
    const { auth } = await session();
    const first = await GET(new Request("http://localhost/api/me/fairness", { headers: auth }), NO_PARAMS);
    expect(first.status).toBe(200);
    const { fairness } = (await first.json()) as {
      fairness: { seedHash: string; clientSeed: string; nextNonce: number };
    };
    expect(fairness).toMatchObject({ seedHash: expect.stringMatching(/^[0-9a-f]{64}$/), nextNonce: 0 });
    expect(fairness.clientSeed).toMatch(/^[A-Za-z0-9_-]{16}$/);

    const put = await PUT(
      new Request("http://localhost/api/me/fairness", {
        method: "PUT",
        headers: json(auth),
        body: JSON.stringify({ clientSeed: "Lucky_Star-7" }),
      }),
      NO_PARAMS,
    );
    expect(((await put.json()) as { fairness: unknown }).fairness).toMatchObject({
      seedHash: fairness.seedHash,
      clientSeed: "Lucky_Star-7",
    });

    const rotated = await rotate(
      new Request("http://localhost/api/me/fairness/rotate", { method: "POST", headers: auth }),
      NO_PARAMS,
    );
    expect(rotated.status).toBe(200);
    const body = (await rotated.json()) as {
      revealed: { seedHash: string; serverSeed: string; pulls: number };
      current: { seedHash: string; clientSeed: string };
    };
    expect(body.revealed).toMatchObject({ seedHash: fairness.seedHash, pulls: 0 });
    expect(createHash("sha256").update(Buffer.from(body.revealed.serverSeed, "hex")).digest("hex")).toBe(
      fairness.seedHash,
    );
    expect(body.current.clientSeed).toBe("Lucky_Star-7");
    expect(body.current.seedHash).not.toBe(fairness.seedHash);
  });

  it.each([["a:b"], [""], ["x".repeat(65)], ["日本語"], [42]])(
    "refuses the client seed %j (400 validation_failed)",
    async (clientSeed) => {
      const { auth } = await session();
      const response = await PUT(
        new Request("http://localhost/api/me/fairness", {
          method: "PUT",
          headers: json(auth),
          body: JSON.stringify({ clientSeed }),
        }),
        NO_PARAMS,
      );
      expect(response.status).toBe(400);
      expect(await errorCode(response)).toBe("validation_failed");
    },
  );

  it("refuses to rotate while a payment under the seed is unfinished (409 seed_rotation_blocked), and signed out (401)", async () => {
    const { user, auth } = await session();
    await reserve(t.db, pullRequest(user, t.gacha.campaign), { now: new Date(), provider: "sandbox" });
    const response = await rotate(
      new Request("http://localhost/api/me/fairness/rotate", { method: "POST", headers: auth }),
      NO_PARAMS,
    );
    expect(response.status).toBe(409);
    expect(await errorCode(response)).toBe("seed_rotation_blocked");
    const anonymous = await rotate(
      new Request("http://localhost/api/me/fairness/rotate", { method: "POST" }),
      NO_PARAMS,
    );
    expect(anonymous.status).toBe(401);
  });
});

describe("GET /api/gachas/{id}", () => {
  it("publishes the rate table text whose SHA-256 is the recorded hash", async () => {
    const response = await gachaGet(new Request(`http://localhost/api/gachas/${t.gacha.campaign.id}`), {
      params: Promise.resolve({ id: t.gacha.campaign.id }),
    });
    const { gacha } = (await response.json()) as {
      gacha: { rateTable: { contentHash: string; canonicalText: string } };
    };
    expect(createHash("sha256").update(gacha.rateTable.canonicalText, "utf8").digest("hex")).toBe(
      gacha.rateTable.contentHash,
    );
    expect(gacha.rateTable.contentHash).toBe(t.gacha.rateTable.contentHash);
    expect(gacha.rateTable.canonicalText.split("\n")[0]).toMatch(/^guaranteed:[0-9a-f-]{36}:(SR|SSR):\d+$/);
  });
});
