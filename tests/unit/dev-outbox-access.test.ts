/**
 * `/dev/outbox` shows mail with live reset and verification links, so only a client on
 * this machine may read it: the address comes from the front door's appended socket
 * peer, and a client's own X-Forwarded-For entries to the left of it count for nothing.
 */
import { describe, expect, it } from "vitest";
import { getConfig } from "@/lib/config";
import { devOutboxDir, isLoopback } from "@/lib/mail/dev-outbox";

const outbox = (forwardedFor: string | null) =>
  devOutboxDir(new Headers(forwardedFor === null ? {} : { "x-forwarded-for": forwardedFor }));

describe("who may read the local outbox", () => {
  it("uses the outbox here, as no transport is configured", () => {
    expect(getConfig().mail.transport.kind).toBe("outbox");
  });

  it.each([
    ["IPv4 loopback", "127.0.0.1", true],
    ["another 127/8 address", "127.3.2.1", true],
    ["IPv6 loopback", "::1", true],
    ["a LAN peer", "192.168.1.20", false],
    ["a remote peer", "203.0.113.5", false],
    ["a remote peer claiming loopback first", "127.0.0.1, 203.0.113.5", false],
    ["a remote peer with a forged chain", "::1, 127.0.0.1, 198.51.100.9", false],
    ["garbage", "localhost", false],
    ["no address at all", null, false],
  ])("%s (%s): %s", (_name, forwardedFor, allowed) => {
    expect(outbox(forwardedFor) !== null).toBe(allowed);
  });

  it("recognises loopback addresses only", () => {
    expect(["127.0.0.1", "::1", "127.255.255.254"].every(isLoopback)).toBe(true);
    expect(["128.0.0.1", "::2", "::ffff:10.0.0.1", "1270.0.0.1"].some(isLoopback)).toBe(false);
  });
});
