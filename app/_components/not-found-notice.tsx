import Link from "next/link";
import { getMessages } from "@/lib/i18n/server";

/** The body of every not-found page: what is missing, why it may be, and the way home. */
export async function NotFoundNotice({ title, body }: { title: string; body: string }) {
  const { notFound } = await getMessages();
  return (
    <section className="legal" aria-labelledby="not-found-title">
      <h1 id="not-found-title">{title}</h1>
      <p>{body}</p>
      <Link href="/" className="button">
        {notFound.backHome}
      </Link>
    </section>
  );
}
