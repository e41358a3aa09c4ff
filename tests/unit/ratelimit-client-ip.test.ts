import { describe, expect, it } from "vitest";
import { appendSocketPeer, clientIp, ipKey, isAddressBlock, type ClientAddressConfig } from "@/lib/ratelimit/client-ip";

const direct: ClientAddressConfig = { source: "forwarded", trustedProxies: [] };
const behindProxies: ClientAddressConfig = {
  source: "forwarded",
  trustedProxies: ["10.0.0.0/8", "2001:db8:ffff::/48", "192.0.2.1"],
};

describe("clientIp", () => {
  it.each([
    ["the socket peer, the only entry", direct, { "x-forwarded-for": "203.0.113.7" }, "203.0.113.7"],
    [
      "the socket peer, not what the client put before it",
      direct,
      { "x-forwarded-for": "10.9.9.9, 198.51.100.1,203.0.113.7" },
      "203.0.113.7",
    ],
    [
      "the socket peer, even when it is a private address nobody configured",
      direct,
      { "x-forwarded-for": "198.51.100.1, 10.0.0.5" },
      "10.0.0.5",
    ],
    [
      "the address our trusted proxy saw, behind it",
      behindProxies,
      { "x-forwarded-for": "6.6.6.6, 203.0.113.7, 10.0.0.5" },
      "203.0.113.7",
    ],
    [
      "the first untrusted address through two trusted hops",
      behindProxies,
      { "x-forwarded-for": "6.6.6.6, 203.0.113.7, 192.0.2.1, 10.1.2.3" },
      "203.0.113.7",
    ],
    [
      "a trusted IPv6 proxy's client",
      behindProxies,
      { "x-forwarded-for": "203.0.113.9, 2001:db8:ffff:1::2" },
      "203.0.113.9",
    ],
    ["the proxy itself when it is all there is", behindProxies, { "x-forwarded-for": "10.0.0.5" }, "10.0.0.5"],
    ["nothing when a trusted hop forwarded garbage", behindProxies, { "x-forwarded-for": "unknown, 10.0.0.5" }, null],
    ["never X-Real-IP, which anyone can send", direct, { "x-real-ip": "203.0.113.8" }, null],
    [
      "on Vercel, its own header only",
      { source: "vercel" },
      { "x-vercel-forwarded-for": "203.0.113.4", "x-forwarded-for": "6.6.6.6" },
      "203.0.113.4",
    ],
    ["on Vercel, nothing without its header", { source: "vercel" }, { "x-forwarded-for": "6.6.6.6" }, null],
    ["an IPv4 address with a port", direct, { "x-forwarded-for": "203.0.113.7:51234" }, "203.0.113.7"],
    [
      "a bracketed IPv6 address with a port",
      direct,
      { "x-forwarded-for": "[2001:DB8::1]:443" },
      "2001:db8:0:0:0:0:0:1",
    ],
    ["an IPv6 address with a zone", direct, { "x-forwarded-for": "fe80::1%eth0" }, "fe80:0:0:0:0:0:0:1"],
    ["an IPv4-mapped IPv6 address, as IPv4", direct, { "x-forwarded-for": "::ffff:198.51.100.4" }, "198.51.100.4"],
    ["the hex form of a mapped address", direct, { "x-forwarded-for": "::ffff:c633:6404" }, "198.51.100.4"],
    ["nothing, without headers", direct, {}, null],
    ["nothing, for an out-of-range IPv4", direct, { "x-forwarded-for": "203.0.113.256" }, null],
    ["nothing, for an IPv6 with two ::", direct, { "x-forwarded-for": "2001::db8::1" }, null],
    ["nothing, for too many IPv6 groups", direct, { "x-forwarded-for": "1:2:3:4:5:6:7:8:9" }, null],
    ["nothing, for a host name", direct, { "x-forwarded-for": "proxy.internal" }, null],
  ] as const)("takes %s", (_, trust, headers, expected) => {
    expect(clientIp(new Headers(headers), trust)).toBe(expected);
  });

  it("gives every forged header from one connection the same address", () => {
    const seen = new Set<string | null>();
    for (let i = 0; i < 20; i++) {
      const forwarded = appendSocketPeer(`198.51.100.${i}, 203.0.113.${i}`, "192.0.2.99");
      seen.add(clientIp(new Headers({ "x-forwarded-for": forwarded }), direct));
    }
    expect([...seen]).toEqual(["192.0.2.99"]);
  });
});

describe("isAddressBlock", () => {
  it.each([
    ["10.0.0.0/8", true],
    ["192.0.2.1", true],
    ["2001:db8::/32", true],
    ["::1", true],
    ["10.0.0.0/33", false],
    ["2001:db8::/129", false],
    ["proxy.internal", false],
    ["10.0.0.0/8/8", false],
    ["", false],
  ] as const)("%s is %s", (block, ok) => {
    expect(isAddressBlock(block)).toBe(ok);
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
