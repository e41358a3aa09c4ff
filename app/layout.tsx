import type { Metadata, Viewport } from "next";
import type { ReactNode } from "react";
import { Analytics } from "@vercel/analytics/next";
import { getConfig } from "@/lib/config";
import { getLocale, messagesFor } from "@/lib/i18n/server";
import { SiteFooter } from "./_components/site-footer";
import { SiteHeader } from "./_components/site-header";
import "./globals.css";

export async function generateMetadata(): Promise<Metadata> {
  const t = messagesFor(await getLocale());
  return {
    metadataBase: new URL(getConfig().appUrl),
    title: { default: t.meta.title, template: `%s | ${t.meta.siteName}` },
    description: t.meta.description,
    applicationName: t.meta.siteName,
  };
}

export const viewport: Viewport = {
  width: "device-width",
  initialScale: 1,
  themeColor: "#c2185b",
};

export default async function RootLayout({ children }: { children: ReactNode }) {
  const locale = await getLocale();
  const t = messagesFor(locale);
  return (
    <html lang={locale}>
      <body>
        <a className="skip-link" href="#main">
          {t.layout.skipToContent}
        </a>
        <SiteHeader t={t.layout} />
        <main id="main" tabIndex={-1} className="container">
          {children}
        </main>
        <SiteFooter t={t} locale={locale} />
        {getConfig().webAnalytics && <Analytics />}
      </body>
    </html>
  );
}
