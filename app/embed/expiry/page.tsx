// /embed/expiry?cluster=&namespace=&window=30d&theme=light|dark (contract §4): the expiry panel without
// site chrome, for wiki iframes. Framing is allowed only to HANDSHAKE_EMBED_ORIGINS (proxy.ts sets the
// CSP); the panel re-renders from a fresh snapshot every minute.
import { IgnoredParamsNotice } from "@/components/IgnoredParamsNotice";
import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { createLoader, type SearchParams } from "nuqs/server";
import { ExpiryPanel } from "@/components/expiry/ExpiryPanel";
import { defaultClusterName, getSnapshotView } from "@/lib/server/snapshots";
import { SnapshotUnavailableError, UnknownClusterError, type SnapshotView } from "@/lib/server/types";
import { namespaceExists } from "@/lib/view/sliceSnapshot";
import { cachedSlice } from "@/lib/server/apiRoute";
import { embedParsers, ignoredEmbedParams } from "@/lib/view/urlState";
import { AutoRefresh } from "@/components/AutoRefresh";
import { formatUtc } from "@/lib/view/expiry/format";
import "./embed.css";
import { oneLine } from "@/lib/server/oneLine";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Certificate expiry · Handshake", robots: { index: false } };

const loadEmbedParams = createLoader(embedParsers);
const REFRESH_SECONDS = 60;

export default async function EmbedExpiryPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const { cluster: asked, namespace, theme } = await loadEmbedParams(searchParams);
  // What the link asked for and did not get: said in the frame, not silently replaced by the default.
  const ignored = ignoredEmbedParams(await searchParams);
  let view: SnapshotView | null = null;
  let problem: string | null = null;
  let cluster = asked ?? "";
  // An unknown cluster or namespace is a 404 (./not-found.tsx, chrome-less like the panel); a cluster
  // without a snapshot yet says so in the frame and the auto-refresh retries.
  let unknown = false;
  try {
    cluster = asked ?? (await defaultClusterName());
    view = await getSnapshotView(cluster);
    if (namespace && !namespaceExists(view.snapshot, namespace)) unknown = true;
  } catch (e) {
    if (e instanceof UnknownClusterError) unknown = true;
    else if (e instanceof SnapshotUnavailableError) problem = e.message;
    else {
      problem = "the snapshot could not be read";
      console.error("handshake: /embed/expiry:", oneLine(e));
    }
  }
  if (unknown) notFound();
  const scope = `${cluster}${namespace ? ` / ${namespace}` : ""}`;
  const scoped =
    view && !problem ? (namespace ? cachedSlice(view.snapshot, namespace) : view.snapshot) : null;
  const certificates = scoped?.certificates ?? [];
  const findings = scoped?.findings ?? [];
  return (
    <div className="embed-root expiry-panel" data-theme={theme} data-testid="embed-root">
      <AutoRefresh seconds={REFRESH_SECONDS} />
      <h1>Certificate expiry · {scope}</h1>
      {view ? (
        <p className="embed-meta">
          {view.demo ? "Demo cluster (sample data) · " : ""}
          as of {formatUtc(view.snapshot.now)}
          {view.stale ? ` · stale: ${view.error ?? "last refresh failed"}` : ""} · refreshes every minute
        </p>
      ) : null}
      <IgnoredParamsNotice
        ignored={ignored}
        className="embed-meta embed-ignored"
        lead="Ignored:"
        tail="; showing the default."
      />
      {problem || !view ? (
        <p className="embed-error" role="alert">
          {problem ?? "No snapshot."}
        </p>
      ) : (
        <ExpiryPanel
          certificates={certificates}
          findings={findings}
          now={view.snapshot.now}
          theme={theme}
          compact
          embed={{
            cluster,
            namespace: namespace ?? null,
            ...(process.env.HANDSHAKE_PUBLIC_URL ? { baseUrl: process.env.HANDSHAKE_PUBLIC_URL } : {}),
          }}
        />
      )}
    </div>
  );
}
