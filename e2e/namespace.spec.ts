// The namespace view on the demo cluster: the broken edge is highlighted on a cold load, its panel
// names the object that decided it, and every piece of view state survives a reload and a shared link.
import { expect, test } from "@playwright/test";
import { collectConsoleErrors, screenshotPath } from "./helpers";

// The demo's shop namespace is STRICT; reports/report-builder calls its payments Service through a
// DestinationRule with tls DISABLE (broken), and legacy pods without sidecars call into it (broken).
const NS_PATH = "/c/demo/ns/shop";
/** The reports/report-builder → shop payments edge (contract §1 edge id). */
const DR_EDGE = "reports/report-builder->payments.shop.svc.cluster.local:8080";

test("cold load highlights the broken edge; its panel, problems-first and the link survive reload and sharing", async ({
  page,
  browser,
}) => {
  const errors = collectConsoleErrors(page);
  await page.goto(NS_PATH);
  await expect(page.getByTestId("graph-canvas")).toHaveAttribute("data-rendered", "true");
  const firstRender = await page.evaluate(() => {
    const mark = performance.getEntriesByName("handshake:graph-rendered")[0];
    const nav = performance.getEntriesByType("navigation")[0] as PerformanceNavigationTiming | undefined;
    return {
      graphRendered: mark?.startTime ?? null,
      domContentLoaded: nav?.domContentLoadedEventEnd ?? null,
    };
  });
  console.log(
    `time to first render of ${NS_PATH}: graph drawn ${firstRender.graphRendered?.toFixed(0)} ms after navigation start (DOMContentLoaded ${firstRender.domContentLoaded?.toFixed(0)} ms)`,
  );
  expect(firstRender.graphRendered).not.toBeNull();
  await expect(page.getByTestId("demo-banner")).toContainText("Demo cluster");

  // Broken edges lead the edge list and are marked as such.
  const rows = page.locator("[data-testid=edge-list] tbody tr");
  await expect(rows.first()).toHaveAttribute("data-status", "broken");
  const brokenIds = await page
    .locator("[data-testid=edge-list] tr[data-status=broken]")
    .evaluateAll((trs) => trs.map((t) => t.getAttribute("data-edge-id")!));
  expect(brokenIds).toContain(DR_EDGE);
  // The canvas paints exactly these edges highlighted on a cold load (its emphasis model, exposed).
  const highlighted = (await page.getByTestId("graph-canvas").getAttribute("data-highlighted"))!.split(",");
  expect(highlighted).toEqual([...brokenIds].sort());
  await page.screenshot({ path: screenshotPath("namespace-graph.png"), fullPage: true });

  // The edge the DestinationRule broke (the demo data is fixed): its panel names that rule.
  const target = DR_EDGE;
  await page.locator(`tr[data-edge-id="${target}"] [data-testid=edge-button]`).click();
  await expect(page).toHaveURL(/[?&]edge=/);
  const panel = page.getByTestId("edge-panel");
  await expect(panel).toHaveAttribute("data-status", "broken");
  await expect(panel.getByTestId("deciding-object").first()).toHaveText(
    /^(DestinationRule|PeerAuthentication) /,
  );
  await expect(panel).toContainText("DestinationRule reports/payments-no-tls");
  await expect(panel.getByTestId("edge-reason")).not.toBeEmpty();
  await page.screenshot({ path: screenshotPath("edge-panel.png"), fullPage: true });

  await page.reload();
  await expect(page.getByTestId("edge-panel")).toHaveAttribute("data-status", "broken");
  expect(new URL(page.url()).searchParams.get("edge")).toBe(target);

  await page.getByTestId("problems-toggle").click();
  await expect(page).toHaveURL(/[?&]problems=true/);
  await expect(page.getByTestId("problems-toggle")).toHaveAttribute("aria-pressed", "true");
  await expect(page.locator("[data-testid=edge-list] tr.edge-row-dim").first()).toHaveAttribute(
    "data-status",
    "mtls",
  );

  await page.getByTestId("copy-link").click();
  const link = await page.getByTestId("share-link").inputValue();
  expect(link).toBe(page.url());

  // Someone else opens the link cold: same edge, same mode.
  const other = await browser.newPage();
  const otherErrors = collectConsoleErrors(other);
  await other.goto(link);
  await expect(other.getByTestId("edge-panel")).toHaveAttribute("data-status", "broken");
  await expect(other.getByTestId("problems-toggle")).toHaveAttribute("aria-pressed", "true");
  expect(new URL(other.url()).searchParams.get("edge")).toBe(target);
  await other.close();

  expect(errors).toEqual([]);
  expect(otherErrors).toEqual([]);
});

test("a workload shows its effective mode per port, and the tabs switch views through the URL", async ({
  page,
}) => {
  const errors = collectConsoleErrors(page);
  await page.goto(NS_PATH);
  await page.getByTestId("workload-list").getByRole("button").first().click();
  await expect(page).toHaveURL(/[?&]workload=/);
  const panel = page.getByTestId("workload-panel");
  await expect(panel.getByTestId("workload-ports").locator("tbody tr").first()).toContainText("STRICT");

  await page.getByRole("link", { name: /^Findings/ }).click();
  await expect(page).toHaveURL(/[?&]view=findings/);
  await page.getByRole("link", { name: /^Certificates/ }).click();
  await expect(page).toHaveURL(/[?&]view=certificates/);
  await page.getByRole("link", { name: /^Graph/ }).click();
  await expect(page.getByTestId("graph-canvas")).toHaveAttribute("data-rendered", "true");
  expect(errors).toEqual([]);
});

test("a click on the canvas selects the edge under the pointer", async ({ page }) => {
  await page.goto(NS_PATH);
  const canvas = page.getByTestId("graph-canvas");
  await expect(canvas).toHaveAttribute("data-rendered", "true");
  // Scan a horizontal line through the canvas until a click lands on an edge or a node.
  const box = (await canvas.boundingBox())!;
  let hit = false;
  for (let y = box.y + 60; y < box.y + box.height - 20 && !hit; y += 7) {
    for (let x = box.x + 30; x < box.x + box.width - 30 && !hit; x += 9) {
      await page.mouse.click(x, y);
      hit = /[?&](edge|workload)=/.test(page.url()) || !page.url().includes("/ns/shop");
    }
  }
  expect(hit).toBe(true);
});

test("unknown namespace and unknown cluster answer 404", async ({ page }) => {
  expect((await page.goto("/c/demo/ns/no-such-namespace"))!.status()).toBe(404);
  await expect(page.getByTestId("not-found")).toBeVisible();
  expect((await page.goto("/c/no-such-cluster/ns/shop"))!.status()).toBe(404);
});

// reviews/http2.md #3: Next 16.2+ hands generateMetadata decoded params and the page percent-encoded
// ones (vercel/next.js#95343); the title decoded a second time, so "%2e%2e" read as "..".
test("the page title names the cluster and namespace of the address, decoded once", async ({ page }) => {
  // A cluster named "de%6do" (not configured): the 404 title must not name "demo".
  expect((await page.goto("/c/de%256do/ns/shop"))!.status()).toBe(404);
  await expect(page).toHaveTitle("shop · graph · de%6do — Handshake");
  // A namespace named "sh%6fp" (none): not "shop".
  expect((await page.goto("/c/demo/ns/sh%256fp"))!.status()).toBe(404);
  await expect(page).toHaveTitle("sh%6fp · graph · demo — Handshake");
  // Near miss: an ordinary escape is the name it spells, in the title and on the page.
  expect((await page.goto("/c/d%65mo/ns/sh%6Fp?view=findings"))!.status()).toBe(200);
  await expect(page).toHaveTitle("shop · findings · demo — Handshake");
  await expect(page.locator(".crumbs strong")).toHaveText("demo");
});

test("a malformed percent-escape in the page's path is a 400 page with the framing headers, never a 500", async ({
  page,
  request,
}) => {
  for (const path of ["/c/demo/ns/%", "/c/demo/ns/%E0%A4", "/c/%/ns/shop", "/embed/%zz"]) {
    const r = await request.get(path);
    expect(r.status(), path).toBe(400);
    expect(r.headers()["content-type"], path).toContain("text/html");
    expect(r.headers()["x-content-type-options"], path).toBe("nosniff");
    expect(r.headers()["content-security-policy"], path).toContain("frame-ancestors");
    expect(await r.text(), path).toContain("not a valid address");
  }
  expect((await request.get("/c/demo/ns/%"))!.headers()["content-security-policy"]).toContain(
    "frame-ancestors 'none'",
  );
  const r = await page.goto("/c/demo/ns/%25");
  // Near miss: a well-formed escape ("%25" is "%") is an unknown namespace, the usual 404 page.
  expect(r!.status()).toBe(404);
  await expect(page.getByTestId("not-found")).toBeVisible();
});
