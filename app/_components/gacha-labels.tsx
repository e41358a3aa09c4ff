import type { ContentKind, Rarity } from "@/lib/gacha/types";
import type { GachaMessages } from "@/lib/i18n/dictionaries/gacha";

// Symbols only decorate: the kind is always spelled out next to them. Plain text symbols
// rather than emoji, which render as empty boxes where no emoji font is installed.
const KIND_ICONS: Record<ContentKind, string> = { voice: "♪", image: "▣", video: "▶" };

export function RarityBadge({ rarity, t }: { rarity: Rarity; t: GachaMessages }) {
  return <span className={`rarity rarity--${rarity}`}>{t.rarity[rarity]}</span>;
}

export function KindLabel({ kind, t }: { kind: ContentKind; t: GachaMessages }) {
  return (
    <span className="kind">
      <span aria-hidden="true">{KIND_ICONS[kind]}</span> {t.kind[kind]}
    </span>
  );
}
