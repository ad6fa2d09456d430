// "Refresh now" on the namespace page: it asks the server to read the cluster (POST
// /api/v1/snapshot/refresh) and then refetches the namespace's snapshot.
import { expect, test } from "@playwright/test";
import { collectConsoleErrors } from "./helpers";

test("Refresh now posts a refresh for the page's cluster and refetches the snapshot", async ({ page }) => {
  const errors = collectConsoleErrors(page);
  await page.goto("/c/demo/ns/shop");
  await expect(page.getByTestId("graph-canvas")).toHaveAttribute("data-rendered", "true");
  const posted = page.waitForResponse((r) => r.url().includes("/api/v1/snapshot/refresh?cluster=demo") && r.request().method() === "POST");
  const refetched = page.waitForResponse((r) => r.url().includes("/api/v1/snapshot?cluster=demo&namespace=shop") && r.request().method() === "GET");
  await page.getByTestId("refresh-now").click();
  const post = await posted;
  expect(post.status()).toBe(200);
  expect(post.headers()["x-handshake-cluster"]).toBe("demo");
  expect((await refetched).status()).toBe(200);
  await expect(page.getByTestId("refresh-now")).toBeEnabled();
  expect(errors).toEqual([]);
});
