// The namespace view's graph and panels on the demo cluster: names stay readable when the edge panel
// narrows the graph (wide and 1,024 px screens), the panel and the canvas share one row height,
// keyboard focus moves into a panel and back, a deciding object links to the findings naming it, and
// a link with parameters the page cannot use says so.
import { expect, test, type APIRequestContext, type Page } from "@playwright/test";
import { LABEL_MIN_K } from "../lib/view/graph/zoom";
import { collectConsoleErrors, screenshotPath } from "./helpers";

const NS_PATH = "/c/demo/ns/shop";

interface Snap {
  edges: { id: string; status: string }[];
}
interface Findings {
  findings: { code: string; resources: { kind: string; namespace?: string; name: string }[] }[];
}

/** The broken edge a DestinationRule decided (reports → shop payments), from the API. */
async function drBrokenEdge(request: APIRequestContext): Promise<string> {
  const snap = (await (await request.get("/api/v1/snapshot?cluster=demo&namespace=shop")).json()) as Snap;
  const edge = snap.edges.find((e) => e.status === "broken" && e.id.startsWith("reports/"));
  expect(edge).toBeDefined();
  return edge!.id;
}

async function zoomOf(page: Page): Promise<number> {
  const canvas = page.getByTestId("graph-canvas");
  await expect(canvas).toHaveAttribute("data-rendered", "true");
  await expect(canvas).toHaveAttribute("data-zoom", /\d/);
  return Number(await canvas.getAttribute("data-zoom"));
}

for (const width of [1440, 1024]) {
  test(`a cold ?edge= link at ${width} px draws the graph at a zoom where names are painted`, async ({
    page,
    request,
  }) => {
    const errors = collectConsoleErrors(page);
    await page.setViewportSize({ width, height: 900 });
    const id = await drBrokenEdge(request);
    await page.goto(`${NS_PATH}?edge=${encodeURIComponent(id)}`);
    await expect(page.getByTestId("edge-panel")).toBeVisible();
    // Let the canvas settle at its final size (the panel's column) before reading the scale.
    await page.waitForTimeout(200);
    expect(await zoomOf(page)).toBeGreaterThanOrEqual(LABEL_MIN_K);
    if (width === 1024)
      await page.screenshot({ path: screenshotPath("edge-panel-1024.png"), fullPage: true });
    expect(errors).toEqual([]);
  });
}

test("beside the graph, the edge panel is exactly as tall as the canvas box and scrolls", async ({
  page,
  request,
}) => {
  const id = await drBrokenEdge(request);
  await page.goto(`${NS_PATH}?edge=${encodeURIComponent(id)}`);
  const panel = page.getByTestId("edge-panel");
  await expect(panel).toBeVisible();
  await expect(page.getByTestId("graph-canvas")).toHaveAttribute("data-rendered", "true");
  const wrap = (await page.locator(".graph-canvas-wrap").boundingBox())!;
  const box = (await panel.boundingBox())!;
  expect(box.x).toBeGreaterThan(wrap.x + wrap.width); // beside, not below
  expect(Math.abs(box.y - wrap.y)).toBeLessThanOrEqual(1);
  expect(Math.abs(box.y + box.height - (wrap.y + wrap.height))).toBeLessThanOrEqual(1);
  // No empty band under the canvas inside its box: only the help line follows it.
  const canvas = (await page.getByTestId("graph-canvas").boundingBox())!;
  const help = (await page.locator(".graph-help").boundingBox())!;
  expect(Math.abs(canvas.y + canvas.height - help.y)).toBeLessThanOrEqual(1);
  expect(Math.abs(help.y + help.height - (wrap.y + wrap.height))).toBeLessThanOrEqual(2);
  // Whatever does not fit is reachable by scrolling the panel.
  const { scrollHeight, clientHeight } = await panel.evaluate((el) => ({
    scrollHeight: el.scrollHeight,
    clientHeight: el.clientHeight,
  }));
  if (scrollHeight > clientHeight) {
    await panel.evaluate((el) => (el.scrollTop = el.scrollHeight));
    await expect(panel.getByRole("heading", { name: /^Findings/ })).toBeInViewport();
  }
});

test("keyboard: opening a panel focuses its heading, Close returns focus to the row that opened it", async ({
  page,
  request,
}) => {
  const id = await drBrokenEdge(request);
  await page.goto(NS_PATH);
  const row = page.locator(`tr[data-edge-id="${id}"] [data-testid=edge-button]`);
  await row.focus();
  await page.keyboard.press("Enter");
  await expect(page.getByRole("heading", { name: "Edge", exact: true })).toBeFocused();
  await page.getByRole("button", { name: "Close edge panel" }).focus();
  await page.keyboard.press("Enter");
  await expect(page.getByTestId("edge-panel")).toHaveCount(0);
  await expect(row).toBeFocused();

  const workload = page.getByTestId("workload-list").getByRole("button").first();
  await workload.focus();
  await page.keyboard.press("Enter");
  await expect(page.locator("#workload-panel-title")).toBeFocused();
  await page.getByRole("button", { name: "Close workload panel" }).focus();
  await page.keyboard.press("Enter");
  await expect(page.getByTestId("workload-panel")).toHaveCount(0);
  await expect(workload).toBeFocused();
});

test("the deciding DestinationRule links to the findings that name it, in its own namespace", async ({
  page,
  request,
}) => {
  const errors = collectConsoleErrors(page);
  const id = await drBrokenEdge(request);
  const { findings } = (await (
    await request.get("/api/v1/findings?cluster=demo&namespace=reports")
  ).json()) as Findings;
  const naming = findings.filter((f) =>
    f.resources.some(
      (r) => r.kind === "DestinationRule" && r.namespace === "reports" && r.name === "payments-no-tls",
    ),
  );
  await page.goto(`${NS_PATH}?edge=${encodeURIComponent(id)}`);
  await page
    .getByTestId("edge-panel")
    .getByRole("link", { name: "DestinationRule reports/payments-no-tls" })
    .click();
  await expect(page).toHaveURL(
    /\/c\/demo\/ns\/reports\?view=findings&ref=DestinationRule(\/|%2F)reports(\/|%2F)payments-no-tls$/,
  );
  const panel = page.getByTestId("findings-panel");
  await expect(panel.getByTestId("findings-ref")).toContainText("DestinationRule reports/payments-no-tls");
  await expect(panel.getByTestId("findings-ref-cmd")).toHaveText(
    "kubectl get destinationrule payments-no-tls -n reports -o yaml",
  );
  const groups = panel.getByTestId("finding-group");
  const total = async () =>
    (await groups.locator(".findings-count").allTextContents()).reduce((n, c) => n + Number(c), 0);
  expect(await total()).toBe(naming.length);
  expect(naming.length).toBeGreaterThan(0);
  // Every finding listed names the object.
  for (const text of await panel.getByTestId("finding").locator(".findings-meta").allTextContents())
    expect(text).toContain("DestinationRule reports/payments-no-tls");
  // And the filter is undone in one click.
  await panel.getByRole("button", { name: "Show every finding" }).click();
  await expect(page).not.toHaveURL(/ref=/);
  await expect.poll(total).toBe(findings.length);
  expect(errors).toEqual([]);
});

test("a link with parameters the page cannot use names them instead of silently ignoring them", async ({
  page,
}) => {
  const r = await page.goto(`${NS_PATH}?view=bogus&severity=fatal&window=zzz`);
  expect(r!.status()).toBe(200);
  const notice = page.getByTestId("ignored-params");
  await expect(notice).toContainText("view=bogus");
  await expect(notice).toContainText("severity=fatal");
  await expect(notice).toContainText("window=zzz");
  await expect(page.getByTestId("graph-canvas")).toHaveAttribute("data-rendered", "true");
  // A valid link has no notice.
  await page.goto(`${NS_PATH}?view=findings&severity=error,warning&window=7d`);
  await expect(page.getByTestId("findings-panel")).toBeVisible();
  await expect(page.getByTestId("ignored-params")).toHaveCount(0);
});

test("tab links keep the rest of the view state", async ({ page }) => {
  await page.goto(`${NS_PATH}?view=findings&severity=error&window=7d&problems=true`);
  const href = await page.getByRole("link", { name: /^Certificates/ }).getAttribute("href");
  const q = new URL(href!, "http://x").searchParams;
  expect(q.get("view")).toBe("certificates");
  expect(q.get("severity")).toBe("error");
  expect(q.get("window")).toBe("7d");
  expect(q.get("problems")).toBe("true");
});

test("a pan moves the painted graph with the pointer", async ({ page }) => {
  const errors = collectConsoleErrors(page);
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.goto(NS_PATH);
  const canvas = page.getByTestId("graph-canvas");
  await expect(canvas).toHaveAttribute("data-rendered", "true");
  await page.waitForTimeout(200);
  // The first view is painted directly; keep its pixels.
  await canvas.evaluate((c: HTMLCanvasElement) => {
    (window as unknown as { __before: ImageData }).__before = c
      .getContext("2d")!
      .getImageData(0, 0, c.width, c.height);
  });
  const box = (await canvas.boundingBox())!;
  const [dx, dy] = [-150, -60];
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.down();
  for (let i = 1; i <= 10; i++)
    await page.mouse.move(box.x + box.width / 2 + (dx * i) / 10, box.y + box.height / 2 + (dy * i) / 10);
  await page.mouse.up();
  // After the pan the canvas shows the same picture, moved by the drag (from the cached layer, though
  // this checks only the pixels, which a direct repaint would also pass). Polled, as
  // the moved frame is painted in the next animation frame (a busy machine may take a while).
  const matchNow = () =>
    canvas.evaluate(
      (c: HTMLCanvasElement, [mx, my]: number[]) => {
        const before = (window as unknown as { __before: ImageData }).__before;
        const after = c.getContext("2d")!.getImageData(0, 0, c.width, c.height);
        const dpr = c.width / c.getBoundingClientRect().width;
        const ox = Math.round(-mx! * dpr);
        const oy = Math.round(-my! * dpr);
        const at = (img: ImageData, x: number, y: number) => (y * img.width + x) * 4;
        const bg = [...before.data.slice(0, 3)];
        let compared = 0;
        let same = 0;
        let drawn = 0;
        for (let y = 0; y + oy < c.height; y += 5)
          for (let x = 0; x + ox < c.width; x += 5) {
            const a = at(after, x, y);
            const b = at(before, x + ox, y + oy);
            const painted = (img: ImageData, p: number) =>
              [0, 1, 2].some((i) => Math.abs(img.data[p + i]! - bg[i]!) > 24);
            compared++;
            // Only pixels where something is painted (before or after) count: background matches anywhere.
            if (!painted(before, b) && !painted(after, a)) continue;
            drawn++;
            const diff = Math.max(
              ...[0, 1, 2].map((i) => Math.abs(after.data[a + i]! - before.data[b + i]!)),
            );
            if (diff <= 48) same++;
          }
        return { compared, same, drawn };
      },
      [dx, dy],
    );
  await expect
    .poll(
      async () => {
        const m = await matchNow();
        return m.same / m.drawn;
      },
      { timeout: 5000 },
    )
    .toBeGreaterThan(0.9);
  const match = await matchNow();
  // And there is a picture to compare: more than background.
  expect(match.drawn / match.compared).toBeGreaterThan(0.05);

  expect(errors).toEqual([]);
});

test("after a pan, a click selects what was drawn there, moved with the pan", async ({ page }) => {
  await page.setViewportSize({ width: 1440, height: 900 });
  const selection = () => /[?&]((?:edge|workload)=[^&]+)/.exec(page.url())?.[1] ?? null;
  const canvas = page.getByTestId("graph-canvas");
  await page.goto(NS_PATH);
  await expect(canvas).toHaveAttribute("data-rendered", "true");
  await page.waitForTimeout(500); // the canvas settles at its final size (and refits) after the first paint
  const box = (await canvas.boundingBox())!;
  // A point of the first view that selects something: its selection is what the pan must carry along.
  // The scan stops at the first selection: a selection opens a panel, which narrows and refits the view.
  // The URL follows a click a moment later, so the click that selected may be the one before the
  // selection showed: both are tried again on a fresh page, waiting this time.
  let at: { x: number; y: number } | null = null;
  let picked: string | null = null;
  let prev = { x: 0, y: 0 };
  let candidates: { x: number; y: number }[] = [];
  for (let y = box.y + 40; y < box.y + box.height - 80 && !candidates.length; y += 20)
    for (let x = box.x + 170; x < box.x + box.width - 30 && !candidates.length; x += 40) {
      await page.mouse.click(x, y);
      await page.waitForTimeout(30);
      picked = selection();
      if (picked) candidates = [{ x, y }, prev];
      prev = { x, y };
    }
  expect(picked).not.toBeNull();
  for (const c of candidates) {
    await page.goto(NS_PATH);
    await expect(canvas).toHaveAttribute("data-rendered", "true");
    await page.waitForTimeout(500); // the canvas settles at its final size (and refits) after the first paint
    await page.mouse.click(c.x, c.y);
    if (
      await expect
        .poll(selection, { timeout: 1000 })
        .toBe(picked)
        .then(
          () => true,
          () => false,
        )
    ) {
      at = c;
      break;
    }
  }
  expect(at).not.toBeNull();

  await page.goto(NS_PATH);
  await expect(canvas).toHaveAttribute("data-rendered", "true");
  await page.waitForTimeout(500); // the canvas settles at its final size (and refits) after the first paint
  expect(selection()).toBeNull();
  const [dx, dy] = [-150, -60];
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.down();
  for (let i = 1; i <= 10; i++)
    await page.mouse.move(box.x + box.width / 2 + (dx * i) / 10, box.y + box.height / 2 + (dy * i) / 10);
  await page.mouse.up();
  // The old spot no longer holds it (a hit test ignoring the pan would select it here)...
  await page.mouse.click(at!.x, at!.y);
  await page.waitForTimeout(500); // the URL follows a click a moment later
  expect(selection()).not.toBe(picked);
  // ...the moved spot does.
  await page.mouse.click(at!.x + dx, at!.y + dy);
  await expect.poll(selection).toBe(picked);
});
