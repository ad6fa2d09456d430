import type { Metadata } from "next";
import type { ReactNode } from "react";

import { Providers } from "@/components/Providers";
import { SiteShell } from "@/components/shell/SiteShell";
import { listClusters } from "@/lib/server/snapshots";
import type { DefaultFallback } from "@/lib/view/shell/demoBanner";

import "./globals.css";

export const metadata: Metadata = {
  title: "Handshake",
  description: "Mesh TLS visibility: effective mTLS per edge, certificate expiry, misconfiguration findings.",
  icons: { icon: "/favicon.svg" },
};

/**
 * Which configured clusters are the demo cluster, so every page can say when it shows it, and why the
 * default (the demo, or in-cluster) stands in for the current context when it does.
 */
async function demoClusterInfo(): Promise<{ names: string[]; fallback: DefaultFallback | null }> {
  try {
    const clusters = await listClusters();
    const standIn = clusters.find((c) => c.fallbackFrom);
    return {
      names: clusters.filter((c) => c.source === "demo").map((c) => c.name),
      fallback: standIn?.fallbackFrom
        ? { ...standIn.fallbackFrom, shown: standIn.name, shownIsDemo: standIn.source === "demo" }
        : null,
    };
  } catch {
    // The banner is informative; a failing cluster list must not take every page down.
    return { names: [], fallback: null };
  }
}

export default async function RootLayout({ children }: { children: ReactNode }) {
  const { names: demoClusters, fallback } = await demoClusterInfo();
  return (
    <html lang="en">
      <body>
        <Providers>
          <SiteShell demoClusters={demoClusters} defaultFallback={fallback}>
            {children}
          </SiteShell>
        </Providers>
      </body>
    </html>
  );
}
