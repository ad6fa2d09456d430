import type { Metadata } from "next";
import type { ReactNode } from "react";

import { Providers } from "@/components/Providers";
import { SiteShell } from "@/components/shell/SiteShell";
import { listClusters } from "@/lib/server/snapshots";

import "./globals.css";

export const metadata: Metadata = {
  title: "Handshake",
  description: "Mesh TLS visibility: effective mTLS per edge, certificate expiry, misconfiguration findings.",
  icons: { icon: "/favicon.svg" },
};

/** Which configured clusters are the demo cluster, so every page can say when it shows it. */
async function demoClusterNames(): Promise<string[]> {
  try {
    return (await listClusters()).filter((c) => c.source === "demo").map((c) => c.name);
  } catch {
    // The banner is informative; a failing cluster list must not take every page down.
    return [];
  }
}

export default async function RootLayout({ children }: { children: ReactNode }) {
  const demoClusters = await demoClusterNames();
  return (
    <html lang="en">
      <body>
        <Providers>
          <SiteShell demoClusters={demoClusters}>{children}</SiteShell>
        </Providers>
      </body>
    </html>
  );
}
