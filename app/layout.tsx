import type { Metadata } from "next";
import type { ReactNode } from "react";

import "./globals.css";

export const metadata: Metadata = {
  title: "Handshake",
  description: "Mesh TLS visibility: effective mTLS per edge, certificate expiry, misconfiguration findings.",
  icons: { icon: "/favicon.svg" },
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <header className="site-header">
          <a href="/" className="brand">
            Handshake
          </a>
        </header>
        <main className="content">{children}</main>
      </body>
    </html>
  );
}
