import { PageSkeleton } from "@/app/_components/page-skeleton";
import "./exchange.css";

/** Placeholders shaped like the exchange while it loads: title, balance, item cards. */
export default function ExchangeLoading() {
  return <PageSkeleton className="exchange-page" blocks={[""]} cards={3} gridClassName="exchange-items" />;
}
