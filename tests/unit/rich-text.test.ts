import { describe, expect, it } from "vitest";
import { sanitizeVtuberHtml, sanitizeVtuberText } from "@/lib/rich-text/sanitize";

/** Payloads from the OWASP XSS filter evasion cheat sheet and friends. */
const ATTACKS = [
  "<script>alert(1)</script>",
  '<img src=x onerror="alert(1)">',
  "<svg onload=alert(1)>",
  '<a href="javascript:alert(1)">x</a>',
  '<a href="JaVaScRiPt:alert(1)">x</a>',
  '<a href="&#106;avascript:alert(1)">x</a>',
  '<a href="data:text/html,<script>alert(1)</script>">x</a>',
  '<iframe src="https://evil.example/"></iframe>',
  '<p style="background:url(javascript:alert(1))" onclick="alert(1)">x</p>',
  "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)></style></mglyph></table></mtext></math>",
  '<form action="https://evil.example/"><input name=password></form>',
  "<details open ontoggle=alert(1)>",
  '<object data="javascript:alert(1)"></object>',
  '<a href="https://ok.example/" onmouseover="alert(1)">x</a>',
  '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
];

describe("VTuber-written text", () => {
  it.each(ATTACKS)("drops every way to run script: %s", (payload) => {
    const out = sanitizeVtuberHtml(payload);
    expect(out).not.toMatch(/<script|<iframe|<svg|<object|<form|<input|<style|<img|<math|<details/i);
    expect(out).not.toMatch(/\son[a-z]+\s*=/i);
    expect(out).not.toMatch(/javascript:|data:text/i);
    expect(out).not.toMatch(/style=/i);
  });

  it("keeps the allowed markup", () => {
    expect(sanitizeVtuberHtml("<p>毎朝<strong>7時</strong>に<em>配信</em></p><ul><li>歌</li></ul>")).toBe(
      "<p>毎朝<strong>7時</strong>に<em>配信</em></p><ul><li>歌</li></ul>",
    );
  });

  it("opens outside links in a new tab without referrer or endorsement", () => {
    expect(sanitizeVtuberHtml('<a href="https://www.youtube.com/@mio">YouTube</a>')).toBe(
      '<a href="https://www.youtube.com/@mio" target="_blank" rel="noopener noreferrer nofollow ugc">YouTube</a>',
    );
  });

  it("keeps the text of a link whose address is not allowed, without the address", () => {
    expect(sanitizeVtuberHtml('<a href="/admin">管理</a>')).toBe("<a>管理</a>");
  });

  it("leaves plain text as it is, escaped", () => {
    expect(sanitizeVtuberHtml("歌 & 朝の挨拶 <3")).toBe("歌 &amp; 朝の挨拶 &lt;3");
  });

  it("reduces a preview to its text", () => {
    expect(
      sanitizeVtuberText('<p>毎朝<strong>7時</strong><a href="https://x.example/">link</a></p><script>x</script>'),
    ).toBe("毎朝7時link");
  });
});

describe("<RichText>", () => {
  it("renders VTuber text sanitised, in full and as a card preview", async () => {
    const { renderToStaticMarkup } = await import("react-dom/server");
    const { createElement } = await import("react");
    const { RichText } = await import("@/app/_components/rich-text");
    const payload = '<p>ようこそ<img src=x onerror="alert(1)"><a href="javascript:alert(1)">link</a></p>';

    expect(renderToStaticMarkup(createElement(RichText, { html: payload, className: "bio" }))).toBe(
      '<div class="rich-text bio"><p>ようこそ<a>link</a></p></div>',
    );
    expect(renderToStaticMarkup(createElement(RichText, { html: payload, preview: true }))).toBe("<p>ようこそlink</p>");
  });
});
