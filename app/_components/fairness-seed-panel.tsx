"use client";

import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { ApiErrorAlert } from "@/app/_components/api-error-alert";
import { FormField } from "@/app/_components/form-field";
import { useApiSubmit } from "@/app/_components/use-api-submit";
import type { FairnessMessages } from "@/lib/i18n/dictionaries/fairness";

export interface SeedView {
  seedHash: string;
  clientSeed: string;
  nextNonce: number;
}

interface Props {
  seed: SeedView;
  t: FairnessMessages;
  /** The account page offers the rotation; the confirmation screen only shows the commitment. */
  allowRotate?: boolean;
}

interface Revealed {
  seedHash: string;
  serverSeed: string;
}

/**
 * The fan's committed seed: its hash (shown before paying), the client seed they may
 * change, and in the account the rotation that reveals the seed and commits a new one.
 */
export function FairnessSeedPanel({ seed: initial, t, allowRotate = false }: Props) {
  const router = useRouter();
  const [seed, setSeed] = useState(initial);
  const [revealed, setRevealed] = useState<Revealed | null>(null);
  const save = useApiSubmit<{ fairness: SeedView }>();
  const rotate = useApiSubmit<{ revealed: Revealed; current: SeedView }>();

  async function onSave(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const clientSeed = String(new FormData(event.currentTarget).get("clientSeed") ?? "").trim();
    const answer = await save.submit("/api/me/fairness", { method: "PUT", body: { clientSeed } });
    if (answer) setSeed(answer.fairness);
  }

  async function onRotate() {
    const answer = await rotate.submit("/api/me/fairness/rotate", { method: "POST" });
    if (answer) {
      setSeed(answer.current);
      setRevealed(answer.revealed);
      // The history's verify links are server-rendered: read them again.
      router.refresh();
    }
  }

  return (
    <div className="fairness-panel" data-testid="fairness-panel">
      <dl className="legal-table">
        <div>
          <dt>{t.seedHash}</dt>
          <dd>
            <code className="fairness-hex" data-testid="seed-hash">
              {seed.seedHash}
            </code>
          </dd>
        </div>
        <div>
          <dt>{t.nextNonce}</dt>
          <dd data-testid="next-nonce">{seed.nextNonce}</dd>
        </div>
      </dl>
      <form className="fairness-form" onSubmit={onSave} noValidate>
        <FormField id="client-seed" label={t.clientSeed} hint={t.clientSeedHint}>
          <input
            id="client-seed"
            name="clientSeed"
            type="text"
            autoComplete="off"
            spellCheck={false}
            maxLength={64}
            defaultValue={seed.clientSeed}
            key={seed.clientSeed}
            aria-describedby="client-seed-hint"
            aria-invalid={save.error ? true : undefined}
          />
        </FormField>
        <ApiErrorAlert id="client-seed-error" error={save.error} fieldNames={{ clientSeed: t.clientSeed }} />
        <p role="status" className="form-status">
          {save.result ? t.saved : ""}
        </p>
        <button type="submit" className="button button--secondary" disabled={save.pending} aria-busy={save.pending}>
          {save.pending ? t.saving : t.saveClientSeed}
        </button>
      </form>
      {allowRotate && (
        <div className="fairness-rotate">
          <button
            type="button"
            className="button"
            onClick={onRotate}
            disabled={rotate.pending}
            aria-busy={rotate.pending}
          >
            {rotate.pending ? t.rotating : t.rotate}
          </button>
          <ApiErrorAlert id="rotate-error" error={rotate.error} />
          <div role="status">
            {revealed && (
              <>
                <p>{t.rotated}</p>
                <dl className="legal-table">
                  <div>
                    <dt>{t.revealedSeed}</dt>
                    <dd>
                      <code className="fairness-hex" data-testid="revealed-seed">
                        {revealed.serverSeed}
                      </code>
                    </dd>
                  </div>
                  <div>
                    <dt>{t.revealedHash}</dt>
                    <dd>
                      <code className="fairness-hex">{revealed.seedHash}</code>
                    </dd>
                  </div>
                </dl>
              </>
            )}
          </div>
        </div>
      )}
    </div>
  );
}
