/**
 * Turning a page rendered with a secret nonce into one a CDN may share, from the
 * attacker's side: only the scripts the render stamped are allowed, by hash.
 */
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { contentSecurityPolicy } from "@/lib/edge/security-headers";
import { inlineScriptHashes, mergeVary, nonceOf, onOrigin } from "@/lib/edge/shareable-page";

const NONCE = "r4nd0m+N0nce/Value==";
const sha256 = (text: string) => createHash("sha256").update(text, "utf8").digest("base64");

const BOOTSTRAP = "(self.__next_f=self.__next_f||[]).push([0])";
const PAYLOAD = 'self.__next_f.push([1,"1:\\u003cscript\\u003e こえポン"])';
const page = (injected: string) =>
  [
    "<!DOCTYPE html><html><head>",
    `<script src="/_next/static/chunks/main-1a2b.js" async="" nonce="${NONCE}"></script>`,
    `</head><body><div>${injected}</div>`,
    `<script nonce="${NONCE}">${BOOTSTRAP}</script>`,
    `<script nonce="${NONCE}">${PAYLOAD}</script>`,
    `<script nonce="${NONCE}">${BOOTSTRAP}</script>`,
    "</body></html>",
  ].join("");

describe("inlineScriptHashes", () => {
  it("hashes each inline script the render stamped, once, as browsers hash it (UTF-8 SHA-256)", async () => {
    expect(await inlineScriptHashes(page(""), NONCE)).toEqual([sha256(BOOTSTRAP), sha256(PAYLOAD)]);
  });

  it("leaves out scripts that slipped into the markup without the render's nonce", async () => {
    const attacks = [
      "<script>alert(1)</script>",
      '<script nonce="guessed">alert(2)</script>',
      // The nonce of a copy someone saw earlier: a different render, a different nonce.
      '<script nonce="r4nd0m+N0nce/Valu">alert(3)</script>',
      "<SCRIPT type=module>alert(4)</SCRIPT >",
    ].join("");
    const hashes = await inlineScriptHashes(page(attacks), NONCE);
    expect(hashes).toEqual([sha256(BOOTSTRAP), sha256(PAYLOAD)]);
    for (const n of [1, 2, 3, 4]) expect(hashes).not.toContain(sha256(`alert(${n})`));
  });

  it("finds nothing in a page rendered under another nonce", async () => {
    expect(await inlineScriptHashes(page(""), "another")).toEqual([]);
  });
});

describe("the shared page's policy", () => {
  it("allows scripts by hash and 'self' only: no nonce, no 'unsafe-inline', no 'strict-dynamic'", () => {
    const csp = contentSecurityPolicy({ scriptHashes: [sha256(BOOTSTRAP)], development: false });
    const scriptSrc = /script-src ([^;]+)/.exec(csp)?.[1];
    expect(scriptSrc).toBe(`'self' 'sha256-${sha256(BOOTSTRAP)}'`);
    expect(csp).toContain("object-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
  });

  it("reads back the nonce a per-request policy carries", () => {
    expect(nonceOf(contentSecurityPolicy({ nonce: NONCE, development: false }))).toBe(NONCE);
    expect(nonceOf(contentSecurityPolicy({ scriptHashes: [], development: false }))).toBeNull();
    expect(nonceOf(null)).toBeNull();
  });

  it("adds to Next's Vary rather than replacing it", () => {
    expect(mergeVary("rsc, Next-Router-State-Tree, Accept-Encoding", "Cookie, Authorization, rsc")).toBe(
      "rsc, Next-Router-State-Tree, Accept-Encoding, Cookie, Authorization",
    );
    expect(mergeVary(null, "Cookie")).toBe("Cookie");
  });
});

describe("onOrigin", () => {
  it("keeps the render on this server whatever the path looks like", () => {
    const internal = "http://127.0.0.1:3000";
    expect(onOrigin(new URL("https://koepon.example/legal/terms?x=1"), internal).href).toBe(
      "http://127.0.0.1:3000/legal/terms?x=1",
    );
    for (const path of ["//evil.example/x", "/\\evil.example/x", "/%2F%2Fevil.example"]) {
      const target = onOrigin(new URL(`https://koepon.example${path}`), internal);
      expect(target.origin, path).toBe(internal);
    }
  });
});
