import { PageSkeleton } from "@/app/_components/page-skeleton";

/** Placeholders shaped like the campaign page while it loads. */
export default function GachaLoading() {
  return <PageSkeleton />;
}
