import { describe, expect, it } from "vitest";
import { safeReturnPath } from "@/lib/i18n/return-path";

/**
 * Every value an attacker could put in `?next=` (on /lang, /login, /signup and the forms
 * that follow it). Each must stay on this site: the answer is either the fallback or a
 * path a browser resolves against our own origin.
 */
const attacks: readonly string[] = [
  "//evil.example/x",
  "///evil.example/x",
  "/.//evil.example/x",
  "/./\u002f/evil.example/x",
  "/a/..//evil.example/x",
  "/a/b/../..//evil.example/x",
  "/%2e//evil.example/x",
  "/%2E//evil.example/x",
  "/%2e%2e//evil.example/x",
  "/a/%2e%2e//evil.example/x",
  "/a/.%2e//evil.example/x",
  "/%252e//evil.example/x",
  "/a/%252e%252e//evil.example/x",
  "/%2f/evil.example/x",
  "/%2F%2Fevil.example/x",
  "/%5cevil.example/x",
  "/%5C%5Cevil.example/x",
  "/\\evil.example/x",
  "\\\\evil.example/x",
  "/.\\/evil.example",
  "/\t/evil.example/x",
  "/\n/evil.example/x",
  "/\r\n/evil.example/x",
  "/%09/evil.example/x",
  "/%0a/evil.example/x",
  "/%00/x",
  "/\u0000/evil.example",
  "/\u007f/evil.example",
  " //evil.example/x",
  "https://evil.example/x",
  "http:evil.example",
  "javascript:alert(1)",
  "evil.example",
  "",
  "/" + "a".repeat(2048),
];

function landsOnOrigin(path: string): boolean {
  const base = new URL("https://koepon.example");
  // As a browser reads a Location header: strips tab/newline, treats "\" as "/".
  const browser = new URL(path.replace(/[\t\n\r]/g, "").replace(/\\/g, "/"), base);
  return browser.origin === base.origin;
}

describe("safeReturnPath", () => {
  it.each(attacks.map((a) => [JSON.stringify(a).slice(0, 40), a]))("refuses %s", (_label, attack) => {
    const result = safeReturnPath(attack);
    expect(result).toBe("/");
    expect(landsOnOrigin(result)).toBe(true);
  });

  it.each([
    ["/", "/"],
    ["/account", "/account"],
    ["/me/rewards?kind=voice#top", "/me/rewards?kind=voice#top"],
    ["/gachas/abc/confirm?count=10", "/gachas/abc/confirm?count=10"],
    ["/a/../account", "/account"],
    ["/./me/history", "/me/history"],
    ["/vtubers/%E3%81%82", "/vtubers/%E3%81%82"],
    ["/search?q=a//b", "/search?q=a//b"],
  ])("keeps the same-site path %s as %s", (input, expected) => {
    expect(safeReturnPath(input)).toBe(expected);
  });

  it("answers the caller's fallback for a refused value", () => {
    expect(safeReturnPath("/.//evil.example", "/account")).toBe("/account");
    expect(safeReturnPath(undefined, "/account")).toBe("/account");
  });

  it("gives an answer that is stable when resolved again", () => {
    for (const input of ["/a/../b", "/./c?x=1", "/d/%2e/e"]) {
      const once = safeReturnPath(input);
      expect(safeReturnPath(once)).toBe(once);
    }
  });
});

describe("GET /lang", () => {
  it.each(["/.//evil.example/x", "/a/..//evil.example/x", "/%2e//evil.example/x"])(
    "answers Location / for next=%s",
    async (next) => {
      const { GET } = await import("@/app/lang/route");
      const { NextRequest } = await import("next/server");
      const url = `http://localhost/lang?${new URLSearchParams({ to: "en", next })}`;
      const response = GET(new NextRequest(url));
      expect(response.status).toBe(303);
      expect(response.headers.get("location")).toBe("/");
    },
  );
});
