import { describe, expect, it } from "vitest";
import { clientIp, ipKey } from "@/lib/ratelimit/client-ip";

describe("clientIp", () => {
  it.each([
    ["the only X-Forwarded-For entry (Vercel overwrites it)", { "x-forwarded-for": "203.0.113.7" }, "203.0.113.7"],
    [
      "the last entry, written by our proxy, not the client's own",
      { "x-forwarded-for": "10.9.9.9, 198.51.100.1,203.0.113.7" },
      "203.0.113.7",
    ],
    ["X-Real-IP without X-Forwarded-For", { "x-real-ip": "203.0.113.8" }, "203.0.113.8"],
    [
      "X-Real-IP when the forwarded entry is garbage",
      { "x-forwarded-for": "unknown", "x-real-ip": "203.0.113.8" },
      "203.0.113.8",
    ],
    ["an IPv4 address with a port", { "x-forwarded-for": "203.0.113.7:51234" }, "203.0.113.7"],
    ["a bracketed IPv6 address with a port", { "x-forwarded-for": "[2001:DB8::1]:443" }, "2001:db8:0:0:0:0:0:1"],
    ["an IPv6 address with a zone", { "x-forwarded-for": "fe80::1%eth0" }, "fe80:0:0:0:0:0:0:1"],
    ["an IPv4-mapped IPv6 address, as IPv4", { "x-forwarded-for": "::ffff:198.51.100.4" }, "198.51.100.4"],
    ["the hex form of a mapped address", { "x-forwarded-for": "::ffff:c633:6404" }, "198.51.100.4"],
    ["nothing, without headers", {}, null],
    ["nothing, for an out-of-range IPv4", { "x-forwarded-for": "203.0.113.256" }, null],
    ["nothing, for an IPv6 with two ::", { "x-forwarded-for": "2001::db8::1" }, null],
    ["nothing, for too many IPv6 groups", { "x-forwarded-for": "1:2:3:4:5:6:7:8:9" }, null],
    ["nothing, for a host name", { "x-forwarded-for": "proxy.internal" }, null],
  ])("takes %s", (_, headers, expected) => {
    expect(clientIp(new Headers(headers))).toBe(expected);
  });
});

describe("ipKey", () => {
  it("keys IPv4 by address and IPv6 by its /64", () => {
    expect(ipKey("203.0.113.7")).toBe("ip:203.0.113.7");
    expect(ipKey("2001:db8:a:b:1:2:3:4")).toBe("ip:2001:db8:a:b::/64");
    expect(ipKey("2001:db8::1")).toBe("ip:2001:db8:0:0::/64");
    expect(ipKey(null)).toBe("ip:unknown");
  });
});
