import type { Metadata } from "next";
import { headers } from "next/headers";
import Link from "next/link";
import { notFound } from "next/navigation";
import { devOutboxDir } from "@/lib/mail/dev-outbox";
import { listOutbox, OUTBOX_PAGE_SIZE } from "@/lib/mail/outbox";

export const dynamic = "force-dynamic";

export const metadata: Metadata = { title: "開発用メールボックス / Dev outbox", robots: { index: false } };

interface Props {
  searchParams: Promise<{ to?: string | string[] }>;
}

/** The mail this local server "sent", newest first (lib/mail/outbox.ts). 404 unless local. */
export default async function DevOutboxPage({ searchParams }: Props) {
  const dir = devOutboxDir(await headers());
  if (dir === null) notFound();
  const to = [(await searchParams).to].flat()[0]?.trim() || undefined;
  const mails = await listOutbox(dir, to === undefined ? {} : { to });

  return (
    <section className="account-page" aria-labelledby="outbox-title">
      <h1 id="outbox-title">開発用メールボックス / Dev outbox</h1>
      <p className="note">
        メール送信が設定されていないため、送信したメールはここに保存されています（このPCからのみ表示）。新しい順に
        {OUTBOX_PAGE_SIZE}件まで。 / No mail transport is configured, so mail is kept here (visible from this machine
        only), newest first, up to {OUTBOX_PAGE_SIZE}.
      </p>
      <form className="limit-form" method="get">
        <label htmlFor="outbox-to">宛先で絞り込む / Filter by recipient</label>
        <input id="outbox-to" name="to" type="email" defaultValue={to ?? ""} />
        <div className="button-row">
          <button type="submit" className="button button--secondary">
            絞り込む / Filter
          </button>
        </div>
      </form>
      {mails.length === 0 ? (
        <p className="panel">メールはまだありません。 / No mail yet.</p>
      ) : (
        <ul className="panel outbox-list">
          {mails.map((mail) => (
            <li key={mail.id}>
              <Link href={`/dev/outbox/${mail.id}`}>{mail.subject}</Link>
              <br />
              <span className="note">
                {mail.to} · <time dateTime={mail.sentAt}>{mail.sentAt}</time>
              </span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
