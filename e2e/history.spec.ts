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

test("Back closes an edge panel and returns to the edge opened before; Forward reopens it", async ({ page }) => {
  await page.goto(NS_PATH);
  const rows = page.locator("[data-testid=edge-list] tbody tr");
  await expect(rows.nth(1)).toBeVisible();
  const [first, second] = [await rows.nth(0).getAttribute("data-edge-id"), await rows.nth(1).getAttribute("data-edge-id")];
  await rows.nth(0).getByTestId("edge-button").click();
  await expect(page.getByTestId("edge-panel")).toBeVisible();
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

test("near miss: filter tweaks replace the entry, so Back leaves the tab rather than undoing a filter", async ({ page }) => {
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
