import type { Metadata } from "next";
import { fairnessMessagesFor } from "@/lib/i18n/dictionaries/fairness";
import { getLocale } from "@/lib/i18n/server";
import { Verifier } from "./verifier";
import "./verify.css";

export async function generateMetadata(): Promise<Metadata> {
  return { title: fairnessMessagesFor(await getLocale()).verify.title };
}

/**
 * The pull verifier: a page that, once loaded, computes everything in the browser from
 * the parameters in its URL fragment or typed in. It reads nothing of the fan's.
 */
export default async function VerifyPage() {
  const t = fairnessMessagesFor(await getLocale()).verify;
  return (
    <div className="verify-page">
      <h1>{t.title}</h1>
      <p>{t.lead}</p>
      <Verifier t={t} />
      <section aria-labelledby="verify-how">
        <h2 id="verify-how">{t.howHeading}</h2>
        <p>{t.how}</p>
      </section>
    </div>
  );
}
