import { describe, expect, it } from "vitest";
import { createLoader } from "nuqs/server";
import {
  changesUrl,
  currentQuery,
  embedParsers,
  handledInPage,
  ignoredEmbedParams,
  ignoredNamespaceParams,
  namespaceViewParsers,
} from "./urlState";

describe("ignoredEmbedParams", () => {
  it("names a window or theme the embed cannot use, with why", () => {
    expect(ignoredEmbedParams(new URLSearchParams("window=bad&theme=purple&cluster=demo"))).toEqual([
      { name: "window", value: "bad", reason: "not a duration like 24h, 7d, 30d or 1y, nor all" },
      { name: "theme", value: "purple", reason: "not one of light, dark" },
    ]);
    expect(ignoredEmbedParams({ window: ["7d", "1y"] })).toEqual([
      { name: "window", value: "1y", reason: "given more than once; the first value is used" },
    ]);
  });

  it("is empty for valid or absent parameters", () => {
    expect(ignoredEmbedParams(new URLSearchParams("window=7d&theme=dark"))).toEqual([]);
    expect(ignoredEmbedParams({})).toEqual([]);
  });
});

describe("window=all", () => {
  it("is a window the namespace view and the embed keep (the timeline's preset, as the API takes it)", () => {
    expect(createLoader(namespaceViewParsers)("?view=certificates&window=all").window).toBe("all");
    expect(createLoader(embedParsers)("?window=all").window).toBe("all");
    expect(ignoredNamespaceParams(new URLSearchParams("window=all"))).toEqual([]);
    expect(ignoredEmbedParams(new URLSearchParams("window=all"))).toEqual([]);
    // Anything else that is not a duration is still the default, and named.
    expect(createLoader(namespaceViewParsers)("?window=always").window).toBe("30d");
    expect(ignoredNamespaceParams(new URLSearchParams("window=always"))).toHaveLength(1);
  });
});

describe("history entries (docs/DECISIONS.md, History entries)", () => {
  it("switching the view and opening or closing a panel push an entry; filter tweaks replace it", () => {
    const mode = (k: keyof typeof namespaceViewParsers) => namespaceViewParsers[k].history ?? "replace";
    expect(
      Object.fromEntries(
        Object.keys(namespaceViewParsers).map((k) => [k, mode(k as keyof typeof namespaceViewParsers)]),
      ),
    ).toEqual({
      view: "push",
      edge: "push",
      workload: "push",
      severity: "replace",
      ref: "replace",
      window: "replace",
      problems: "replace",
    });
  });

  it("near miss: the embed's window zoom replaces (a framed panel adds nothing to the wiki's history)", () => {
    expect(embedParsers.window.history ?? "replace").toBe("replace");
  });
});

describe("changesUrl: a setter that would leave the URL as it is adds no history entry (reviews/http2.md #1)", () => {
  // [query now, patch, whether the URL changes]
  const cases: [string, Parameters<typeof changesUrl>[1], boolean][] = [
    // Re-selecting what is shown: the tab, the open edge, the open workload.
    ["", { view: "graph" }, false],
    ["view=findings", { view: "findings" }, false],
    ["edge=e1", { edge: "e1", workload: null }, false],
    ["workload=cart", { workload: "cart", edge: null }, false],
    ["", { edge: null, workload: null }, false],
    ["severity=error,warning&view=findings", { severity: ["error", "warning"] }, false],
    ["", { severity: null }, false],
    ["", { severity: [] }, false],
    ["problems=true", { problems: true }, false],
    // Near misses: a real change is still a change.
    ["", { view: "findings" }, true],
    ["view=findings", { view: "graph" }, true],
    ["edge=e1", { edge: "e2", workload: null }, true],
    ["edge=e1", { edge: null, workload: null }, true],
    ["edge=e1", { workload: "cart", edge: null }, true],
    ["", { edge: "e1", workload: null }, true],
    ["severity=error", { severity: ["error", "warning"] }, true],
    ["severity=error,warning", { severity: ["warning", "error"] }, true],
    ["problems=true", { problems: false }, true],
    // The link says something the view ignores: the default written over it is a change (it drops it).
    ["view=bogus", { view: "graph" }, true],
    ["view=findings&view=graph", { view: "findings" }, true],
    ["edge=", { edge: null }, true],
  ];
  it.each(cases)("?%s with %j → %s", (query, patch, changes) => {
    expect(changesUrl(new URLSearchParams(query), patch)).toBe(changes);
  });

  it("an update nuqs has not written to the address bar yet counts (it writes on a later tick)", () => {
    const view = createLoader(namespaceViewParsers);
    // Findings was clicked, the URL still says the graph: a click on Graph is a change.
    const pending = currentQuery(new URLSearchParams(""), { ...view(""), view: "findings" });
    expect(pending.get("view")).toBe("findings");
    expect(changesUrl(pending, { view: "graph" })).toBe(true);
    expect(changesUrl(pending, { view: "findings" })).toBe(false);
    // An edge opened, not written yet: Close is a change.
    expect(
      changesUrl(currentQuery(new URLSearchParams(""), { ...view(""), edge: "e1" }), {
        edge: null,
        workload: null,
      }),
    ).toBe(true);
    // Near miss: nothing pending, the URL as it is (an ignored value included) is what is compared.
    const settled = currentQuery(new URLSearchParams("view=bogus&x=1"), view("view=bogus&x=1"));
    expect(settled.toString()).toBe("view=bogus&x=1");
    expect(changesUrl(settled, { view: "graph" })).toBe(true);
  });

  it("names with characters a query escapes compare by value, not by spelling", () => {
    expect(changesUrl(new URLSearchParams("edge=a%2Bb%20c"), { edge: "a+b c" })).toBe(false);
    expect(changesUrl(new URLSearchParams("edge=a+b"), { edge: "a+b" })).toBe(true); // "+" in a query is a space
  });
});

describe("handledInPage: only a plain left click on a tab is the page's (reviews/http2.md #7)", () => {
  const plain = { button: 0, ctrlKey: false, metaKey: false, shiftKey: false, altKey: false };
  it("a plain left click switches in place", () => {
    expect(handledInPage(plain)).toBe(true);
  });
  it.each([
    ["Ctrl (new tab)", { ctrlKey: true }],
    ["Cmd (new tab on macOS)", { metaKey: true }],
    ["Shift (new window)", { shiftKey: true }],
    ["Alt (download)", { altKey: true }],
    ["middle button", { button: 1 }],
    ["right button", { button: 2 }],
  ])("near miss: %s is left to the browser", (_, mod) => {
    expect(handledInPage({ ...plain, ...mod })).toBe(false);
  });
});

describe("window= with white space", () => {
  it('is not a window: the page shows the default and names it, never a second " 30d" preset', () => {
    expect(createLoader(namespaceViewParsers)("?window=%2030d").window).toBe("30d");
    expect(ignoredNamespaceParams(new URLSearchParams("window=%2030d"))).toEqual([
      { name: "window", value: " 30d", reason: "not a duration like 24h, 7d, 30d or 1y, nor all" },
    ]);
    expect(createLoader(embedParsers)("?window=7d%20").window).toBe("30d");
    expect(ignoredEmbedParams(new URLSearchParams("window=7d%20"))).toHaveLength(1);
    // Near miss: the same window without it.
    expect(createLoader(namespaceViewParsers)("?window=7d").window).toBe("7d");
  });
});
