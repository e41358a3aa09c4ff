/** The pure rules behind accounts: password policy, email keys, ages and caps, cookies. */
import { describe, expect, it } from "vitest";
import { ageBand, ageOn, isCalendarDate, jstDate, jstMonthStart, monthlyLimitJpy } from "@/lib/auth/age";
import { accessCookie, authCookieNames, clearedAuthCookies, readCookie, refreshCookie } from "@/lib/auth/cookies";
import { normaliseEmail } from "@/lib/auth/email";
import { hashPassword, verifyPassword } from "@/lib/auth/password";
import { checkPassword } from "@/lib/auth/password-policy";

describe("password policy (NIST SP 800-63B)", () => {
  const email = "taro.yamada@example.jp";

  it.each([
    ["1234567", "too_short"],
    ["パスワード七文字", null],
    ["短いパスワード", "too_short"],
    ["x".repeat(127) + "y", null],
    ["xy".repeat(64) + "z", "too_long"],
    ["password", "common"],
    ["PassWord", "common"],
    ["iloveyou", "common"],
    ["qwertyuiop", "common"],
    ["12345678", "common"],
    ["ｐａｓｓｗｏｒｄ", "common"],
    ["zzzzzzzzzz", "repetitive"],
    ["taro.yamada", "contains_email"],
    ["my-TARO.YAMADA-2026", "contains_email"],
    ["koepon-fan-2026", "contains_service_name"],
    ["こえポン大好きです", "contains_service_name"],
    ["correct horse battery staple", null],
    ["nocapitalsordigits", null],
    ["推しは歌姫みらい", null],
  ])("%j → %s", (password, reason) => {
    expect(checkPassword(password, { email })).toBe(reason);
  });

  it("counts characters, not UTF-16 units or bytes", () => {
    // Eight emoji are 16 UTF-16 units and 32 bytes, but eight characters.
    expect(checkPassword("🎤🎧🎵🎶🎼🎹🎸🎺", { email })).toBeNull();
    expect(checkPassword("🎤🎧🎵🎶🎼🎹🎸", { email })).toBe("too_short");
  });

  it("does not forbid short email local parts as substrings", () => {
    expect(checkPassword("a long passphrase", { email: "a@example.jp" })).toBeNull();
    expect(checkPassword("a", { email: "a@example.jp" })).toBe("too_short");
  });
});

describe("password hashing", () => {
  it("verifies the same password typed full-width or half-width", async () => {
    const hash = await hashPassword("Koe2026pass", 4);
    expect(await verifyPassword("Ｋｏｅ２０２６ｐａｓｓ", hash)).toBe(true);
    expect(await verifyPassword("Koe2026pasS", hash)).toBe(false);
  });

  it("lets every character of a long password count, past bcrypt's 72 bytes", async () => {
    const long = "あ".repeat(30); // 90 bytes
    const hash = await hashPassword(long, 4);
    expect(await verifyPassword(long, hash)).toBe(true);
    expect(await verifyPassword("あ".repeat(29) + "い", hash)).toBe(false);
  });

  it("does not stop at a NUL character", async () => {
    const hash = await hashPassword("abc\0defghij", 4);
    expect(await verifyPassword("abc\0defghij", hash)).toBe(true);
    expect(await verifyPassword("abc\0zzzzzzz", hash)).toBe(false);
  });

  it("still verifies hashes made by plain bcrypt (the demo seed's, earlier accounts')", async () => {
    const bcrypt = (await import("bcrypt")).default;
    expect(await verifyPassword("koepon-demo-fan", await bcrypt.hash("koepon-demo-fan", 4))).toBe(true);
  });
});

describe("email normalisation", () => {
  it.each([
    ["Fan@Example.COM", "fan@example.com"],
    ["  fan@example.com ", "fan@example.com"],
    ["Taro.Yamada+koepon@GMail.com", "taro.yamada+koepon@gmail.com"],
    ["a.b@googlemail.com", "a.b@googlemail.com"],
    ["user@xn--wgv71a.jp", "user@xn--wgv71a.jp"],
    ["not-an-email", null],
    ["a@b", null],
    ["two@@example.com", null],
    ["ユーザー@example.jp", null],
    ['"a b"@example.com', null],
    ["Name <fan@example.com>", null],
    [`${"a".repeat(250)}@x.jp`, null],
  ])("%j → %j", (input, expected) => {
    expect(normaliseEmail(input)).toBe(expected);
  });
});

describe("ages in JST", () => {
  it("changes the calendar date at midnight Japan time", () => {
    expect(jstDate(new Date("2026-03-31T14:59:59Z"))).toBe("2026-03-31");
    expect(jstDate(new Date("2026-03-31T15:00:00Z"))).toBe("2026-04-01");
    expect(jstMonthStart(new Date("2026-03-31T15:00:00Z"))).toBe("2026-04-01");
    expect(jstMonthStart(new Date("2026-12-31T14:59:59Z"))).toBe("2026-12-01");
  });

  it("counts a birthday from midnight JST", () => {
    const born = "2008-06-15";
    expect(ageOn(born, new Date("2026-06-14T14:59:59Z"))).toBe(17);
    expect(ageOn(born, new Date("2026-06-14T15:00:00Z"))).toBe(18);
  });

  it("lets a 29 February birthday count on 1 March in common years", () => {
    expect(ageOn("2008-02-29", new Date("2026-02-28T03:00:00Z"))).toBe(17);
    expect(ageOn("2008-02-29", new Date("2026-03-01T03:00:00Z"))).toBe(18);
  });

  it("maps ages to bands and bands to monthly limits", () => {
    expect([15, 16, 17, 18].map(ageBand)).toEqual(["under16", "16to17", "16to17", "adult"]);
    expect(monthlyLimitJpy("under16", null)).toBe(5_000);
    expect(monthlyLimitJpy("16to17", null)).toBe(10_000);
    expect(monthlyLimitJpy("adult", null)).toBeNull();
    expect(monthlyLimitJpy("adult", 3_000)).toBe(3_000);
    expect(monthlyLimitJpy("under16", 8_000)).toBe(5_000);
    expect(monthlyLimitJpy("16to17", 2_000)).toBe(2_000);
  });

  it("knows real calendar dates", () => {
    expect(["2024-02-29", "2000-01-01"].map(isCalendarDate)).toEqual([true, true]);
    expect(["2026-02-29", "2026-13-01", "2026-04-31", "2026-4-1", "20260401"].map(isCalendarDate)).toEqual([
      false,
      false,
      false,
      false,
      false,
    ]);
  });
});

describe("session cookies", () => {
  it("uses __Host-/__Secure- names only with Secure cookies", () => {
    expect(authCookieNames(true)).toEqual({ access: "__Host-koepon_at", refresh: "__Secure-koepon_rt" });
    expect(authCookieNames(false)).toEqual({ access: "koepon_at", refresh: "koepon_rt" });
  });

  it("builds the access and refresh cookies with their attributes", () => {
    expect(accessCookie("jwt", 900, { secure: true })).toBe(
      "__Host-koepon_at=jwt; Path=/; Max-Age=900; HttpOnly; SameSite=Lax; Secure",
    );
    expect(refreshCookie("opaque", 2_592_000, { secure: false })).toBe(
      "koepon_rt=opaque; Path=/api/auth; Max-Age=2592000; HttpOnly; SameSite=Strict",
    );
    expect(clearedAuthCookies({ secure: false })).toEqual([
      "koepon_at=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax",
      "koepon_rt=; Path=/api/auth; Max-Age=0; HttpOnly; SameSite=Strict",
    ]);
  });

  it("reads one cookie out of a Cookie header", () => {
    const headers = new Headers({ cookie: "theme=dark; koepon_at=a.b.c;koepon_rt=xyz; empty=" });
    expect(readCookie(headers, "koepon_at")).toBe("a.b.c");
    expect(readCookie(headers, "koepon_rt")).toBe("xyz");
    expect(readCookie(headers, "empty")).toBeNull();
    expect(readCookie(headers, "koepon")).toBeNull();
    expect(readCookie(new Headers(), "koepon_at")).toBeNull();
  });
});
