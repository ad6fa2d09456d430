// The measurement page: the synthetic 500-node / 2,000-edge namespace drawn by the production
// GraphCanvas (#canvas) or by the SVG alternative (#svg).
import { createRoot } from "react-dom/client";
import { GraphCanvas } from "../../components/graph/GraphCanvas";
import { buildGraph } from "../../lib/view/graph/buildGraph";
import { layoutGraph } from "../../lib/view/graph/layout";
import { SvgGraph } from "./SvgGraph";
import { FOCUS, syntheticSnapshot } from "./synthetic";

// Time every rAF callback except the bench's own frame counter: for the canvas renderer that is
// the paint itself (the component draws inside rAF), without touching production code.
const w = window as unknown as { __callbackMs: number[]; __buildMs: number };
w.__callbackMs = [];
const raf = window.requestAnimationFrame.bind(window);
window.requestAnimationFrame = (cb: FrameRequestCallback) =>
  raf((t) => {
    if ((cb as { bench?: boolean }).bench) return cb(t);
    const s = performance.now();
    cb(t);
    w.__callbackMs.push(performance.now() - s);
  });

const t0 = performance.now();
const graph = buildGraph(syntheticSnapshot(500, 2000), FOCUS);
const layout = layoutGraph(graph);
w.__buildMs = performance.now() - t0;

const height = window.innerHeight;
const renderer = location.hash === "#svg" ? "svg" : "canvas";
createRoot(document.getElementById("root")!).render(
  renderer === "svg" ? (
    <SvgGraph graph={graph} layout={layout} height={height} />
  ) : (
    <GraphCanvas
      graph={graph}
      layout={layout}
      problemsFirst={false}
      selectedEdge={null}
      selectedNode={null}
      onSelectEdge={() => {}}
      onSelectNode={() => {}}
      label="synthetic graph"
      height={height}
    />
  ),
);
