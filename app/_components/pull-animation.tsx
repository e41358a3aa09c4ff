import { useEffect, useEffectEvent, useRef } from "react";
import { RARITIES, type Rarity } from "@/lib/gacha/types";
import type { GachaMessages } from "@/lib/i18n/dictionaries/gacha";
import type { PullReceipt } from "@/lib/payments/pull-receipt";

/** How long the show lasts, by the best rarity drawn: rarer results get the longer build-up. */
const DURATION_MS: Record<Rarity, number> = { N: 1400, R: 1400, SR: 2200, SSR: 3200 };

export function bestRarity(pull: PullReceipt): Rarity {
  return pull.results.reduce<Rarity>(
    (best, r) => (RARITIES.indexOf(r.rarity) > RARITIES.indexOf(best) ? r.rarity : best),
    "N",
  );
}

interface Props {
  pull: PullReceipt;
  t: GachaMessages;
  onDone: () => void;
}

/**
 * The pull's reveal: a CSS capsule animation whose colour and intensity escalate with
 * the best rarity (the classes carry the styling; reduced motion never gets here). It
 * ends by itself or on "スキップ"; the flow's live region tells screen-reader users what is happening.
 */
export function PullAnimation({ pull, t, onDone }: Props) {
  const best = bestRarity(pull);
  const skip = useRef<HTMLButtonElement>(null);
  const finish = useEffectEvent(onDone);

  useEffect(() => {
    skip.current?.focus();
    const timer = window.setTimeout(finish, DURATION_MS[best]);
    return () => window.clearTimeout(timer);
  }, [best]);

  return (
    <section className={`pull-stage pull-stage--${best}`} aria-labelledby="pull-stage-title">
      <h1 id="pull-stage-title" className="visually-hidden">
        {t.pull.drawing}
      </h1>
      <div className="pull-stage__capsule" aria-hidden="true">
        <span className="pull-stage__glow" />
        <span className="pull-stage__orb" />
      </div>
      <p className="pull-stage__label" aria-hidden="true">
        {t.pull.drawing}
      </p>
      <button ref={skip} type="button" className="button button--secondary pull-stage__skip" onClick={onDone}>
        {t.pull.skip}
      </button>
    </section>
  );
}
