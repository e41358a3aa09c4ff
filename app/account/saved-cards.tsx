import type { SavedCard } from "@/lib/payments/providers/types";
import type { AccountDataMessages } from "@/lib/i18n/dictionaries/account-data";

interface Props {
  provider: "sandbox" | "stripe";
  /** null when the provider could not be reached. */
  cards: SavedCard[] | null;
  t: AccountDataMessages["cards"];
}

/** The fan's saved cards as the payment provider lists them. */
export function SavedCards({ provider, cards, t }: Props) {
  if (cards === null) return <p role="alert">{t.unavailable}</p>;
  return (
    <>
      {cards.length === 0 ? (
        <p>{t.empty}</p>
      ) : (
        <ul className="saved-cards">
          {cards.map((card) => (
            <li key={card.id}>
              <span className="saved-cards__brand">{card.brand.toUpperCase()}</span> •••• {card.last4}{" "}
              <span className="note">
                {t.expires} {String(card.expMonth).padStart(2, "0")}/{card.expYear}
              </span>
            </li>
          ))}
        </ul>
      )}
      <p className="note">{provider === "sandbox" ? t.sandboxNote : t.stripeNote}</p>
    </>
  );
}
