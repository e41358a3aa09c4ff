/**
 * The access-token check as the Edge gate runs it: `verifyAccessToken` against a local
 * key set built the way `publicKeyResolver` builds it from keys in the environment.
 * The same attack table runs through the route handlers in
 * tests/integration/auth-tokens.test.ts.
 */
import { randomUUID } from "node:crypto";
import { errors, importJWK, jwtVerify, type CryptoKey, type JWK } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { signAccessToken, TokenError, verifyAccessToken } from "@/lib/auth/access-token";
import { toPublicJwk } from "@/lib/auth/jwk";
import { publicKeyResolver } from "@/lib/auth/jwks-resolver";
import { newPrivateJwk } from "@/lib/auth/keys";
import { algorithmConfusionTokens, attackTokens, forgeToken, type ForgeContext } from "../helpers/auth";

const ISSUER = "https://koepon.test";
const AUDIENCE = "koepon-api";
const NOW = new Date("2026-12-01T03:00:00Z");
const OPTIONS = { issuer: ISSUER, audience: AUDIENCE, clockToleranceSeconds: 30, now: NOW };

let privateJwk: JWK;
let ctx: ForgeContext;

async function signingKeyOf(jwk: JWK) {
  return {
    kid: jwk.kid!,
    key: (await importJWK(jwk, "RS256")) as CryptoKey,
    publicJwk: toPublicJwk(jwk),
  };
}

function envResolver(signing: JWK, verify: JWK[] = []) {
  return publicKeyResolver({
    keys: {
      kind: "env",
      signingKey: JSON.stringify(signing),
      verifyKeys: verify.map((k) => JSON.stringify(toPublicJwk(k))),
    },
    jwksUrl: "http://127.0.0.1:1/never-fetched",
  });
}

async function outcome(token: string, resolver = envResolver(privateJwk), options = OPTIONS): Promise<string> {
  try {
    await verifyAccessToken(token, resolver, options);
    return "accepted";
  } catch (err) {
    return err instanceof TokenError ? err.code : `threw ${(err as Error).name}`;
  }
}

beforeAll(async () => {
  privateJwk = await newPrivateJwk();
  ctx = {
    signing: await signingKeyOf(privateJwk),
    issuer: ISSUER,
    audience: AUDIENCE,
    now: NOW,
    sub: randomUUID(),
    sid: randomUUID(),
    // Shape of a real one: 32 random bytes, base64url.
    refreshToken: Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64url"),
  };
});

describe("verifyAccessToken (the Edge gate's check)", () => {
  it("accepts a token from signAccessToken and returns its claims", async () => {
    const signed = await signAccessToken({ sub: ctx.sub, role: "vtuber", sid: ctx.sid }, ctx.signing, {
      issuer: ISSUER,
      audience: AUDIENCE,
      ttlSeconds: 900,
      now: NOW,
    });
    expect(signed.expiresIn).toBe(900);
    expect(signed.expiresAt.getTime()).toBe(NOW.getTime() + 900_000);
    const verified = await verifyAccessToken(signed.token, envResolver(privateJwk), OPTIONS);
    expect(verified).toEqual({
      sub: ctx.sub,
      role: "vtuber",
      sid: ctx.sid,
      jti: signed.jti,
      exp: NOW.getTime() / 1000 + 900,
    });
  });

  it("puts alg, kid and typ in the header", async () => {
    const { token } = await signAccessToken({ sub: ctx.sub, role: "user", sid: ctx.sid }, ctx.signing, {
      issuer: ISSUER,
      audience: AUDIENCE,
      ttlSeconds: 900,
      now: NOW,
    });
    const header = JSON.parse(Buffer.from(token.split(".")[0]!, "base64url").toString()) as Record<string, string>;
    expect(header).toEqual({ alg: "RS256", kid: privateJwk.kid, typ: "at+jwt" });
  });

  it("refuses every forged or broken token with its code", async () => {
    const rows = (await attackTokens(ctx)).filter((row) => row.token !== null);
    const results = await Promise.all(rows.map(async (row) => [row.name, await outcome(row.token!)]));
    expect(Object.fromEntries(results)).toEqual(Object.fromEntries(rows.map((row) => [row.name, row.code])));
  });

  it("refuses every algorithm but RS256 itself, even from a key set that would hand out a key for it", async () => {
    const rows = await algorithmConfusionTokens(ctx, privateJwk);
    const seen: Record<string, string> = {};
    for (const row of rows) {
      // Each row is a real forgery: jose without an algorithm list accepts it with these keys.
      const unpinned = await jwtVerify(row.token, row.lenientKeys, {
        issuer: ISSUER,
        audience: AUDIENCE,
        currentDate: NOW,
      });
      expect(unpinned.protectedHeader.alg, row.name).not.toBe("RS256");
      seen[`${row.name}, our key set`] = await outcome(row.token);
      seen[`${row.name}, lenient key set`] = await outcome(row.token, row.lenientKeys);
    }
    expect(seen).toEqual(
      Object.fromEntries(
        rows.flatMap((row) => [
          [`${row.name}, our key set`, "token_invalid"],
          [`${row.name}, lenient key set`, "token_invalid"],
        ]),
      ),
    );
    // The control: a genuine RS256 token passes through the same lenient key set.
    expect(await outcome(await forgeToken(ctx), rows[0]!.lenientKeys)).toBe("accepted");
  });

  it("allows 30 seconds of clock skew either way, and no more", async () => {
    const iat = NOW.getTime() / 1000;
    const expiredWithinTolerance = await forgeToken(ctx, {
      claims: { iat: iat - 1000, nbf: iat - 1000, exp: iat - 29 },
    });
    const earlyWithinTolerance = await forgeToken(ctx, { claims: { iat: iat + 29, nbf: iat + 29, exp: iat + 929 } });
    expect(await outcome(expiredWithinTolerance)).toBe("accepted");
    expect(await outcome(earlyWithinTolerance)).toBe("accepted");
    expect(await outcome(expiredWithinTolerance, undefined, { ...OPTIONS, clockToleranceSeconds: 0 })).toBe(
      "token_expired",
    );
    expect(await outcome(earlyWithinTolerance, undefined, { ...OPTIONS, clockToleranceSeconds: 0 })).toBe(
      "token_invalid",
    );
  });

  it("accepts a key kept for the rotation overlap, and never a private member of it", async () => {
    const next = await newPrivateJwk();
    const oldToken = await forgeToken(ctx);
    // After a rotation: the new key signs, the old one is only in the verify list.
    expect(await outcome(oldToken, envResolver(next, [privateJwk]))).toBe("accepted");
    expect(await outcome(oldToken, envResolver(next))).toBe("token_invalid");
  });

  it("rethrows a key-set outage instead of calling the token invalid", async () => {
    const token = await forgeToken(ctx);
    const timingOut = async () => {
      throw new errors.JWKSTimeout();
    };
    const unreachable = async () => {
      throw new TypeError("fetch failed");
    };
    expect(await outcome(token, timingOut)).toBe("threw JWKSTimeout");
    expect(await outcome(token, unreachable)).toBe("threw TypeError");
  });

  it("has the remote resolver ask the configured JWKS URL when keys are generated", async () => {
    const requested: string[] = [];
    const server = await import("node:http").then(({ createServer }) =>
      createServer((req, res) => {
        requested.push(req.url ?? "");
        res.setHeader("content-type", "application/jwk-set+json");
        res.end(JSON.stringify({ keys: [toPublicJwk(privateJwk)] }));
      }),
    );
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = server.address() as { port: number };
      const resolver = publicKeyResolver({
        keys: { kind: "generated", dir: "/unused" },
        jwksUrl: `http://127.0.0.1:${port}/.well-known/jwks.json`,
      });
      expect(await outcome(await forgeToken(ctx), resolver)).toBe("accepted");
      expect(requested).toEqual(["/.well-known/jwks.json"]);
    } finally {
      server.close();
    }
  });
});
