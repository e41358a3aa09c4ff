/**
 * The access-token check as the Edge gate runs it: `verifyAccessToken` against a local
 * key set built the way `publicKeyResolver` builds it from keys in the environment.
 * The same attack table runs through the route handlers in
 * tests/integration/auth-tokens.test.ts.
 */
import { randomUUID } from "node:crypto";
import { errors, importJWK, jwtVerify, type CryptoKey, type JWK } from "jose";
import { beforeAll, describe, expect, it, vi } from "vitest";
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

/** The `TokenError` a token gets, or "accepted". */
async function refusal(
  token: string,
  resolver = envResolver(privateJwk),
): Promise<{ code: string; reason: string } | "accepted"> {
  try {
    await verifyAccessToken(token, resolver, OPTIONS);
    return "accepted";
  } catch (err) {
    if (!(err instanceof TokenError)) throw err;
    return { code: err.code, reason: err.reason };
  }
}

describe("verifyAccessToken: each check, on both sides of its line", () => {
  const b64url = (text: string) => Buffer.from(text).toString("base64url");

  it("refuses what is not a compact JWS before parsing it, and parses what is", async () => {
    const valid = await forgeToken(ctx);
    const [h, p, s] = valid.split(".") as [string, string, string];
    const notCompact = { code: "token_invalid", reason: "not a compact JWS" };
    for (const token of [
      `${valid}.${s}`,
      `${h}.${p}`,
      ` ${valid}`,
      `${valid} `,
      `${h}..${s}`,
      `${valid}=`,
      `${h}.${p}.`,
    ]) {
      expect(await refusal(token), JSON.stringify(token)).toEqual(notCompact);
    }
    // Compact but broken: jose parses it and says why.
    const parsed = await refusal(`${b64url("not json")}.${p}.${s}`);
    expect(parsed).toMatchObject({ code: "token_invalid" });
    expect(parsed).not.toEqual(notCompact);
  });

  it("parses a token of 4,096 characters and refuses one of 4,097 unparsed", async () => {
    const valid = await forgeToken(ctx);
    const [h, , s] = valid.split(".") as [string, string, string];
    const ofLength = (length: number) => `${h}.${"A".repeat(length - h.length - s.length - 2)}.${s}`;
    expect(ofLength(4096)).toHaveLength(4096);
    expect(await refusal(ofLength(4097))).toEqual({ code: "token_invalid", reason: "not a compact JWS" });
    // At the limit the token is read: the signature no longer matches its payload.
    expect(await refusal(ofLength(4096))).toEqual({ code: "token_invalid", reason: "signature verification failed" });
  });

  it("needs every claim it returns or checks: sub, jti, iat, exp, role, sid", async () => {
    // jose refuses each one missing, before the shape checks below could (with other reasons).
    for (const claim of ["sub", "jti", "iat", "exp", "role", "sid"]) {
      expect(await refusal(await forgeToken(ctx, { claims: { [claim]: undefined } })), claim).toEqual({
        code: "token_invalid",
        reason: `missing required "${claim}" claim`,
      });
    }
  });

  it("calls a token past exp (beyond the tolerance) expired, and says so in the error it logs", async () => {
    const now = NOW.getTime() / 1000;
    const expired = await refusal(
      await forgeToken(ctx, { claims: { iat: now - 1000, nbf: now - 1000, exp: now - 31 } }),
    );
    expect(expired).toEqual({ code: "token_expired", reason: "exp passed" });
    const error = new TokenError("token_expired", "exp passed");
    expect([error.name, error.message, error instanceof Error]).toEqual([
      "TokenError",
      "token_expired: exp passed",
      true,
    ]);
  });

  it("accepts an iat up to the clock tolerance ahead, and refuses one second more as issued in the future", async () => {
    const now = NOW.getTime() / 1000;
    // nbf stays at now, so only the iat check can refuse.
    const issuedAt = (iat: number) => forgeToken(ctx, { claims: { iat, nbf: now } });
    expect(await refusal(await issuedAt(now + 30))).toBe("accepted");
    expect(await refusal(await issuedAt(now + 31))).toEqual({ code: "token_invalid", reason: "iat in the future" });
  });

  it("refuses claims of the wrong shape even where they would read as valid text", async () => {
    const cases: [string, Record<string, unknown>, string][] = [
      ["sub in an array", { sub: [ctx.sub] }, "bad sub"],
      ["sub not a UUID", { sub: "user-1" }, "bad sub"],
      ["sid in an array", { sid: [ctx.sid] }, "bad sid"],
      ["sid not a UUID", { sid: "session-1" }, "bad sid"],
      ["empty jti", { jti: "" }, "bad jti"],
      ["numeric jti", { jti: 7 }, "bad jti"],
      ["a role we do not have", { role: "superuser" }, "bad role"],
    ];
    for (const [name, claims, reason] of cases) {
      expect(await refusal(await forgeToken(ctx, { claims })), name).toEqual({ code: "token_invalid", reason });
    }
  });

  it("refuses a token without a usable kid before asking the key set", async () => {
    let asked = 0;
    const counting: Parameters<typeof verifyAccessToken>[1] = (header, token) => {
      asked += 1;
      return envResolver(privateJwk)(header, token);
    };
    for (const kid of [undefined, "", 7]) {
      const token = await forgeToken(ctx, { header: { kid } });
      expect(await refusal(token, counting), String(kid)).toEqual({ code: "token_invalid", reason: "no kid" });
    }
    expect(asked).toBe(0);
    expect(await refusal(await forgeToken(ctx), counting)).toBe("accepted");
    expect(asked).toBe(1);
  });
});

describe("verifyAccessToken: jose's refusals are the caller's bad token, not an outage", () => {
  const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

  it("answers token_invalid for each kind of refusal jose gives", async () => {
    const valid = await forgeToken(ctx);
    const [h, p, s] = valid.split(".") as [string, string, string];
    const twin = { ...toPublicJwk(await newPrivateJwk()), kid: privateJwk.kid! };
    const cases: [name: string, token: string, resolver: ReturnType<typeof envResolver>, reason: RegExp][] = [
      [
        "header not JSON",
        `${Buffer.from("{").toString("base64url")}.${p}.${s}`,
        envResolver(privateJwk),
        /Protected Header/,
      ],
      [
        "claims not an object",
        await signRaw(["a"]),
        envResolver(privateJwk),
        /JWT Claims Set must be a top-level JSON object/,
      ],
      [
        "signature of another payload",
        `${h}.${b64url({ sub: ctx.sub })}.${s}`,
        envResolver(privateJwk),
        /signature verification failed/,
      ],
      [
        "wrong issuer",
        await forgeToken(ctx, { claims: { iss: "https://evil.test" } }),
        envResolver(privateJwk),
        /"iss" claim/,
      ],
      [
        "HS256",
        await forgeToken(ctx, { header: { alg: "HS256" }, key: new Uint8Array(32) }),
        envResolver(privateJwk),
        /"alg"/,
      ],
      [
        "unknown critical header",
        await signRaw(JSON.parse(Buffer.from(p, "base64url").toString()), { crit: ["x-ours"], "x-ours": 1 }),
        envResolver(privateJwk),
        /not recognized/,
      ],
      [
        "kid of no key",
        await forgeToken(ctx, { header: { kid: "nobody" } }),
        envResolver(privateJwk),
        /no applicable key/,
      ],
      [
        "kid of two keys",
        await forgeToken(ctx),
        envResolverOf([twin, { ...twin, n: toPublicJwk(privateJwk).n.replace(/^./, "x") }]),
        /multiple matching keys/,
      ],
    ];
    for (const [name, token, resolver, reason] of cases) {
      const result = await refusal(token, resolver);
      expect(result, name).toMatchObject({ code: "token_invalid" });
      expect(result === "accepted" ? "accepted" : result.reason, name).toMatch(reason);
    }
  });

  /** Signed by the real key as-is, past the checks jose's signer makes on what it signs. */
  async function signRaw(payload: unknown, header: Record<string, unknown> = {}): Promise<string> {
    const input = `${b64url({ alg: "RS256", kid: privateJwk.kid!, typ: "at+jwt", ...header })}.${b64url(payload)}`;
    const signature = await crypto.subtle.sign(
      "RSASSA-PKCS1-v1_5",
      ctx.signing.key as CryptoKey,
      new TextEncoder().encode(input),
    );
    return `${input}.${Buffer.from(signature).toString("base64url")}`;
  }

  function envResolverOf(keys: JWK[]) {
    const [first, ...rest] = keys as [JWK, ...JWK[]];
    return publicKeyResolver({
      keys: { kind: "env", signingKey: JSON.stringify(first), verifyKeys: rest.map((k) => JSON.stringify(k)) },
      jwksUrl: "http://127.0.0.1:1/never-fetched",
    });
  }
});

describe("the published public keys", () => {
  it("publish exactly the public RSA members, under the key's kid, for RS256 signatures", async () => {
    const published = toPublicJwk(privateJwk);
    expect(published).toEqual({
      kty: "RSA",
      kid: privateJwk.kid,
      n: privateJwk.n,
      e: privateJwk.e,
      alg: "RS256",
      use: "sig",
    });
  });

  it("refuse a key that is not RSA or lacks its kid, modulus or exponent", async () => {
    const noKty = { ...privateJwk };
    delete noKty.kty;
    const cases: JWK[] = [
      { ...privateJwk, kty: "EC" },
      noKty,
      { ...privateJwk, kid: undefined },
      { ...privateJwk, kid: "" },
      { ...privateJwk, n: undefined },
      { ...privateJwk, e: undefined },
    ];
    for (const jwk of cases)
      expect(() => toPublicJwk(jwk), JSON.stringify(jwk).slice(0, 60)).toThrow("Expected an RSA JWK with a kid");
  });

  it("are cached by the gate for five minutes, then fetched again", async () => {
    const server = await import("node:http").then(({ createServer }) =>
      createServer((_req, res) => {
        fetched += 1;
        res.setHeader("content-type", "application/jwk-set+json");
        res.end(JSON.stringify({ keys: [toPublicJwk(privateJwk)] }));
      }),
    );
    let fetched = 0;
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    // Only Date moves: jose dates its cache with Date.now(); the socket's timers stay real.
    vi.useFakeTimers({ toFake: ["Date"], now: NOW });
    try {
      const { port } = server.address() as { port: number };
      const resolver = publicKeyResolver({
        keys: { kind: "generated", dir: "/unused" },
        jwksUrl: `http://127.0.0.1:${port}/.well-known/jwks.json`,
      });
      const token = await forgeToken(ctx);
      expect(await outcome(token, resolver)).toBe("accepted");
      vi.setSystemTime(NOW.getTime() + 299_000);
      expect(await outcome(token, resolver)).toBe("accepted");
      expect(fetched).toBe(1);
      vi.setSystemTime(NOW.getTime() + 301_000);
      expect(await outcome(token, resolver)).toBe("accepted");
      expect(fetched).toBe(2);
    } finally {
      vi.useRealTimers();
      server.close();
    }
  });
});
