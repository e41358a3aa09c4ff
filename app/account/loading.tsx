import { PageSkeleton } from "@/app/_components/page-skeleton";

/** Shown while the account is read: placeholders shaped like its three panels. */
export default function Loading() {
  return <PageSkeleton className="account-page" blocks={["", "", ""]} />;
}
