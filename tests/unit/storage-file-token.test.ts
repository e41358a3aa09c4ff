import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { DomainError } from "@/lib/domain-error";
import { signFileToken, verifyFileToken, type FileGrant } from "@/lib/storage/file-token";

const secret = randomBytes(32);
const now = new Date("2026-12-01T00:00:00Z");
const at = (seconds: number) => Math.floor(now.getTime() / 1000) + seconds;

const grantA: FileGrant = {
  key: "vtubers/a/01-voice.wav",
  expiresAt: at(300),
  contentType: "audio/wav",
  downloadName: null,
};
const grantB: FileGrant = { ...grantA, key: "vtubers/b/02-voice.wav" };

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof DomainError) return err.code;
    throw err;
  }
  return "(accepted)";
}

/** Rebuilds a token's payload with changes, keeping the original signature. */
function tamper(token: string, change: (payload: Record<string, unknown>) => void): string {
  const [payload, signature] = token.split(".");
  const decoded = JSON.parse(Buffer.from(payload!, "base64url").toString("utf8")) as Record<string, unknown>;
  change(decoded);
  return `${Buffer.from(JSON.stringify(decoded)).toString("base64url")}.${signature}`;
}

describe("local signed file tokens", () => {
  it("round-trips a grant and is URL-safe as it stands", () => {
    const token = signFileToken(secret, { ...grantA, downloadName: "ボイス「おはよう」.wav" });
    expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(verifyFileToken(secret, token, now)).toEqual({ ...grantA, downloadName: "ボイス「おはよう」.wav" });
  });

  it("is valid until one second before its expiry and refused from the expiry on", () => {
    const token = signFileToken(secret, grantA);
    expect(codeOf(() => verifyFileToken(secret, token, new Date((grantA.expiresAt - 1) * 1000)))).toBe("(accepted)");
    expect(codeOf(() => verifyFileToken(secret, token, new Date(grantA.expiresAt * 1000)))).toBe("signed_url_expired");
    expect(codeOf(() => verifyFileToken(secret, token, new Date((grantA.expiresAt + 3600) * 1000)))).toBe(
      "signed_url_expired",
    );
  });

  it("cannot be reused for another file: file A's signature with file B's key is refused", () => {
    const [, signatureA] = signFileToken(secret, grantA).split(".");
    const [payloadB] = signFileToken(secret, grantB).split(".");
    expect(codeOf(() => verifyFileToken(secret, `${payloadB}.${signatureA}`, now))).toBe("signed_url_invalid");
    expect(
      codeOf(() =>
        verifyFileToken(
          secret,
          tamper(signFileToken(secret, grantA), (p) => (p.k = grantB.key)),
          now,
        ),
      ),
    ).toBe("signed_url_invalid");
  });

  it("refuses a tampered expiry, disposition or content type", () => {
    const token = signFileToken(secret, grantA);
    // An expired URL stretched into the future still fails: the signature, not the expiry, fails first.
    const expired = signFileToken(secret, { ...grantA, expiresAt: at(-10) });
    expect(
      codeOf(() =>
        verifyFileToken(
          secret,
          tamper(expired, (p) => (p.e = at(3600))),
          now,
        ),
      ),
    ).toBe("signed_url_invalid");
    expect(
      codeOf(() =>
        verifyFileToken(
          secret,
          tamper(token, (p) => (p.d = "x.wav")),
          now,
        ),
      ),
    ).toBe("signed_url_invalid");
    expect(
      codeOf(() =>
        verifyFileToken(
          secret,
          tamper(token, (p) => (p.t = "text/html")),
          now,
        ),
      ),
    ).toBe("signed_url_invalid");
  });

  it("refuses a token signed with another key", () => {
    const token = signFileToken(randomBytes(32), grantA);
    expect(codeOf(() => verifyFileToken(secret, token, now))).toBe("signed_url_invalid");
  });

  it.each([
    ["empty", ""],
    ["no signature", "abc"],
    ["three parts", "a.b.c"],
    ["not base64url", "a+b.c/d"],
    ["short signature", `${Buffer.from("{}").toString("base64url")}.AAAA`],
    ["garbage payload with a garbage signature", `bm90IGpzb24.${"A".repeat(43)}`],
    ["huge", `${"A".repeat(5000)}.${"A".repeat(43)}`],
    ["a raw storage path", "vtubers/a/01-voice.wav"],
    ["a path up and out", "../../.data/storage/vtubers/a/01-voice.wav"],
  ])("refuses a malformed token (%s)", (_, token) => {
    expect(codeOf(() => verifyFileToken(secret, token, now))).toBe("signed_url_invalid");
  });

  it("never signs a key that could leave the storage folder", () => {
    expect(() => signFileToken(secret, { ...grantA, key: "../keys/storage-url-signing.key" })).toThrow(
      /Invalid storage key/,
    );
  });
});

describe("signature encoding", () => {
  // 32 bytes are 43 base64url characters; the last carries 4 bits and 2 spare ones, so a
  // lenient decoder reads three other characters there as the same signature.
  it("refuses every other last character of the signature, not only those that decode differently", () => {
    const token = signFileToken(secret, grantA);
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    const last = token.at(-1)!;
    const accepted = [...alphabet]
      .filter((c) => c !== last)
      .filter((c) => codeOf(() => verifyFileToken(secret, `${token.slice(0, -1)}${c}`, now)) !== "signed_url_invalid");
    expect(accepted).toEqual([]);
    expect(verifyFileToken(secret, token, now)).toEqual(grantA);
  });

  it("refuses the signature with base64 padding or in standard base64", () => {
    const token = signFileToken(secret, grantA);
    const [payload, signature] = token.split(".") as [string, string];
    const standard = Buffer.from(signature, "base64url").toString("base64");
    for (const variant of [`${signature}=`, standard, standard.replace(/=+$/, "")]) {
      if (variant === signature) continue;
      expect(codeOf(() => verifyFileToken(secret, `${payload}.${variant}`, now))).toBe("signed_url_invalid");
    }
  });
});
