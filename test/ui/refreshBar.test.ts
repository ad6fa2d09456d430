// The server's HTML for the refresh bar must not depend on anything clock-dependent on the client:
// react-query reports a refetch of the seeded snapshot once it is older than staleTime, which can flip
// between the server render and hydration (a React #418 hydration error, seen as a flaky e2e).
import { createElement } from "react";
import { renderToString } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { RefreshBar, type RefreshBarProps } from "../../components/namespace/RefreshBar";

const base: RefreshBarProps = {
  generatedAt: "2026-11-27T12:00:00Z",
  paused: false,
  onTogglePause: () => {},
  onRefreshNow: () => {},
  fetching: false,
  stale: false,
  serverError: null,
  fetchError: null,
  demo: true,
};

describe("RefreshBar server render", () => {
  it("is the same whether or not the browser will already be refetching at hydration", () => {
    const idle = renderToString(createElement(RefreshBar, base));
    const refetching = renderToString(createElement(RefreshBar, { ...base, fetching: true }));
    expect(refetching).toBe(idle);
    expect(idle).toContain("2026-11-27T12:00:00Z");
    expect(idle).not.toContain("refreshing");
  });
});
