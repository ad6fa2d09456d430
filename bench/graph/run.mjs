// npm run bench:graph — bundles bench/graph/entry.tsx with esbuild into a static page, opens it in
// Debian's Chromium, pans the synthetic 500-node / 2,000-edge graph by mouse drag for ~2 s (and zooms
// by wheel, then waits for the zoom to settle), and prints frame times from requestAnimationFrame for the canvas renderer (production)
// and the SVG alternative, at normal speed and with the CPU throttled 4× (a slower laptop).
/* global window, requestAnimationFrame -- page.evaluate bodies run in the browser */
import { build } from "esbuild";
import { mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { chromium } from "@playwright/test";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "../..");
// Built page goes to the temp dir: generated code stays out of the tree (and out of lint).
const out = join(tmpdir(), "handshake-bench-graph");
mkdirSync(out, { recursive: true });

await build({
  entryPoints: [join(here, "entry.tsx")],
  bundle: true,
  minify: true,
  format: "iife",
  outfile: join(out, "bundle.js"),
  define: { "process.env.NODE_ENV": '"production"' },
  jsx: "automatic",
  tsconfig: join(root, "tsconfig.json"),
  logLevel: "warning",
});
writeFileSync(
  join(out, "index.html"),
  `<!doctype html><html><head><meta charset="utf-8"><link rel="stylesheet" href="${pathToFileURL(join(root, "app/globals.css")).href}">
<style>body{margin:0;overflow:hidden}</style></head><body><div id="root"></div><script src="bundle.js"></script></body></html>`,
);

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  headless: true,
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
  ],
});

const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
};

async function measure(renderer, throttle, idle = false) {
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  const cdp = await page.context().newCDPSession(page);
  page.on("pageerror", (e) => console.error(`[${renderer}] page error: ${e.message}`));
  await page.goto(pathToFileURL(join(out, "index.html")).href + "#" + renderer);
  await page.waitForSelector("[data-rendered=true]");
  // When the first paint happened (the component's mark), not when this evaluate got its turn.
  const firstRenderMs = await page.evaluate(
    () => performance.getEntriesByName("handshake:graph-rendered")[0]?.startTime ?? performance.now(),
  );
  const buildMs = await page.evaluate(() => window.__buildMs);
  if (throttle > 1) await cdp.send("Emulation.setCPUThrottlingRate", { rate: throttle });
  await page.evaluate(() => {
    window.__frames = [];
    let last = performance.now();
    window.__callbackMs.length = 0;
    const tick = (t) => {
      window.__frames.push(t - last);
      last = t;
      if (!window.__stop) requestAnimationFrame(tick);
    };
    tick.bench = true;
    requestAnimationFrame(tick);
  });
  if (idle) await page.waitForTimeout(2000);
  // Pan: a 2 s drag in a circle, one move per ~16 ms.
  else await panAndZoom(page);
  const { frames, draws } = await page.evaluate(() => {
    window.__stop = true;
    return { frames: window.__frames.slice(2), draws: window.__callbackMs.slice() };
  });
  await page.close();
  return {
    renderer: idle ? `${renderer}-idle` : renderer,
    cpu: `${throttle}x`,
    frames: frames.length,
    median: pct(frames, 50),
    p95: pct(frames, 95),
    max: Math.max(...frames),
    over33: frames.filter((f) => f > 33.4).length,
    drawMedian: draws.length ? pct(draws, 50) : NaN,
    drawP95: draws.length ? pct(draws, 95) : NaN,
    fps: (frames.length * 1000) / frames.reduce((a, b) => a + b, 0),
    firstRenderMs,
    buildMs,
  };
}

async function panAndZoom(page) {
  await page.mouse.move(720, 450);
  await page.mouse.down();
  const start = Date.now();
  let i = 0;
  while (Date.now() - start < 2000) {
    const a = i++ / 10;
    await page.mouse.move(720 + 250 * Math.cos(a), 450 + 200 * Math.sin(a));
    await page.waitForTimeout(16);
  }
  await page.mouse.up();
  // Zoom: wheel in and out over the graph (canvas only zooms; SVG bench pans only).
  for (let j = 0; j < 20; j++) {
    await page.mouse.wheel(0, j < 10 ? -120 : 120);
    await page.waitForTimeout(16);
  }
  // Inside the measurement: the canvas repaints its layer crisply once the zoom has settled (150 ms).
  await page.waitForTimeout(400);
}

const rows = [];
rows.push(await measure("canvas", 1, true));
for (const throttle of [1, 4]) for (const r of ["canvas", "svg"]) rows.push(await measure(r, throttle));
await browser.close();
console.log("graph: 500 nodes, 2,000 edges; pan by drag ~2 s + 20 wheel steps; frame = rAF interval (ms)");
console.log("draw = time inside the renderer's rAF paint callback (canvas only; SVG paints outside JS)");
console.log(
  "renderer     cpu  frames   fps  median   p95     max  >33ms  draw med  draw p95  first render (ms)  build+layout (ms)",
);
for (const r of rows) {
  console.log(
    `${r.renderer.padEnd(11)}  ${r.cpu.padEnd(3)}  ${String(r.frames).padStart(6)}  ${r.fps.toFixed(0).padStart(4)}  ${r.median.toFixed(1).padStart(6)}  ${r.p95.toFixed(1).padStart(5)}  ${r.max.toFixed(0).padStart(6)}  ${String(r.over33).padStart(5)}  ${r.drawMedian.toFixed(1).padStart(8)}  ${r.drawP95.toFixed(1).padStart(8)}  ${r.firstRenderMs.toFixed(0).padStart(17)}  ${r.buildMs.toFixed(1).padStart(17)}`,
  );
}
