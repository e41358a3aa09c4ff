/**
 * A public page a CDN may keep and hand to every signed-out visitor, under a CSP as
 * strict about inline script as the per-request nonce. Edge-safe.
 *
 * Next puts the request's nonce on every script it renders (bootstrap, the streamed RSC
 * payload, React's Suspense completions). A shared copy cannot rely on that nonce: every
 * visitor would receive the same value, readable by anyone. So the gate renders the page
 * once with a fresh, secret nonce, and this module converts it: each inline script that
 * carries that render's nonce is allowed by its SHA-256 instead, and the policy names no
 * nonce at all. A script that was not rendered with the nonce (markup that slipped into
 * content, say) is not hashed and stays blocked, exactly as under the nonce policy. The
 * nonce attributes stay in the markup: with no 'nonce-…' source in the policy they
 * admit nothing.
 */

// Script elements as HTML serialises them: the body runs to the first `</script`.
// React escapes `<` inside the RSC payload, so no payload text can end a script early.
const SCRIPT_ELEMENT = /<script\b([^>]*)>([\s\S]*?)<\/script\s*>/gi;
const SRC_ATTRIBUTE = /\ssrc\s*=/i;

/**
 * The base64 SHA-256 of every inline script in `html` carrying ` nonce="<nonce>"`,
 * each once, in document order. External scripts need no hash: 'self' admits them.
 */
export async function inlineScriptHashes(html: string, nonce: string): Promise<string[]> {
  const marker = ` nonce="${nonce}"`;
  const bodies = new Set<string>();
  for (const [, attributes = "", body = ""] of html.matchAll(SCRIPT_ELEMENT)) {
    if (attributes.includes(marker) && !SRC_ATTRIBUTE.test(attributes)) bodies.add(body);
  }
  return Promise.all([...bodies].map(sha256Base64));
}

/** The nonce in a CSP header's script-src, as the gate set it for the render. */
export function nonceOf(csp: string | null): string | null {
  return /'nonce-([A-Za-z0-9+/=]+)'/.exec(csp ?? "")?.[1] ?? null;
}

async function sha256Base64(text: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
  return btoa(String.fromCharCode(...digest));
}

/**
 * Marks the gate's own render of a page it is about to share. The gate answers a marked
 * request like any personal one (fresh nonce, `private, no-store`), so a client that
 * sends the header itself gets nothing but an uncached page. Shared copies vary on it,
 * so a cache between the gate and the app never answers the render from a shared copy.
 */
export const RENDER_HEADER = "x-koepon-render";

/** Fetches a URL of this app; `fetch` in production, the app under test in tests. */
export type PageRenderer = (url: URL, init: RequestInit) => Promise<Response>;

/** `url`'s path and query on `origin`: set, not resolved, so no path can name another host. */
export function onOrigin(url: URL, origin: string): URL {
  const target = new URL(origin);
  target.pathname = url.pathname;
  target.search = url.search;
  return target;
}

export type RenderedPage =
  /** 200 HTML and no cookie: ready to share under a CSP of `scriptHashes`. */
  | { shareable: true; response: Response; scriptHashes: string[] }
  /** Anything else goes to this visitor only, with the render's own CSP. */
  | { shareable: false; response: Response; csp: string | null };

// Recomputed for the body we send (fetch has already decoded it), hop-by-hop, or ours to set.
const DROPPED_HEADERS = [
  "content-encoding",
  "content-length",
  "transfer-encoding",
  "connection",
  "keep-alive",
  "content-security-policy",
  "cache-control",
];

/** Renders the page `request` asks for through the app, marked, and prepares it for sharing. */
export async function renderPage(url: URL, requestHeaders: Headers, render: PageRenderer): Promise<RenderedPage> {
  const forwarded = new Headers(requestHeaders);
  for (const name of ["host", "connection", "content-length", "accept-encoding"]) forwarded.delete(name);
  forwarded.set(RENDER_HEADER, "1");
  const rendered = await render(url, { method: "GET", headers: forwarded, redirect: "manual" });

  const headers = new Headers(rendered.headers);
  for (const name of DROPPED_HEADERS) headers.delete(name);
  const csp = rendered.headers.get("content-security-policy");
  const nonce = nonceOf(csp);
  const isHtml = /^text\/html\b/i.test(rendered.headers.get("content-type") ?? "");
  if (rendered.status !== 200 || !isHtml || nonce === null || rendered.headers.has("set-cookie")) {
    return {
      shareable: false,
      response: new Response(rendered.body, { status: rendered.status, statusText: rendered.statusText, headers }),
      csp,
    };
  }
  const html = await rendered.text();
  return {
    shareable: true,
    response: new Response(html, { status: 200, headers }),
    scriptHashes: await inlineScriptHashes(html, nonce),
  };
}

/** `Vary` with `extra` added to what the response already names, each once. */
export function mergeVary(existing: string | null, extra: string): string {
  const names = [...(existing ?? "").split(","), ...extra.split(",")].map((n) => n.trim()).filter(Boolean);
  const seen = new Set<string>();
  return names.filter((n) => !seen.has(n.toLowerCase()) && seen.add(n.toLowerCase())).join(", ");
}
