"use client";
// The page chrome: header, demo banner and the main column. /embed/* pages are framed in wikis and
// get none of it (contract §4: a chrome-less panel).
import { usePathname } from "next/navigation";
import type { ReactNode } from "react";

export interface SiteShellProps {
  /** Names of the configured clusters that are the embedded demo cluster. */
  demoClusters: string[];
  children: ReactNode;
}

export function SiteShell({ demoClusters, children }: SiteShellProps) {
  const path = usePathname() ?? "/";
  if (path === "/embed" || path.startsWith("/embed/")) return <>{children}</>;
  const cluster = /^\/c\/([^/]+)/.exec(path)?.[1];
  const clusterName = cluster === undefined ? undefined : safeDecode(cluster);
  const banner =
    clusterName !== undefined
      ? demoClusters.includes(clusterName)
        ? `Demo cluster "${clusterName}": generated sample data, not a live cluster.`
        : null
      : demoClusters.length > 0
        ? `Includes the demo cluster ${demoClusters.map((c) => `"${c}"`).join(", ")}: generated sample data, not a live cluster.`
        : null;
  return (
    <>
      <a href="#main" className="skip-link">
        Skip to content
      </a>
      <header className="site-header">
        <a href="/" className="brand">
          Handshake
        </a>
        <nav aria-label="Site">
          <a href="/">Overview</a>
        </nav>
      </header>
      {banner ? (
        <div className="demo-banner" role="note" data-testid="demo-banner">
          {banner}
        </div>
      ) : null}
      <main id="main" className="content">
        {children}
      </main>
    </>
  );
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
