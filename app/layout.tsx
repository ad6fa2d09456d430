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

/**
 * Which configured clusters are the demo cluster, so every page can say when it shows it, and why (the
 * current context did not answer) when the demo stands in for it.
 */
async function demoClusterInfo(): Promise<{ names: string[]; fallback: { context: string; reason: string } | null }> {
  try {
    const demos = (await listClusters()).filter((c) => c.source === "demo");
    return { names: demos.map((c) => c.name), fallback: demos.find((c) => c.fallbackFrom)?.fallbackFrom ?? null };
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
          <SiteShell demoClusters={demoClusters} demoFallback={fallback}>{children}</SiteShell>
        </Providers>
      </body>
    </html>
  );
}
