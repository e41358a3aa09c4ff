import { PageSkeleton } from "@/app/_components/page-skeleton";
import "./history.css";

/** Shown while the history is read: placeholders shaped like the spend panel, the tabs and the list. */
export default function Loading() {
  return <PageSkeleton className="history-page" blocks={["", "history-skeleton--tabs", "history-skeleton--list"]} />;
}
