import { describe, expect, it } from "vitest";
import { accessTokenOf, bearerTokenOf, hasRole, isAppRole, ROLES, type AppRole } from "@/lib/auth/caller";

const COOKIE = "koepon_at";
const headers = (init: Record<string, string>) => new Headers(init);

describe("roles", () => {
  it.each([
    ["user", "user", true],
    ["user", "vtuber", false],
    ["user", "admin", false],
    ["vtuber", "user", true],
    ["vtuber", "vtuber", true],
    ["vtuber", "admin", false],
    ["admin", "user", true],
    ["admin", "vtuber", true],
    ["admin", "admin", true],
  ] as [AppRole, AppRole, boolean][])("%s may enter what %s may: %s", (role, required, expected) => {
    expect(hasRole(role, required)).toBe(expected);
  });

  it("knows exactly the three roles", () => {
    expect(ROLES.filter(isAppRole)).toEqual(["user", "vtuber", "admin"]);
    for (const other of ["authenticated", "service_role", "Admin", "", null, 1]) expect(isAppRole(other)).toBe(false);
  });
});

describe("where a request carries its access token", () => {
  it("takes a bearer header over the cookie", () => {
    expect(accessTokenOf(headers({ authorization: "Bearer a.b.c", cookie: `${COOKIE}=x.y.z` }), COOKIE)).toEqual({
      token: "a.b.c",
    });
    expect(accessTokenOf(headers({ authorization: "bearer   a.b.c " }), COOKIE)).toEqual({ token: "a.b.c" });
  });

  it("falls back to the access cookie, and to nothing", () => {
    expect(accessTokenOf(headers({ cookie: `other=1; ${COOKIE}=x.y.z` }), COOKIE)).toEqual({ token: "x.y.z" });
    expect(accessTokenOf(headers({ cookie: `${COOKIE}=` }), COOKIE)).toBeNull();
    expect(accessTokenOf(headers({}), COOKIE)).toBeNull();
  });

  it.each(["Basic dXNlcjpwYXNz", "Bearer", "Bearer ", "Bearer two parts", "Token a.b.c", ""])(
    "calls the header %j malformed, whatever cookie comes with it",
    (authorization) => {
      const withCookie = headers({ authorization, cookie: `${COOKIE}=x.y.z` });
      expect(accessTokenOf(withCookie, COOKIE)).toEqual({ malformed: true });
      expect(bearerTokenOf(withCookie)).toEqual({ malformed: true });
    },
  );

  it("reads only the header for a bearer token", () => {
    expect(bearerTokenOf(headers({ cookie: `${COOKIE}=x.y.z` }))).toBeNull();
  });
});
