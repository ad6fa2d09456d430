// reviews/fp2rev2.md #4: the findings panel's edge link and the "edge not in this snapshot" notice
// print an inbound passthrough edge's id without ":0"; the URL keeps the id.
import { describe, expect, it } from "vitest";
import { edgeIdLabel } from "../lib/core/snapshot/port";

describe("edgeIdLabel (reviews/fp2rev2.md #4)", () => {
  it.each([
    {
      id: "monitoring/prometheus->kafka.data.svc.cluster.local:0",
      label: "monitoring/prometheus->kafka.data.svc.cluster.local (undeclared port)",
    },
    // Near misses: a real port ending in 0 stays as it is.
    {
      id: "apps/orders->kafka.data.svc.cluster.local:9090",
      label: "apps/orders->kafka.data.svc.cluster.local:9090",
    },
    { id: "apps/orders->web.apps.svc.cluster.local:80", label: "apps/orders->web.apps.svc.cluster.local:80" },
    { id: "unknown->web.apps.svc.cluster.local:10", label: "unknown->web.apps.svc.cluster.local:10" },
  ])("$id", ({ id, label }) => {
    expect(edgeIdLabel(id)).toBe(label);
  });
});
