/**
 * VTuber-written text (profiles, campaign and exchange-item descriptions) may carry a
 * little markup: paragraphs, line breaks, emphasis, lists and links. It is shown to every
 * fan, so it is passed through DOMPurify with a short allow-list before it reaches a page;
 * anything else (scripts, handlers, styles, iframes, forms, images) is dropped.
 */
import DOMPurify from "isomorphic-dompurify";

const BLOCK_TAGS = ["p", "br", "strong", "em", "b", "i", "ul", "ol", "li", "a"];
/** Web and mail links only: no javascript:, data: or relative URLs that look like ours. */
const SAFE_LINK = /^(?:https?:\/\/|mailto:)/i;

let hooked = false;

/** Links leave the site in a new tab, without our referrer and without endorsement. */
function hookLinks(): void {
  if (hooked) return;
  hooked = true;
  DOMPurify.addHook("afterSanitizeAttributes", (node) => {
    if (node.tagName !== "A") return;
    const href = node.getAttribute("href");
    if (!href || !SAFE_LINK.test(href)) {
      node.removeAttribute("href");
      return;
    }
    node.setAttribute("target", "_blank");
    node.setAttribute("rel", "noopener noreferrer nofollow ugc");
  });
}

/** HTML safe to insert into a page, keeping the allowed markup. */
export function sanitizeVtuberHtml(input: string): string {
  hookLinks();
  return DOMPurify.sanitize(input, {
    ALLOWED_TAGS: BLOCK_TAGS,
    ALLOWED_ATTR: ["href"],
    ALLOWED_URI_REGEXP: SAFE_LINK,
  });
}

/**
 * The text alone, still HTML-escaped, for previews inside cards: a card is one link, and
 * links or lists inside it would be invalid and confusing.
 */
export function sanitizeVtuberText(input: string): string {
  return DOMPurify.sanitize(input, { ALLOWED_TAGS: ["#text"], KEEP_CONTENT: true });
}
