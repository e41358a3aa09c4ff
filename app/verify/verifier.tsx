"use client";

import { useEffect, useState, type FormEvent } from "react";
import { FormField } from "@/app/_components/form-field";
import { readVerifyFragment } from "@/lib/fairness/verify-link";
import type { FairnessMessages } from "@/lib/i18n/dictionaries/fairness";
import { verifyInBrowser, type VerifyInput, type VerifyOutcome } from "./web-verify";

const EMPTY: VerifyInput = {
  seed: "",
  seedHash: "",
  clientSeed: "",
  nonce: "",
  count: "1",
  tableHash: "",
  tableText: "",
  expect: "",
};

const FIELDS: readonly Exclude<keyof VerifyInput, "tableText" | "expect">[] = [
  "seed",
  "seedHash",
  "clientSeed",
  "nonce",
  "count",
  "tableHash",
];

/**
 * The verifier's form, filled from the URL fragment the history links with. Verifying
 * runs in this page only (Web Crypto); nothing is sent anywhere.
 */
export function Verifier({ t }: { t: FairnessMessages["verify"] }) {
  const [input, setInput] = useState<VerifyInput>(EMPTY);
  const [pending, setPending] = useState(false);
  const [outcome, setOutcome] = useState<VerifyOutcome | null>(null);

  useEffect(() => {
    // The fragment exists only in the browser, so it is read after the first render.
    // eslint-disable-next-line react-hooks/set-state-in-effect
    if (window.location.hash) setInput({ ...EMPTY, ...readVerifyFragment(window.location.hash) });
  }, []);

  const set = (name: keyof VerifyInput) => (value: string) => {
    setInput((current) => ({ ...current, [name]: value }));
    setOutcome(null);
  };

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setPending(true);
    try {
      setOutcome(await verifyInBrowser(input));
    } finally {
      setPending(false);
    }
  }

  return (
    <>
      <form className="verify-form" onSubmit={onSubmit} noValidate>
        {FIELDS.map((name) => (
          <FormField key={name} id={`verify-${name}`} label={t[name]}>
            <input
              id={`verify-${name}`}
              name={name}
              type="text"
              autoComplete="off"
              spellCheck={false}
              inputMode={name === "nonce" || name === "count" ? "numeric" : undefined}
              value={input[name]}
              onChange={(event) => set(name)(event.target.value)}
            />
          </FormField>
        ))}
        <FormField id="verify-tableText" label={t.tableText}>
          <textarea
            id="verify-tableText"
            name="tableText"
            rows={6}
            spellCheck={false}
            value={input.tableText}
            onChange={(event) => set("tableText")(event.target.value)}
          />
        </FormField>
        <FormField id="verify-expect" label={t.expected}>
          <textarea
            id="verify-expect"
            name="expect"
            rows={3}
            spellCheck={false}
            value={input.expect}
            onChange={(event) => set("expect")(event.target.value)}
          />
        </FormField>
        <button type="submit" className="button" disabled={pending} aria-busy={pending}>
          {pending ? t.running : t.run}
        </button>
      </form>
      <div role="status" aria-live="polite" data-testid="verify-outcome">
        {outcome && (
          <div className={outcome.ok ? "verify-outcome verify-outcome--ok" : "verify-outcome verify-outcome--failed"}>
            <p>
              <strong>{outcome.ok ? t.verified : t.failed}</strong>
            </p>
            {!outcome.ok && <p>{t.reasons[outcome.reason]}</p>}
          </div>
        )}
      </div>
      {outcome && outcome.results.length > 0 && (
        <section aria-labelledby="verify-results">
          <h2 id="verify-results">{t.resultsHeading}</h2>
          <div className="table-scroll">
            <table className="verify-table">
              <thead>
                <tr>
                  <th scope="col">{t.slot}</th>
                  <th scope="col">{t.value}</th>
                  <th scope="col">{t.item}</th>
                  <th scope="col">{t.rarity}</th>
                </tr>
              </thead>
              <tbody>
                {outcome.results.map((x) => (
                  <tr key={x.slot}>
                    <td>{x.slot + 1}</td>
                    <td>{x.r}</td>
                    <td>
                      <code>{x.itemId}</code>
                    </td>
                    <td>{x.rarity}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      )}
    </>
  );
}
