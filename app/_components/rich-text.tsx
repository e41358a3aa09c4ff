import { sanitizeVtuberHtml, sanitizeVtuberText } from "@/lib/rich-text/sanitize";

interface Props {
  /** VTuber-written text; may hold the little markup lib/rich-text allows. */
  html: string;
  className?: string;
  /** Text only, in a <p>: for previews inside cards. */
  preview?: boolean;
}

/** Shows VTuber-written text, only ever after sanitising it. */
export function RichText({ html, className, preview = false }: Props) {
  if (preview) return <p className={className} dangerouslySetInnerHTML={{ __html: sanitizeVtuberText(html) }} />;
  return (
    <div className={`rich-text ${className ?? ""}`} dangerouslySetInnerHTML={{ __html: sanitizeVtuberHtml(html) }} />
  );
}
