"use client";
// The page chrome: header, demo banner and the main column. /embed/* pages are framed in wikis and
// get none of it (contract §4: a chrome-less panel).
import { usePathname } from "next/navigation";
import type { ReactNode } from "react";
import { isEmbedPath } from "@/lib/view/expiry/frameAncestors";
import { demoBannerText, type DefaultFallback } from "@/lib/view/shell/demoBanner";

export interface SiteShellProps {
  /** Names of the configured clusters that are the embedded demo cluster. */
  demoClusters: string[];
  /** Why the default cluster stands in for the current context, when it does. */
  defaultFallback?: DefaultFallback | null;
  children: ReactNode;
}

export function SiteShell({ demoClusters, defaultFallback = null, children }: SiteShellProps) {
  const path = usePathname() ?? "/";
  if (isEmbedPath(path)) return <>{children}</>;
  const banner = demoBannerText(path, demoClusters, defaultFallback);
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
