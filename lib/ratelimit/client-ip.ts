/**
 * Where anonymous traffic and the login lock are counted: the client's address. Edge-safe.
 *
 * A forwarding header is only as good as whoever wrote it, so it is read only as far as
 * it was written by machines we trust (`ClientAddressConfig`):
 * - On Vercel, its edge writes `X-Vercel-Forwarded-For` itself, whatever the client sent;
 *   that header alone is read.
 * - Elsewhere `X-Forwarded-For` is read from the right. Its last entry is the socket peer:
 *   `npm start` (scripts/serve.ts, `appendSocketPeer`) appends the address of the
 *   connection to whatever arrived. While that address is one of the configured
 *   `TRUSTED_PROXIES`, the entry before it is the one that proxy saw, and so on; the first
 *   untrusted address is the client. Entries further left are the client's to invent and
 *   are never read, so a forged header cannot open a fresh bucket.
 */
export type ClientAddressConfig =
  | { source: "vercel" }
  | {
      source: "forwarded";
      /** Addresses and CIDR blocks of our own proxies (`TRUSTED_PROXIES`). */
      trustedProxies: readonly string[];
    };

/** The client's address, canonical (IPv4-mapped IPv6 as IPv4), or null when none is known. */
export function clientIp(headers: Headers, trust: ClientAddressConfig): string | null {
  if (trust.source === "vercel") return parseAddress(headers.get("x-vercel-forwarded-for")?.split(",")[0]?.trim());
  const entries = (headers.get("x-forwarded-for") ?? "").split(",").map((entry) => entry.trim());
  for (let i = entries.length - 1; i >= 0; i--) {
    const ip = parseAddress(entries[i]);
    // An entry that is no address: whoever wrote it, nothing left of it can be trusted.
    if (ip === null) return null;
    if (i === 0 || !trust.trustedProxies.some((block) => inBlock(ip, block))) return ip;
  }
  return null;
}

/**
 * `X-Forwarded-For` as the app must see it: what arrived, with the connection's own
 * address appended. Called by the server in front of Next for every request, so the last
 * entry is always the real peer, never a value the client chose.
 */
export function appendSocketPeer(forwarded: string | string[] | undefined, peer: string | undefined): string {
  const arrived = [forwarded ?? []].flat().join(", ").trim();
  const socket = peer ?? "unknown";
  return arrived === "" ? socket : `${arrived}, ${socket}`;
}

/** Whether a list of trusted proxies is well formed: each an IPv4/IPv6 address, optionally `/prefix`. */
export function isAddressBlock(block: string): boolean {
  const [address, prefix, ...rest] = block.split("/");
  if (rest.length > 0 || !address) return false;
  const ip = parseAddress(address);
  if (ip === null) return false;
  if (prefix === undefined) return true;
  const max = isIpv4(ip) ? 32 : 128;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= max;
}

function inBlock(ip: string, block: string): boolean {
  const [address, prefix] = block.split("/");
  const base = parseAddress(address);
  if (base === null) return false;
  const a = bits(ip);
  const b = bits(base);
  if (a.length !== b.length) return false;
  const length = prefix === undefined ? a.length : Number(prefix);
  return a.slice(0, length) === b.slice(0, length);
}

/** An address as a string of bits (32 for IPv4, 128 for IPv6). */
function bits(ip: string): string {
  if (isIpv4(ip))
    return ip
      .split(".")
      .map((p) => Number(p).toString(2).padStart(8, "0"))
      .join("");
  return (ipv6Groups(ip) ?? []).map((g) => parseInt(g, 16).toString(2).padStart(16, "0")).join("");
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
