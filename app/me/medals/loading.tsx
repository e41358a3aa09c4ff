import { PageSkeleton } from "@/app/_components/page-skeleton";
import "./medals.css";

/** Shown while the medals are read: placeholders shaped like the rules, balances and history. */
export default function MedalsLoading() {
  return <PageSkeleton className="medals-page" />;
}
