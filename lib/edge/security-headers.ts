/**
 * Security headers for every response, pages and APIs alike. Edge-safe.
 *
 * The CSP uses a per-request nonce with 'strict-dynamic': Next.js reads the nonce from
 * the request's CSP header and puts it on its own scripts, so no inline script runs
 * unless the server rendered it. Styles stay 'unsafe-inline' because React and Next
 * emit style attributes; that is an accepted, much smaller risk than script injection.
 *
 * A page a CDN keeps for everyone cannot carry a nonce (every visitor would share it, and
 * it would be public). Those pages list the SHA-256 of each inline script the render
 * emitted instead (lib/edge/shareable-page.ts); without 'strict-dynamic', 'self' then
 * admits the framework's own chunks.
 */

export interface SecurityHeaderOptions {
  /** This response's own nonce: scripts carrying it run, and what they load. */
  nonce?: string;
  /** Instead of a nonce: base64 SHA-256 of each inline script a shared page may run. */
  scriptHashes?: readonly string[];
  /** Development needs eval for React's debugging tools; production never does. */
  development: boolean;
  /** Origins media may be loaded from besides our own (signed storage URLs). */
  mediaOrigins?: string[];
}

export function contentSecurityPolicy({
  nonce,
  scriptHashes,
  development,
  mediaOrigins = [],
}: SecurityHeaderOptions): string {
  const media = ["'self'", "blob:", ...mediaOrigins].join(" ");
  const scripts = scriptHashes
    ? ["'self'", ...scriptHashes.map((hash) => `'sha256-${hash}'`)]
    : ["'self'", `'nonce-${nonce ?? createNonce()}'`, "'strict-dynamic'"];
  if (development) scripts.push("'unsafe-eval'");
  return [
    "default-src 'self'",
    `script-src ${scripts.join(" ")}`,
    "style-src 'self' 'unsafe-inline'",
    `img-src 'self' data: ${media}`,
    `media-src ${media}`,
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}

export function securityHeaders(options: SecurityHeaderOptions) {
  return {
    "Content-Security-Policy": contentSecurityPolicy(options),
    // Two years, as the preload list asks; browsers ignore it over plain http.
    "Strict-Transport-Security": "max-age=63072000; includeSubDomains; preload",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), usb=(), payment=(self)",
    // For browsers that predate frame-ancestors.
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
  };
}

/** 128 random bits, base64: what CSP nonces should carry. */
export function createNonce(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return btoa(String.fromCharCode(...bytes));
}
