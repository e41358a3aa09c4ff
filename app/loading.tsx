import { PageSkeleton } from "./_components/page-skeleton";

/** Shown while a page's data loads: placeholders shaped like the cards that will replace them. */
export default function Loading() {
  return <PageSkeleton blocks={[]} cards={3} />;
}
