import { DomainError } from "../domain-error";

export interface ItemState {
  status: "draft" | "in_review" | "active" | "rejected" | "archived";
  vtuberStatus: "applied" | "approved" | "rejected" | "suspended";
  availableFrom: Date | null;
  availableUntil: Date | null;
}

// Never shown to fans: answering 404 keeps unreleased items from being probed.
const UNRELEASED = new Set<ItemState["status"]>(["draft", "in_review", "rejected"]);

/**
 * Whether an item can be exchanged at `now`. The window is half-open, like a campaign's:
 * open from `availableFrom`, closed from `availableUntil` on.
 * @throws DomainError `exchange_item_not_found` for unreleased items, `exchange_not_available`
 *   (with the reason) for archived ones, a VTuber no longer listed, or outside the window.
 */
export function assertExchangeable(item: ItemState, now: Date): void {
  if (UNRELEASED.has(item.status)) throw new DomainError("exchange_item_not_found");
  const refuse = (reason: string, extra: Record<string, unknown> = {}) => {
    throw new DomainError("exchange_not_available", [{ reason, ...extra }]);
  };
  if (item.status === "archived") refuse("archived");
  if (item.vtuberStatus !== "approved") refuse("vtuber_unavailable");
  if (item.availableFrom && now < item.availableFrom) refuse("not_started", { availableFrom: item.availableFrom });
  if (item.availableUntil && now >= item.availableUntil) refuse("ended", { availableUntil: item.availableUntil });
}
