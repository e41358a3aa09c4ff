import { PageSkeleton } from "@/app/_components/page-skeleton";
import "./rewards.css";

/** Placeholders shaped like the reward box while it is read: title, filters, cards. */
export default function RewardsLoading() {
  return <PageSkeleton className="rewards-page" blocks={[""]} cards={3} />;
}
