/**
 * Where to send a visitor back to after a redirecting route such as `/lang`.
 *
 * Only a same-site relative path is accepted, so the route cannot be used as an open
 * redirect: `//evil.example`, `/\evil.example` (browsers read `\` as `/`),
 * `https://…`, `javascript:` and anything with control characters fall back to `/`.
 */
export function safeReturnPath(candidate: string | null | undefined, fallback = "/"): string {
  if (!candidate || candidate.length > 2048) return fallback;
  if (!candidate.startsWith("/") || candidate.startsWith("//")) return fallback;
  // Backslashes and control characters (tab, CR, LF…) are what browsers strip or rewrite
  // before resolving a URL, turning "/\evil" or "/\t/evil" into another origin.
  if (/[\\\u0000-\u001f\u007f]/.test(candidate)) return fallback;

  const base = new URL("http://koepon.invalid");
  let resolved: URL;
  try {
    resolved = new URL(candidate, base);
  } catch {
    return fallback;
  }
  if (resolved.origin !== base.origin) return fallback;
  return `${resolved.pathname}${resolved.search}${resolved.hash}`;
}
