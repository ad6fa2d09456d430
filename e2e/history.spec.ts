// Back and forward through the namespace view (docs/DECISIONS.md, "History entries"): switching the
// tab and opening or closing an edge or workload panel are steps in the browser's history; filter
// tweaks (severity, window, problems first) replace the current entry.
import { expect, test } from "@playwright/test";
import { collectConsoleErrors } from "./helpers";

const NS_PATH = "/c/demo/ns/shop";

const param = (url: string, name: string) => new URL(url).searchParams.get(name);

test("Back and Forward step through the tabs", async ({ page }) => {
  const errors = collectConsoleErrors(page);
  await page.goto(NS_PATH);
  await expect(page.getByTestId("graph-canvas")).toHaveAttribute("data-rendered", "true");
  await page.getByRole("link", { name: /^Findings/ }).click();
  await expect(page.getByTestId("findings-panel")).toBeVisible();
  await page.getByRole("link", { name: /^Certificates/ }).click();
  await expect(page.getByTestId("expiry-panel")).toBeVisible();

  await page.goBack();
  await expect(page.getByTestId("findings-panel")).toBeVisible();
  expect(param(page.url(), "view")).toBe("findings");
  await page.goBack();
  await expect(page.getByTestId("graph-canvas")).toBeVisible();
  expect(param(page.url(), "view")).toBeNull();
  expect(new URL(page.url()).pathname).toBe(NS_PATH);
  await page.goForward();
  await expect(page.getByTestId("findings-panel")).toBeVisible();
  await page.goForward();
  await expect(page.getByTestId("expiry-panel")).toBeVisible();
  expect(param(page.url(), "view")).toBe("certificates");
  expect(errors).toEqual([]);
});

test("Back closes an edge panel and returns to the edge opened before; Forward reopens it", async ({
  page,
}) => {
  await page.goto(NS_PATH);
  const rows = page.locator("[data-testid=edge-list] tbody tr");
  await expect(rows.nth(1)).toBeVisible();
  const [first, second] = [
    await rows.nth(0).getAttribute("data-edge-id"),
    await rows.nth(1).getAttribute("data-edge-id"),
  ];
  await rows.nth(0).getByTestId("edge-button").click();
  await expect(page.getByTestId("edge-panel")).toBeVisible();
  await expect.poll(() => param(page.url(), "edge")).toBe(first);
  await rows.nth(1).getByTestId("edge-button").click();
  await expect.poll(() => param(page.url(), "edge")).toBe(second);

  await page.goBack();
  await expect.poll(() => param(page.url(), "edge")).toBe(first);
  await expect(page.getByTestId("edge-panel")).toBeVisible();
  await page.goBack();
  await expect(page.getByTestId("edge-panel")).toHaveCount(0);
  expect(new URL(page.url()).pathname).toBe(NS_PATH);
  await page.goForward();
  await expect.poll(() => param(page.url(), "edge")).toBe(first);
  await expect(page.getByTestId("edge-panel")).toBeVisible();

  // Closing is a step too: Back reopens what was closed.
  await page.getByRole("button", { name: "Close edge panel" }).click();
  await expect(page.getByTestId("edge-panel")).toHaveCount(0);
  // The URL is written a tick after the panel closes (nuqs): Back before that would step past it.
  await expect.poll(() => param(page.url(), "edge")).toBeNull();
  await page.goBack();
  await expect(page.getByTestId("edge-panel")).toBeVisible();
});

test("Back from a workload panel returns to the graph without it", async ({ page }) => {
  await page.goto(NS_PATH);
  await page.getByTestId("workload-list").getByRole("button").first().click();
  await expect(page.getByTestId("workload-panel")).toBeVisible();
  await page.goBack();
  await expect(page.getByTestId("workload-panel")).toHaveCount(0);
  expect(new URL(page.url()).pathname).toBe(NS_PATH);
});

test("near miss: filter tweaks replace the entry, so Back leaves the tab rather than undoing a filter", async ({
  page,
}) => {
  await page.goto(NS_PATH);
  await expect(page.getByTestId("graph-canvas")).toHaveAttribute("data-rendered", "true");
  await page.getByRole("link", { name: /^Findings/ }).click();
  const filter = page.getByTestId("findings-panel").getByRole("group", { name: "Filter by severity" });
  await filter.getByRole("button", { name: /^error \(/ }).click();
  await expect.poll(() => param(page.url(), "severity")).toBe("error");
  await filter.getByRole("button", { name: /^warning \(/ }).click();
  await expect.poll(() => param(page.url(), "severity")).toBe("error,warning");
  await page.getByRole("link", { name: /^Certificates/ }).click();
  await page.getByRole("group", { name: "Time window" }).getByRole("button", { name: "7d" }).click();
  await expect.poll(() => param(page.url(), "window")).toBe("7d");

  await page.goBack();
  // The findings tab as last seen (both severities), not the certificates view without its 7d.
  await expect(page.getByTestId("findings-panel")).toBeVisible();
  expect(param(page.url(), "severity")).toBe("error,warning");
  await page.goBack();
  await expect(page.getByTestId("graph-canvas")).toBeVisible();
  expect(param(page.url(), "severity")).toBeNull();
});

// reviews/http2.md #1: nuqs pushes even when the URL stays the same, so re-selecting what is shown
// added an entry that Back then spent doing nothing.
test("clicking the tab, edge or workload already shown adds no history entry: one Back per step", async ({
  page,
}) => {
  await page.goto(NS_PATH);
  await expect(page.getByTestId("graph-canvas")).toHaveAttribute("data-rendered", "true");
  const length = () => page.evaluate(() => history.length);
  const start = await length();
  await page.getByRole("link", { name: /^Graph/ }).click();
  await page.getByRole("link", { name: /^Graph/ }).click();
  await page.waitForTimeout(300); // nuqs writes the URL on a later tick
  expect(await length()).toBe(start);

  await page.getByRole("link", { name: /^Findings/ }).click();
  await expect.poll(() => param(page.url(), "view")).toBe("findings");
  await page.getByRole("link", { name: /^Findings/ }).click();
  await page.getByRole("link", { name: /^Findings/ }).click();
  await page.waitForTimeout(300);
  expect(await length()).toBe(start + 1);
  await page.goBack();
  await expect(page.getByTestId("graph-canvas")).toBeVisible();
  expect(param(page.url(), "view")).toBeNull();

  // The open edge, clicked again in the list: still one step.
  const row = page.locator("[data-testid=edge-list] tbody tr").first();
  await row.getByTestId("edge-button").click();
  await expect(page.getByTestId("edge-panel")).toBeVisible();
  await row.getByTestId("edge-button").click();
  await page.waitForTimeout(300);
  await page.goBack();
  await expect(page.getByTestId("edge-panel")).toHaveCount(0);
  expect(param(page.url(), "edge")).toBeNull();

  // The open workload, clicked again: still one step.
  const workload = page.getByTestId("workload-list").getByRole("button").first();
  await workload.click();
  await expect(page.getByTestId("workload-panel")).toBeVisible();
  await workload.click();
  await page.waitForTimeout(300);
  await page.goBack();
  await expect(page.getByTestId("workload-panel")).toHaveCount(0);
  expect(param(page.url(), "workload")).toBeNull();
});

test("near miss: a quick open-then-close is two steps even before the URL is written", async ({ page }) => {
  await page.goto(NS_PATH);
  const row = page.locator("[data-testid=edge-list] tbody tr").first();
  await row.getByTestId("edge-button").click();
  await page.getByRole("button", { name: "Close edge panel" }).click();
  await expect(page.getByTestId("edge-panel")).toHaveCount(0);
  await expect.poll(() => param(page.url(), "edge")).toBeNull();
  await page.goBack();
  await expect(page.getByTestId("edge-panel")).toBeVisible();
});

// reviews/http2.md #7: the tabs are links; a modified click is the browser's.
test("Ctrl+click on a tab opens it in a new browser tab and leaves this one as it is", async ({
  page,
  context,
}) => {
  await page.goto(NS_PATH);
  await expect(page.getByTestId("graph-canvas")).toHaveAttribute("data-rendered", "true");
  const start = await page.evaluate(() => history.length);
  const opened = context.waitForEvent("page", { timeout: 10_000 });
  await page.getByRole("link", { name: /^Findings/ }).click({ modifiers: ["ControlOrMeta"] });
  const tab = await opened;
  await tab.waitForLoadState();
  expect(param(tab.url(), "view")).toBe("findings");
  await expect(tab.getByTestId("findings-panel")).toBeVisible();
  await tab.close();
  // This tab: still the graph, no entry added.
  expect(param(page.url(), "view")).toBeNull();
  await expect(page.getByTestId("graph-canvas")).toBeVisible();
  expect(await page.evaluate(() => history.length)).toBe(start);
  // A middle click too.
  const middle = context.waitForEvent("page", { timeout: 10_000 });
  await page.getByRole("link", { name: /^Certificates/ }).click({ button: "middle" });
  const third = await middle;
  await third.waitForLoadState();
  expect(param(third.url(), "view")).toBe("certificates");
  await third.close();
  expect(param(page.url(), "view")).toBeNull();
  // Near miss: a plain click switches in place.
  await page.getByRole("link", { name: /^Findings/ }).click();
  await expect(page.getByTestId("findings-panel")).toBeVisible();
  expect(context.pages()).toHaveLength(1);
});
