import { getConfig } from "../config";
import { clientIp, ipKey } from "../ratelimit/client-ip";

/** The rate limiter's notion of the client address (first untrusted hop, IPv6 per /64), as the login throttle counts it. */
export function clientKey(request: Request): string {
  return ipKey(clientIp(request.headers, getConfig().rateLimit.clientAddress));
}
