import type { Lang } from "../api/errors";

const TEXT = {
  400: {
    ja: { title: "リクエストが正しくありません", body: "URLの形式が正しくありません。" },
    en: { title: "Bad request", body: "The address is not valid." },
  },
  405: {
    ja: { title: "この操作はできません", body: "このページではこの操作はできません。" },
    en: { title: "Method not allowed", body: "This page does not accept this kind of request." },
  },
} as const;

/**
 * The page a browser gets when the gate refuses a request before any page can render
 * (a malformed address, an unknown method): a small document in the visitor's language
 * with a way home. It carries no script or style, so the strict CSP the gate sets holds.
 */
export function pageRefusal(status: 400 | 405, lang: Lang, headers: Record<string, string> = {}): Response {
  const t = TEXT[status][lang];
  const html =
    `<!doctype html><html lang="${lang}"><head><meta charset="utf-8">` +
    `<meta name="viewport" content="width=device-width, initial-scale=1">` +
    `<meta name="robots" content="noindex"><title>${t.title} | Koepon!</title></head>` +
    `<body><main><h1>${t.title}</h1><p>${t.body}</p>` +
    `<p><a href="/">${lang === "ja" ? "トップへ戻る" : "Back to the top page"}</a></p></main></body></html>`;
  return new Response(html, {
    status,
    headers: { "content-type": "text/html; charset=utf-8", "cache-control": "no-store", ...headers },
  });
}
