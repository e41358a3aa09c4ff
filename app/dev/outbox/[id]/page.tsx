import type { Metadata } from "next";
import { headers } from "next/headers";
import Link from "next/link";
import { notFound } from "next/navigation";
import { devOutboxDir } from "@/lib/mail/dev-outbox";
import { readOutboxMail } from "@/lib/mail/outbox";

export const dynamic = "force-dynamic";

export const metadata: Metadata = { title: "メール / Mail", robots: { index: false } };

interface Props {
  params: Promise<{ id: string }>;
}

/** One mail as sent: headers, the text part with its links clickable, the HTML part as source. */
export default async function DevOutboxMailPage({ params }: Props) {
  const dir = devOutboxDir(await headers());
  if (dir === null) notFound();
  const mail = await readOutboxMail(dir, (await params).id);
  if (!mail) notFound();

  return (
    <article className="account-page" aria-labelledby="mail-subject">
      <p>
        <Link href="/dev/outbox">← メール一覧 / All mail</Link>
      </p>
      <h1 id="mail-subject">{mail.subject}</h1>
      <dl className="summary-list panel">
        <div>
          <dt>From</dt>
          <dd>{mail.from}</dd>
        </div>
        <div>
          <dt>To</dt>
          <dd>{mail.to}</dd>
        </div>
        <div>
          <dt>送信日時 / Sent</dt>
          <dd>
            <time dateTime={mail.sentAt}>{mail.sentAt}</time>
          </dd>
        </div>
      </dl>
      <section className="panel" aria-label="本文 / Text">
        <pre className="outbox-text">
          {mail.text.split(/(https?:\/\/\S+)/).map((part, i) =>
            i % 2 === 1 ? (
              <a key={i} href={part}>
                {part}
              </a>
            ) : (
              part
            ),
          )}
        </pre>
      </section>
      <details className="panel">
        <summary>HTML</summary>
        <pre className="outbox-text">{mail.html}</pre>
      </details>
    </article>
  );
}
