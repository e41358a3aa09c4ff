import type { Metadata } from "next";
import { getMessages } from "@/lib/i18n/server";
import { NotFoundNotice } from "./_components/not-found-notice";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getMessages()).notFound.title };
}

export default async function NotFound() {
  const t = (await getMessages()).notFound;
  return <NotFoundNotice title={t.title} body={t.body} />;
}
