import "server-only";
/**
 * Who may read the local outbox at `/dev/outbox`: only when mail goes to the outbox at
 * all (never in production, where it cannot), and only a client on this machine. The
 * address is the one the rate limiter trusts (`npm start`'s front door appends the
 * socket peer; forwarding headers count only from configured proxies), so a remote
 * client cannot claim to be 127.0.0.1.
 */
import { getConfig } from "../config";
import { clientIp } from "../ratelimit/client-ip";

export function devOutboxDir(headers: Headers): string | null {
  const config = getConfig();
  if (config.mail.transport.kind !== "outbox" || config.mode === "production") return null;
  const ip = clientIp(headers, config.rateLimit.clientAddress);
  return ip !== null && isLoopback(ip) ? config.mail.transport.dir : null;
}

/** `clientIp` gives IPv6 with every group written out, IPv4-mapped addresses as IPv4. */
export function isLoopback(ip: string): boolean {
  return ip === "::1" || ip === "0:0:0:0:0:0:0:1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(ip);
}
