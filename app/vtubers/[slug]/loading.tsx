import { PageSkeleton } from "@/app/_components/page-skeleton";

/** Placeholders shaped like the VTuber page while it loads. */
export default function VtuberLoading() {
  return <PageSkeleton />;
}
