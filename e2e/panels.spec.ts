// The overview, the expiry panel, the findings filter and the embed, in Debian's Chromium against the
// demo cluster. Embedding is tested for real: a host page on the allowed origin (served by
// page.route) frames /embed/expiry, and the same page on another origin is refused by the CSP.
import { expect, test, type Page } from "@playwright/test";
import config, { ALLOWED_EMBED_ORIGIN } from "../playwright.config";
import { collectConsoleErrors, screenshotPath } from "./helpers";

// The wiki host pages below are served by page.route and have no network address, so Chromium's
// Local Network Access checks treat them as public sites and refuse to let them frame the app on
// 127.0.0.1 (net::ERR_BLOCKED_BY_LOCAL_NETWORK_ACCESS_CHECKS) before the CSP is even consulted. A
// real wiki and Handshake share a network; switch that check off so frame-ancestors alone decides.
const launch = config.use?.launchOptions ?? {};
test.use({
  launchOptions: { ...launch, args: [...(launch.args ?? []), "--disable-features=LocalNetworkAccessChecks"] },
});

interface Snap {
  now: string;
  namespaces: { name: string }[];
  certificates: { id: string; notAfter: string }[];
  findings: { severity: string; code: string }[];
}

/** Serves a wiki page on `origin` that frames `src` (the app itself runs on baseURL). */
async function hostPage(page: Page, origin: string, src: string): Promise<void> {
  await page.route(`${origin}/**`, (route) =>
    route.fulfill({
      contentType: "text/html",
      body: `<!doctype html><html><head><title>Wiki</title></head><body style="margin:0">
        <h1 style="font:16px sans-serif;margin:8px">Team wiki</h1>
        <iframe id="embed" src="${src}" width="1000" height="640" style="border:1px solid #ccc"></iframe>
      </body></html>`,
    }),
  );
  await page.goto(`${origin}/wiki/certificates`);
}

test.describe("overview", () => {
  test("lists the demo cluster's namespaces and links into one", async ({ page, request }) => {
    const snap = (await (await request.get("/api/v1/snapshot?cluster=demo")).json()) as Snap;
    const errors = collectConsoleErrors(page);
    await page.goto("/");
    const cluster = page.getByTestId("overview-cluster").filter({ hasText: "demo" });
    await expect(cluster).toBeVisible();
    await expect(cluster.getByTestId("overview-demo")).toBeVisible();
    const links = cluster.getByTestId("overview-ns-link");
    await expect(links).toHaveCount(snap.namespaces.length);
    await expect(cluster.getByTestId("overview-soonest").locator("li")).toHaveCount(
      Math.min(5, snap.certificates.length),
    );
    await expect(cluster.getByText("Observed traffic over mTLS")).toBeVisible();
    // Contract §4: the worst findings (one row per code), most severe first, each one click from its
    // namespace's findings.
    const worst = cluster.getByTestId("overview-worst").locator("li");
    await expect(worst).toHaveCount(
      Math.min(5, new Set(snap.findings.map((f) => `${f.severity} ${f.code}`)).size),
    );
    const rank = { error: 0, warning: 1, info: 2 } as Record<string, number>;
    const shown = await worst.evaluateAll((els) => els.map((e) => e.getAttribute("data-severity")!));
    expect(shown[0]).toBe(
      [...snap.findings].sort((a, b) => rank[a.severity]! - rank[b.severity]!)[0]!.severity,
    );
    expect(shown.map((x) => rank[x])).toEqual([...shown.map((x) => rank[x])].sort());
    const href = await worst.first().getByRole("link").first().getAttribute("href");
    expect(href).toMatch(new RegExp(`^/c/demo/ns/[a-z0-9-]+\\?view=findings&severity=${shown[0]}$`));
    await page.screenshot({ path: screenshotPath("overview.png"), fullPage: true });
    expect(errors).toEqual([]);
    // Keyboard: the namespace link is reachable and opens the namespace page.
    const shop = links.filter({ hasText: /^shop$/ });
    await shop.focus();
    await page.keyboard.press("Enter");
    await expect(page).toHaveURL(/\/c\/demo\/ns\/shop$/);
  });
});

test.describe("expiry panel", () => {
  test("draws a bar per certificate (aggregating large layers) and a table sorted by soonest", async ({
    page,
    request,
  }) => {
    const snap = (await (await request.get("/api/v1/snapshot?cluster=demo")).json()) as Snap;
    const errors = collectConsoleErrors(page);
    await page.goto("/embed/expiry?cluster=demo&window=30d&theme=light");
    const timeline = page.getByTestId("expiry-timeline");
    await expect(timeline).toBeVisible();
    const bars = timeline.getByTestId("expiry-bar");
    await expect(bars.first()).toBeVisible();
    const drawn = await bars.evaluateAll((els) => els.map((e) => e.getAttribute("data-cert")));
    const hidden = await timeline
      .getByTestId("expiry-group")
      .evaluateAll((els) => els.reduce((n, e) => n + Number(e.getAttribute("data-hidden")), 0));
    const ids = new Set(snap.certificates.map((c) => c.id));
    expect(drawn.every((id) => id !== null && ids.has(id))).toBe(true);
    expect(new Set(drawn).size).toBe(drawn.length);
    expect(drawn.length + hidden).toBe(snap.certificates.length);
    // The expired demo certificate is drawn as expired, with its text cue in the table.
    const expired = snap.certificates.filter((c) => Date.parse(c.notAfter) <= Date.parse(snap.now));
    expect(expired.length).toBeGreaterThan(0);
    for (const c of expired)
      await expect(timeline.locator(`[data-cert="${c.id}"]`)).toHaveAttribute("data-urgency", "expired");
    await expect(page.getByTestId("expiry-count-expired")).toContainText(`expired: ${expired.length}`);
    // The embedded panel's table shows the 8 soonest (ExpiryPanel COMPACT_TABLE_ROWS) to fit a frame.
    const rows = page.getByTestId("expiry-table").locator("tbody tr");
    await expect(rows).toHaveCount(Math.min(8, snap.certificates.length));
    await expect(page.getByText("Copy embed code")).toHaveCount(0);
    const order = await rows.evaluateAll((els) => els.map((e) => e.getAttribute("data-cert")));
    const sorted = [...snap.certificates].sort((a, b) => Date.parse(a.notAfter) - Date.parse(b.notAfter));
    expect(Date.parse(sorted.find((c) => c.id === order[0])!.notAfter)).toBe(Date.parse(sorted[0]!.notAfter));
    await expect(rows.first()).toContainText("expired");
    // A now line and rotation markers are drawn.
    await expect(timeline.locator(".expiry-now").first()).toBeAttached();
    // One rotation marker per drawn bar whose rotation point falls in the window.
    const withRenewal = await timeline.locator("[data-testid=expiry-bar][data-renewal]").count();
    expect(withRenewal).toBeGreaterThan(0);
    await expect(timeline.getByTestId("expiry-renewal")).toHaveCount(withRenewal);
    await page.screenshot({ path: screenshotPath("timeline.png"), fullPage: true });
    expect(errors).toEqual([]);
  });

  test("the longest window draws at most 10 axis ticks per layer and renders at once", async ({ page }) => {
    const errors = collectConsoleErrors(page);
    const started = Date.now();
    await page.goto("/c/demo/ns/istio-system?view=certificates&window=999999y");
    await expect(page.getByTestId("expiry-bar").first()).toBeVisible({ timeout: 8_000 });
    expect(Date.now() - started).toBeLessThan(8_000);
    const perAxis = await page
      .locator(".recharts-xAxis")
      .evaluateAll((axes) => axes.map((a) => a.querySelectorAll(".recharts-cartesian-axis-tick").length));
    expect(perAxis.length).toBeGreaterThan(0);
    for (const n of perAxis) expect(n).toBeLessThanOrEqual(10);
    expect(errors).toEqual([]);
  });

  test("a padded window is not used (nor shown as a second preset), and the link says so", async ({
    page,
  }) => {
    await page.goto("/c/demo/ns/shop?view=certificates&window=%2030d");
    const zoom = page.getByRole("group", { name: "Time window" });
    await expect(zoom.getByRole("button")).toHaveText(["24h", "7d", "30d", "1y", "all"]);
    await expect(zoom.getByRole("button", { name: "30d" })).toHaveAttribute("aria-pressed", "true");
    await expect(page.getByTestId("ignored-params")).toContainText("window= 30d");
  });

  test("the SVG image keeps every text inside its width", async ({ page }) => {
    for (const theme of ["light", "dark"]) {
      await page.goto(`/api/v1/expiry.svg?cluster=demo&namespace=shop&theme=${theme}`);
      const { width, overflow } = await page.evaluate(() => {
        const svg = document.querySelector("svg")!;
        const w = Number(svg.getAttribute("width"));
        const out = [...svg.querySelectorAll("text")]
          .map((t) => ({ text: t.textContent ?? "", right: t.getBBox().x + t.getBBox().width }))
          .filter((t) => t.right > w);
        return { width: w, overflow: out };
      });
      expect(width).toBe(880);
      expect(overflow).toEqual([]);
    }
  });

  test("zoom presets are keyboard reachable and change the URL's window", async ({ page }) => {
    await page.goto("/embed/expiry?cluster=demo&window=30d");
    const zoom = page.getByRole("group", { name: "Time window" });
    await expect(zoom.getByRole("button", { name: "30d" })).toHaveAttribute("aria-pressed", "true");
    await zoom.getByRole("button", { name: "7d" }).focus();
    await page.keyboard.press("Enter");
    await expect(page).toHaveURL(/window=7d/);
    await expect(zoom.getByRole("button", { name: "7d" })).toHaveAttribute("aria-pressed", "true");
    await page.reload();
    await expect(zoom.getByRole("button", { name: "7d" })).toHaveAttribute("aria-pressed", "true");
  });

  test("the namespace's certificate view offers an iframe and a Markdown image snippet", async ({
    page,
    baseURL,
  }) => {
    await page.goto("/c/demo/ns/shop?view=certificates&window=7d");
    await page.getByText("Copy embed code").click();
    await expect(page.getByTestId("embed-iframe-snippet")).toHaveValue(
      `<iframe src="${baseURL}/embed/expiry?cluster=demo&amp;namespace=shop&amp;window=7d&amp;theme=light" title="Certificate expiry: demo/shop" width="900" height="520" style="border:0" loading="lazy"></iframe>`,
    );
    await expect(page.getByTestId("embed-markdown-snippet")).toHaveValue(
      `[![Certificate expiry demo/shop (7d)](${baseURL}/api/v1/expiry.svg?cluster=demo&namespace=shop&window=7d&theme=light)](${baseURL}/c/demo/ns/shop?view=certificates&window=7d)`,
    );
  });

  test("Copy embed code offers light or dark, starting from the page's colour scheme", async ({
    page,
    baseURL,
  }) => {
    await page.emulateMedia({ colorScheme: "dark" });
    await page.goto("/c/demo/ns/shop?view=certificates&window=7d");
    await page.getByText("Copy embed code").click();
    const iframe = page.getByTestId("embed-iframe-snippet");
    const markdown = page.getByTestId("embed-markdown-snippet");
    await expect(iframe).toHaveValue(/&amp;theme=dark"/);
    await expect(markdown).toHaveValue(
      new RegExp(`${baseURL}/api/v1/expiry\\.svg\\?cluster=demo&namespace=shop&window=7d&theme=dark\\)`),
    );
    const choice = page.getByRole("radiogroup", { name: "Embed theme" });
    await choice.getByRole("radio", { name: "light" }).check();
    await expect(iframe).toHaveValue(/&amp;theme=light"/);
    await expect(markdown).toHaveValue(/&theme=light\)/);
    // The choice is not URL state: the page's link does not change.
    expect(new URL(page.url()).searchParams.get("theme")).toBeNull();
    // Near miss: a light page starts from light.
    await page.emulateMedia({ colorScheme: "light" });
    await page.reload();
    await page.getByText("Copy embed code").click();
    await expect(page.getByTestId("embed-iframe-snippet")).toHaveValue(/&amp;theme=light"/);
    await expect(
      page.getByRole("radiogroup", { name: "Embed theme" }).getByRole("radio", { name: "light" }),
    ).toBeChecked();
  });

  test("a window or theme the embed cannot use is named in the frame, the default shown", async ({
    page,
  }) => {
    await page.goto("/embed/expiry?cluster=demo&window=bad&theme=purple");
    const notice = page.getByTestId("ignored-params");
    await expect(notice).toContainText("window=bad (not a duration like 24h, 7d, 30d or 1y, nor all)");
    await expect(notice).toContainText("theme=purple (not one of light, dark)");
    await expect(page.getByTestId("embed-root")).toHaveAttribute("data-theme", "light");
    await expect(
      page.getByRole("group", { name: "Time window" }).getByRole("button", { name: "30d" }),
    ).toHaveAttribute("aria-pressed", "true");
    await page.goto("/embed/expiry?cluster=demo&window=7d&theme=dark");
    await expect(page.getByTestId("expiry-panel")).toBeVisible();
    await expect(page.getByTestId("ignored-params")).toHaveCount(0);
  });

  test("an unknown cluster or namespace is a chrome-less 404", async ({ page }) => {
    for (const q of ["cluster=no-such-cluster", "cluster=demo&namespace=no-such-ns"]) {
      const r = await page.goto(`/embed/expiry?${q}`);
      expect(r!.status(), q).toBe(404);
      await expect(page.getByTestId("embed-not-found")).toBeVisible();
      await expect(page.locator(".site-header")).toHaveCount(0);
      await expect(page.getByTestId("expiry-panel")).toHaveCount(0);
    }
  });

  test("the 404 frame keeps the link's theme", async ({ page }) => {
    const bg = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    for (const q of ["cluster=nope&theme=dark", "cluster=demo&namespace=zzz&theme=dark"]) {
      expect((await page.goto(`/embed/expiry?${q}`))!.status()).toBe(404);
      await expect(page.getByTestId("embed-not-found")).toHaveAttribute("data-theme", "dark");
      expect(await bg(), q).toBe("rgb(17, 20, 24)");
    }
    // Near misses: light, absent or unusable themes are light.
    for (const q of ["cluster=nope&theme=light", "cluster=nope", "cluster=nope&theme=purple"]) {
      await page.goto(`/embed/expiry?${q}`);
      await expect(page.getByTestId("embed-not-found")).toHaveAttribute("data-theme", "light");
      expect(await bg(), q).toBe("rgb(255, 255, 255)");
    }
  });
});

test.describe("embedding", () => {
  test("renders inside an iframe on an allowed origin, light and dark", async ({ page, baseURL }) => {
    for (const theme of ["light", "dark"] as const) {
      await hostPage(
        page,
        ALLOWED_EMBED_ORIGIN,
        `${baseURL}/embed/expiry?cluster=demo&window=30d&theme=${theme}`,
      );
      const frame = page.frameLocator("#embed");
      await expect(frame.getByTestId("expiry-panel")).toBeVisible();
      await expect(frame.getByTestId("expiry-bar").first()).toBeVisible();
      await expect(frame.locator(".site-header")).toHaveCount(0);
      await expect(frame.getByTestId("embed-root")).toHaveAttribute("data-theme", theme);
      await page.screenshot({ path: screenshotPath(`embed-${theme}.png`) });
    }
  });

  test("is refused by the CSP on any other origin", async ({ page, baseURL }) => {
    const refused = page.waitForEvent("console", (m) => /frame-ancestors/.test(m.text()));
    await hostPage(page, "http://other.test", `${baseURL}/embed/expiry?cluster=demo`);
    expect((await refused).text()).toContain("frame-ancestors http://wiki.allowed.test");
    await expect(page.frameLocator("#embed").getByTestId("expiry-panel")).toHaveCount(0);
  });

  test("other pages may not be framed at all", async ({ page, baseURL }) => {
    const refused = page.waitForEvent("console", (m) => /frame-ancestors 'none'/.test(m.text()));
    await hostPage(page, ALLOWED_EMBED_ORIGIN, `${baseURL}/`);
    await refused;
    await expect(page.frameLocator("#embed").getByTestId("overview-cluster")).toHaveCount(0);
  });
});

test.describe("findings panel", () => {
  test("the severity filter lives in the URL and survives a reload", async ({ page, request }) => {
    const { findings } = (await (
      await request.get("/api/v1/findings?cluster=demo&namespace=shop")
    ).json()) as Snap;
    // The most severe level the demo namespace has (the demo's data is not this test's business).
    const severity = (["error", "warning", "info"] as const).find((s) =>
      findings.some((f) => f.severity === s),
    );
    expect(severity).toBeDefined();
    const chosen = findings.filter((f) => f.severity === severity).length;
    await page.goto("/c/demo/ns/shop?view=findings");
    const panel = page.getByTestId("findings-panel");
    await expect(panel).toBeVisible();
    const groups = panel.getByTestId("finding-group");
    const total = async () =>
      (await groups.locator(".findings-count").allTextContents()).reduce((n, c) => n + Number(c), 0);
    await expect(groups.first()).toBeVisible();
    expect(await total()).toBe(findings.length);
    const button = panel
      .getByRole("group", { name: "Filter by severity" })
      .getByRole("button", { name: new RegExp(`^${severity} \\(`) });
    await button.click();
    await expect(page).toHaveURL(new RegExp(`[?&]severity=${severity}(&|$)`));
    await expect(button).toHaveAttribute("aria-pressed", "true");
    await expect.poll(total).toBe(chosen);
    const badges = groups.locator(".sev-badge");
    expect((await badges.allTextContents()).every((t) => t.includes(severity!))).toBe(true);
    // Each finding of an edge links to that edge on the namespace graph.
    for (const href of await panel
      .getByTestId("finding-edge-link")
      .evaluateAll((els) => els.map((e) => e.getAttribute("href"))))
      expect(href).toMatch(/^\/c\/demo\/ns\/shop\?edge=/);
    await page.reload();
    await expect(
      panel
        .getByRole("group", { name: "Filter by severity" })
        .getByRole("button", { name: new RegExp(`^${severity} \\(`) }),
    ).toHaveAttribute("aria-pressed", "true");
    await expect.poll(total).toBe(chosen);
    expect((await badges.allTextContents()).every((t) => t.includes(severity!))).toBe(true);
  });
});
