/**
 * Where to send a visitor back to after a redirecting route (`/lang`) or a sign-in
 * (`/login?next=`, `/signup?next=` and their forms): the one check for all of them.
 *
 * Only a same-site path is accepted, so none of them is an open redirect. The check is
 * made on the path as a browser will resolve it, not on the text as sent: `/.//evil`,
 * `/a/..//evil` and `/%2e//evil` all resolve to `//evil`, which a browser reads as
 * another host. Anything that is, or decodes to, a backslash, a control character or a
 * leading `//` falls back, as do absolute URLs and schemes.
 */
const BASE = new URL("http://koepon.invalid");
// Browsers read "\" as "/" and strip tab, CR and LF before resolving a URL.
const UNSAFE_CHARACTER = /[\\\u0000-\u001f\u007f]/;

export function safeReturnPath(candidate: string | null | undefined, fallback = "/"): string {
  if (!candidate || candidate.length > 2048) return fallback;
  if (!candidate.startsWith("/") || UNSAFE_CHARACTER.test(candidate)) return fallback;

  let resolved: URL;
  try {
    resolved = new URL(candidate, BASE);
  } catch {
    return fallback;
  }
  if (resolved.origin !== BASE.origin) return fallback;
  const path = resolved.pathname;
  if (!isPlainPath(path)) return fallback;
  return `${path}${resolved.search}${resolved.hash}`;
}

/** A path that cannot name another host however often it is decoded and resolved. */
function isPlainPath(path: string): boolean {
  let decoded = path;
  // Decoded until stable: a proxy or a later redirect may decode once more.
  for (let round = 0; round < 3; round += 1) {
    if (UNSAFE_CHARACTER.test(decoded)) return false;
    if (decoded.startsWith("//") || resolvesOffSite(decoded)) return false;
    let next: string;
    try {
      next = decodeURIComponent(decoded);
    } catch {
      return false;
    }
    if (next === decoded) return true;
    decoded = next;
  }
  return false;
}

function resolvesOffSite(path: string): boolean {
  try {
    const url = new URL(path, BASE);
    return url.origin !== BASE.origin || url.pathname.startsWith("//");
  } catch {
    return true;
  }
}
