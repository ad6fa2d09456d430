"use client";
// One namespace: tabs (graph, certificates, findings), the service-edge graph with its edge list,
// and the edge or workload panel. All view state is in the URL (lib/view/urlState.ts), so any view
// is a link; the data is the server-rendered slice, refreshed by react-query.
import { IgnoredParamsNotice } from "@/components/IgnoredParamsNotice";
import { ExpiryPanel } from "@/components/expiry/ExpiryPanel";
import { FindingsPanel } from "@/components/findings/FindingsPanel";
import { GraphCanvas } from "@/components/graph/GraphCanvas";
import type { MeshSnapshot } from "@/lib/core/snapshot/schema";
import { edgeIdLabel } from "@/lib/core/snapshot/port";
import { buildGraph } from "@/lib/view/graph/buildGraph";
import { nodeSelection } from "@/lib/view/graph/nodeSelection";
import { layoutGraph } from "@/lib/view/graph/layout";
import {
  changesUrl,
  currentQuery,
  handledInPage,
  ignoredNamespaceParams,
  namespacePath,
  namespaceViewParsers,
  serializeNamespaceView,
  VIEWS,
  type NamespaceViewPatch,
  type View,
} from "@/lib/view/urlState";
import { useRouter, useSearchParams } from "next/navigation";
import { useQueryStates } from "nuqs";
import { useEffect, useMemo, useRef, useState, type CSSProperties } from "react";
import { EdgeList } from "./EdgeList";
import { EdgePanel } from "./EdgePanel";
import { Legend } from "./Legend";
import { RefreshBar } from "./RefreshBar";
import { ShareLink } from "./ShareLink";
import { sidePanelTitleId } from "./SidePanel";
import { useNamespaceSnapshot, useRefreshNow, type NamespaceData } from "./useNamespaceSnapshot";
import { WorkloadPanel } from "./WorkloadPanel";
import { modeNote } from "@/lib/view/namespace/modeNote";
import { workloadCertificates } from "@/lib/view/namespace/workloadCertificates";

export interface NamespaceViewProps {
  cluster: string;
  namespace: string;
  initial: NamespaceData;
  /** Epoch ms when the server rendered `initial`. */
  initialAt: number;
  demo: boolean;
  /** HANDSHAKE_PUBLIC_URL, when set: where the certificate view's embed snippets point. */
  publicUrl?: string;
}

/** Canvas height while the side panel stands beside it. */
const PANEL_CANVAS_H = 560;

const VIEW_LABEL: Record<View, string> = {
  graph: "Graph",
  certificates: "Certificates",
  findings: "Findings",
};

export function NamespaceView({
  cluster,
  namespace,
  initial,
  initialAt,
  demo,
  publicUrl,
}: NamespaceViewProps) {
  const [state, setState] = useQueryStates(namespaceViewParsers);
  // Every setter asks first: re-selecting what is shown leaves the URL, and the history, alone.
  const changes = (patch: NamespaceViewPatch) =>
    changesUrl(currentQuery(new URLSearchParams(window.location.search), state), patch);
  const update = (patch: NamespaceViewPatch) => {
    if (changes(patch)) void setState(patch);
  };
  const [paused, setPaused] = useState(false);
  const query = useNamespaceSnapshot(cluster, namespace, initial, initialAt, paused);
  const refreshNow = useRefreshNow(cluster, namespace);
  const data = query.data;
  // Already cut to the namespace: by the page on the server, and by the API (`?namespace=`) on refetch.
  const snapshot: MeshSnapshot = data.snapshot;
  const graph = useMemo(() => buildGraph(snapshot, namespace), [snapshot, namespace]);
  const layout = useMemo(() => layoutGraph(graph), [graph]);
  const router = useRouter();
  const search = useSearchParams();
  const ignored = useMemo(
    () => ignoredNamespaceParams(new URLSearchParams(search?.toString() ?? "")),
    [search],
  );
  const path = namespacePath(cluster, namespace);

  const ns = snapshot.namespaces[0];
  const edge = state.edge === null ? undefined : snapshot.edges.find((e) => e.id === state.edge);
  const workload =
    state.workload === null ? undefined : snapshot.workloads.find((w) => w.name === state.workload);
  const selectedNode = workload ? `w:${namespace}/${workload.name}` : null;

  // Focus: a panel opened by the user gets focus on its heading; Close returns focus to what opened it
  // (the edge-list row, the workload button or the canvas). A cold load does not move focus.
  const opener = useRef<HTMLElement | null>(null);
  const focus = useRef<"panel" | "opener" | null>(null);
  const remember = () => {
    focus.current = "panel";
    opener.current =
      document.activeElement instanceof HTMLElement && document.activeElement !== document.body
        ? document.activeElement
        : null;
  };
  const panelKey = edge ? `e:${edge.id}` : workload ? `w:${workload.name}` : null;
  useEffect(() => {
    const want = focus.current;
    focus.current = null;
    if (want === "panel" && panelKey)
      document.getElementById(sidePanelTitleId(panelKey.startsWith("e:") ? "edge" : "workload"))?.focus();
    else if (want === "opener" && !panelKey && opener.current?.isConnected) opener.current.focus();
  }, [panelKey]);
  const closePanel = () => {
    const patch = { edge: null, workload: null };
    if (!changes(patch)) return;
    focus.current = "opener";
    void setState(patch);
  };

  // The panel already open is not opened again: what it returns focus to stays as it was.
  const open = (patch: NamespaceViewPatch) => {
    if (!changes(patch)) return;
    remember();
    void setState(patch);
  };
  const selectEdge = (id: string) => open({ edge: id, workload: null });
  const selectWorkload = (name: string) => open({ workload: name, edge: null });
  const selectNode = (id: string) => {
    const node = graph.nodes.find((n) => n.id === id);
    if (!node) return;
    const sel = nodeSelection(node, snapshot.services, namespace);
    // A peer: open its own namespace view, on that workload when it is one.
    if (sel.kind === "namespace")
      router.push(serializeNamespaceView(namespacePath(cluster, sel.namespace), { workload: sel.workload }));
    else if (sel.kind === "workload") selectWorkload(sel.name);
  };

  // Tall enough for the layout at a readable zoom; with the side panel beside it, at least as tall as
  // a useful panel (the panel is capped to the canvas row and scrolls, globals.css).
  const canvasHeight = Math.round(Math.min(640, Math.max(360, layout.height * 0.9 + 60)));

  const counts = { broken: 0, mismatch: 0, plaintext: 0, unknown: 0, mtls: 0 };
  for (const e of snapshot.edges) counts[e.status]++;

  return (
    <div className="ns-view" data-testid="namespace-view">
      <div className="ns-head">
        <div>
          <p className="crumbs">
            <a href="/">Overview</a> / cluster <strong>{cluster}</strong>
          </p>
          <h1>
            Namespace {namespace}{" "}
            {ns ? (
              <span
                className="pill"
                title={
                  ns.mtls.policy
                    ? `set by ${ns.mtls.policy.kind} ${ns.mtls.policy.namespace ?? ""}/${ns.mtls.policy.name}`
                    : `inherited from ${ns.mtls.inheritedFrom ?? "nothing"}`
                }
              >
                {ns.mtls.mode} · {ns.dataplane}
              </span>
            ) : null}
          </h1>
          <p className="muted">
            {snapshot.workloads.length} workloads · {snapshot.edges.length} edges ({counts.broken} broken,{" "}
            {counts.mismatch} mismatch, {counts.plaintext} plaintext, {counts.unknown} unknown) ·{" "}
            {snapshot.findings.length} findings
          </p>
        </div>
        <div className="ns-actions">
          <ShareLink />
        </div>
      </div>
      <RefreshBar
        generatedAt={data.snapshot.generatedAt}
        paused={paused}
        onTogglePause={() => setPaused((p) => !p)}
        onRefreshNow={() => void refreshNow()}
        fetching={query.isFetching}
        stale={data.stale}
        serverError={data.error}
        fetchError={
          query.isError ? String(query.error instanceof Error ? query.error.message : query.error) : null
        }
        demo={demo}
      />
      {snapshot.completeness.length > 0 ? (
        <p className="notice notice-warn">
          Incomplete:{" "}
          {snapshot.completeness
            .map((c) => `${c.kind}${c.namespace ? ` in ${c.namespace}` : ""} (${c.reason})`)
            .join(", ")}
          .
        </p>
      ) : null}

      <IgnoredParamsNotice
        ignored={ignored}
        className="notice notice-warn"
        lead="Ignored in the link:"
        tail=". Showing the default instead."
      />

      <nav className="tabs" aria-label="Namespace views">
        {VIEWS.map((v) => (
          <a
            key={v}
            href={serializeNamespaceView(path, { ...state, view: v })}
            className="tab"
            aria-current={state.view === v ? "page" : undefined}
            onClick={(e) => {
              // A Ctrl/Cmd/Shift/middle click is the browser's: the tab opens in a new tab or window.
              if (!handledInPage(e)) return;
              e.preventDefault();
              update({ view: v });
            }}
          >
            {VIEW_LABEL[v]}
            {v === "findings"
              ? ` (${snapshot.findings.length})`
              : v === "certificates"
                ? ` (${snapshot.certificates.length})`
                : ""}
          </a>
        ))}
      </nav>

      {state.view === "graph" ? (
        <div className="graph-view">
          <div className="graph-toolbar">
            <Legend />
            <button
              type="button"
              aria-pressed={state.problems}
              onClick={() => update({ problems: !state.problems })}
              data-testid="problems-toggle"
            >
              Problems first
            </button>
          </div>
          <div
            className={`graph-main${edge || workload ? " with-panel" : ""}`}
            style={
              {
                "--graph-h": `${canvasHeight}px`,
                "--graph-h-panel": `${Math.max(canvasHeight, PANEL_CANVAS_H)}px`,
              } as CSSProperties
            }
          >
            <div className="graph-canvas-wrap">
              {snapshot.edges.length === 0 && snapshot.workloads.length === 0 ? (
                <p className="notice">Nothing to draw: no workloads and no edges in this namespace.</p>
              ) : (
                <GraphCanvas
                  // One canvas per namespace: another namespace starts fitted again, while a refresh of
                  // this one keeps the user's pan and zoom.
                  key={`${cluster}/${namespace}`}
                  graph={graph}
                  layout={layout}
                  problemsFirst={state.problems}
                  selectedEdge={edge?.id ?? null}
                  selectedNode={selectedNode}
                  onSelectEdge={selectEdge}
                  onSelectNode={selectNode}
                  label={`Service-edge graph of namespace ${namespace}: ${graph.nodes.length} nodes, ${graph.edges.length} edges. The edge list below offers the same selection.`}
                />
              )}
              <p className="muted graph-help">
                Drag or arrow keys to pan, wheel or +/− to zoom, 0 to reset. Click an edge or a workload.
              </p>
            </div>
            {edge ? (
              <EdgePanel
                cluster={cluster}
                edge={edge}
                findings={snapshot.findings.filter((f) => f.edge === edge.id)}
                onClose={closePanel}
              />
            ) : workload ? (
              <WorkloadPanel
                cluster={cluster}
                workload={workload}
                certificates={workloadCertificates(snapshot.certificates, workload)}
                now={snapshot.now}
                onClose={closePanel}
              />
            ) : null}
          </div>
          {state.edge !== null && !edge ? (
            <p className="notice notice-warn" role="status">
              The edge <code>{edgeIdLabel(state.edge)}</code> is not in this namespace&apos;s snapshot (any
              more).
            </p>
          ) : null}
          {state.workload !== null && !workload ? (
            <p className="notice notice-warn" role="status">
              The workload <code>{state.workload}</code> is not in this namespace.
            </p>
          ) : null}
          <div className="graph-lists">
            <EdgeList
              edges={snapshot.edges}
              selected={edge?.id ?? null}
              problemsFirst={state.problems}
              onSelect={selectEdge}
            />
            <table className="workload-list" data-testid="workload-list">
              <caption>Workloads ({snapshot.workloads.length})</caption>
              <thead>
                <tr>
                  <th scope="col">Workload</th>
                  <th scope="col">Mode</th>
                  <th scope="col">Data plane</th>
                </tr>
              </thead>
              <tbody>
                {snapshot.workloads.map((w) => (
                  <tr key={w.name} aria-selected={workload?.name === w.name}>
                    <td>
                      <button
                        type="button"
                        className="link-button"
                        aria-pressed={workload?.name === w.name}
                        onClick={() => selectWorkload(w.name)}
                      >
                        {w.name}
                      </button>
                    </td>
                    <td>
                      <code title={modeNote(w.mtls) ?? undefined}>{w.mtls.mode}</code>
                    </td>
                    <td>{w.dataplane}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </div>
      ) : state.view === "certificates" ? (
        <ExpiryPanel
          certificates={snapshot.certificates}
          findings={snapshot.findings}
          now={snapshot.now}
          embed={{ cluster, namespace, ...(publicUrl ? { baseUrl: publicUrl } : {}) }}
        />
      ) : (
        <FindingsPanel findings={snapshot.findings} cluster={cluster} namespace={namespace} />
      )}
    </div>
  );
}
