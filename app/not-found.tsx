import type { Metadata } from "next";
import Link from "next/link";
import { getMessages } from "@/lib/i18n/server";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getMessages()).notFound.title };
}

export default async function NotFound() {
  const t = (await getMessages()).notFound;
  return (
    <section className="legal" aria-labelledby="not-found-title">
      <h1 id="not-found-title">{t.title}</h1>
      <p>{t.body}</p>
      <Link href="/" className="button">
        {t.backHome}
      </Link>
    </section>
  );
}
