import type { Metadata } from "next";
import Link from "next/link";
import type { ReactNode } from "react";
import { adminPage } from "./_components/admin-page";
import "./admin.css";

export async function generateMetadata(): Promise<Metadata> {
  const { t } = await adminPage();
  return { title: t.title, robots: { index: false } };
}

export default async function AdminLayout({ children }: { children: ReactNode }) {
  const { t } = await adminPage();
  const links = [
    ["/admin", t.nav.overview],
    ["/admin/review", t.nav.review],
    ["/admin/users", t.nav.users],
    ["/admin/payments", t.nav.payments],
    ["/admin/alerts", t.nav.alerts],
    ["/admin/audit", t.nav.audit],
  ] as const;
  return (
    <div className="admin">
      <nav className="admin-nav" aria-label={t.nav.label}>
        <ul>
          {links.map(([href, label]) => (
            <li key={href}>
              <Link href={href}>{label}</Link>
            </li>
          ))}
        </ul>
      </nav>
      <div className="admin-body">{children}</div>
    </div>
  );
}
