import { describe, expect, it } from "vitest";
import { createLoader } from "nuqs/server";
import { embedParsers, ignoredEmbedParams, ignoredNamespaceParams, namespaceViewParsers } from "./urlState";

describe("ignoredEmbedParams", () => {
  it("names a window or theme the embed cannot use, with why", () => {
    expect(ignoredEmbedParams(new URLSearchParams("window=bad&theme=purple&cluster=demo"))).toEqual([
      { name: "window", value: "bad", reason: "not a duration like 24h, 7d, 30d or 1y, nor all" },
      { name: "theme", value: "purple", reason: "not one of light, dark" },
    ]);
    expect(ignoredEmbedParams({ window: ["7d", "1y"] })).toEqual([{ name: "window", value: "1y", reason: "given more than once; the first value is used" }]);
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
    expect(Object.fromEntries(Object.keys(namespaceViewParsers).map((k) => [k, mode(k as keyof typeof namespaceViewParsers)]))).toEqual({
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

describe("window= with white space", () => {
  it("is not a window: the page shows the default and names it, never a second \" 30d\" preset", () => {
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
