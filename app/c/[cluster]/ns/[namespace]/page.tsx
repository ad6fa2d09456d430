// /c/<cluster>/ns/<namespace> (contract §4): the namespace view. The server renders the first paint
// from the snapshot; the client view keeps it fresh and owns the URL state.
import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { createLoader, type SearchParams } from "nuqs/server";
import { NamespaceView } from "@/components/namespace/NamespaceView";
import { getSnapshotView } from "@/lib/server/snapshots";
import { SnapshotUnavailableError, UnknownClusterError, type SnapshotView } from "@/lib/server/types";
import { namespaceExists } from "@/lib/view/sliceSnapshot";
import { cachedSlice } from "@/lib/server/apiRoute";
import { namespaceViewParsers } from "@/lib/view/urlState";

export const dynamic = "force-dynamic";

const loadViewState = createLoader(namespaceViewParsers);

interface PageProps {
  params: Promise<{ cluster: string; namespace: string }>;
  searchParams: Promise<SearchParams>;
}

// Next (16.2 and later, vercel/next.js#95343) hands the page its params percent-encoded, as the path
// segment spells them, but generateMetadata the same params already decoded. Each is decoded exactly once
// overall: here for the page, by Next for the title. e2e/namespace.spec.ts ("decoded once") fails if Next
// makes them agree again.
function decode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

export async function generateMetadata({ params, searchParams }: PageProps): Promise<Metadata> {
  const { cluster, namespace } = await params; // already decoded (see decode above)
  const state = await loadViewState(searchParams);
  const what = state.edge ? `edge ${state.edge}` : state.workload ? `workload ${state.workload}` : state.view;
  return { title: `${namespace} · ${what} · ${cluster} — Handshake` };
}

export default async function NamespacePage({ params }: PageProps) {
  const { cluster: rawCluster, namespace: rawNamespace } = await params;
  const cluster = decode(rawCluster);
  const namespace = decode(rawNamespace);
  let view: SnapshotView;
  try {
    view = await getSnapshotView(cluster);
  } catch (err) {
    if (err instanceof UnknownClusterError) notFound();
    if (err instanceof SnapshotUnavailableError) {
      return (
        <div className="notice notice-error" role="alert" data-testid="snapshot-unavailable">
          <h1>No snapshot of cluster {cluster} yet</h1>
          <p>{err.message}</p>
          <p>The dashboard keeps trying; reload in a few seconds.</p>
        </div>
      );
    }
    throw err;
  }
  if (!namespaceExists(view.snapshot, namespace)) notFound();
  return (
    <NamespaceView
      cluster={cluster}
      namespace={namespace}
      initial={{ snapshot: cachedSlice(view.snapshot, namespace), stale: view.stale, error: view.error }}
      initialAt={Date.parse(view.fetchedAt)}
      demo={view.demo}
      {...(process.env.HANDSHAKE_PUBLIC_URL ? { publicUrl: process.env.HANDSHAKE_PUBLIC_URL } : {})}
    />
  );
}
