/**
 * Where anonymous traffic is counted: the client's address. Edge-safe.
 *
 * Trust assumption: a proxy we run sits in front of the app and writes the address it
 * saw. Vercel overwrites `X-Forwarded-For` (and `X-Real-IP`) with the client's address,
 * so the header holds one entry. Self-hosted, nginx's `$proxy_add_x_forwarded_for` (and
 * most proxies) append the peer address to whatever the client sent, so the LAST entry
 * is the one our proxy wrote and the earlier ones are the client's to invent. Hence the
 * last entry, which is also the only one on Vercel. `next start` exposed without a proxy
 * keeps a client-sent header as it is, so anonymous limits would be per spoofed address
 * there: do not serve it to the internet directly.
 */

/** The client's address, canonical (IPv4-mapped IPv6 as IPv4), or null when none is known. */
export function clientIp(headers: Headers): string | null {
  const forwarded = headers.get("x-forwarded-for");
  const last = forwarded?.split(",").at(-1)?.trim();
  return parseAddress(last) ?? parseAddress(headers.get("x-real-ip")?.trim());
}

/**
 * The counter key for an address. IPv6 is counted per /64: that is the block one
 * subscriber line gets, and a client can pick any address inside it at will.
 * Requests with no known address share one counter; only a misconfigured proxy sends
 * those, and sharing fails towards limiting rather than towards letting through.
 */
export function ipKey(ip: string | null): string {
  if (ip === null) return "ip:unknown";
  const groups = ipv6Groups(ip);
  return groups ? `ip:${groups.slice(0, 4).join(":")}::/64` : `ip:${ip}`;
}

function parseAddress(raw: string | undefined): string | null {
  if (!raw) return null;
  // "[2001:db8::1]:443" and "203.0.113.7:5123" carry a port; "fe80::1%eth0" a zone.
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(raw);
  const host = (bracketed ? bracketed[1]! : raw.replace(/^(\d+\.\d+\.\d+\.\d+):\d+$/, "$1")).replace(/%.*$/, "");
  if (isIpv4(host)) return host;
  const groups = ipv6Groups(host);
  if (!groups) return null;
  // Dual-stack sockets report IPv4 clients as ::ffff:a.b.c.d; count them as the IPv4 address.
  if (groups.slice(0, 5).every((g) => g === "0") && groups[5] === "ffff") {
    const [high, low] = [parseInt(groups[6]!, 16), parseInt(groups[7]!, 16)];
    return [high >> 8, high & 255, low >> 8, low & 255].join(".");
  }
  return groups.join(":");
}

function isIpv4(value: string): boolean {
  const parts = value.split(".");
  return parts.length === 4 && parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255);
}

/** The eight groups of an IPv6 address, lowercase without leading zeros; null if it is not one. */
function ipv6Groups(value: string): string[] | null {
  if (!value.includes(":")) return null;
  let text = value.toLowerCase();
  // A trailing dotted quad (::ffff:1.2.3.4) stands for the last two groups.
  const quad = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (quad) {
    if (!isIpv4(quad[1]!)) return null;
    const [a, b, c, d] = quad[1]!.split(".").map(Number) as [number, number, number, number];
    text = `${text.slice(0, quad.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const halves = text.split("::");
  if (halves.length > 2) return null;
  const head = halves[0] ? halves[0].split(":") : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(":") : [];
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return null;
  const groups = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill("0"), ...tail];
  if (!groups.every((g) => /^[0-9a-f]{1,4}$/.test(g))) return null;
  return groups.map((g) => parseInt(g, 16).toString(16));
}
