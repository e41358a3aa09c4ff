import { getMessages } from "@/lib/i18n/server";

interface Props {
  /** The page's own class, so the placeholders take the page's width and spacing. */
  className?: string;
  /** Extra classes of the blocks under the title, one entry per block ("" for a plain one). */
  blocks?: string[];
  /** Card placeholders after the blocks, for pages that end in a grid of cards. */
  cards?: number;
  /** @default "card-grid" */
  gridClassName?: string;
}

/**
 * What a page shows while its data loads: grey placeholders in the page's shape, and one
 * polite "loading" announcement for screen readers (the placeholders themselves are hidden).
 */
export async function PageSkeleton({ className, blocks = ["", ""], cards = 0, gridClassName = "card-grid" }: Props) {
  const t = await getMessages();
  return (
    <div role="status" aria-live="polite" className={className}>
      <span className="visually-hidden">{t.loading}</span>
      <div className="skeleton skeleton--title" aria-hidden="true" />
      {blocks.map((extra, index) => (
        <div key={index} className={`skeleton ${extra}`.trim()} aria-hidden="true" />
      ))}
      {cards > 0 && (
        <div className={gridClassName} aria-hidden="true">
          {Array.from({ length: cards }, (_, index) => (
            <div key={index} className="skeleton" />
          ))}
        </div>
      )}
    </div>
  );
}
