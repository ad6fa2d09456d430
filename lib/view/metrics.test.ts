import { describe, expect, it } from "vitest";
import { plaintextIntoStrict } from "./__fixtures__/plaintextIntoStrict";
import { cert, root } from "./__fixtures__/certificate";
import { buildMetrics, escapeLabelValue } from "./metrics";

const snap = plaintextIntoStrict();
const withCerts = {
  ...snap,
  certificates: [
    root(1, { from: -10, to: 100 }, { subject: 'CN=Root "A"\\B\nC' }),
    cert(2, { from: -1, to: 23 }),
  ],
};

/** Exposition format 0.0.4: comments, or `name{labels} value`. */
const SAMPLE =
  /^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\\n]|\\[\\"n])*",?)*\})? [-+]?(\d+(\.\d+)?([eE][-+]?\d+)?|NaN|Inf)$/;

describe("buildMetrics", () => {
  const text = buildMetrics([
    { cluster: "demo", snapshot: withCerts, ageSeconds: 4, stale: false },
    { cluster: "broken", snapshot: null, ageSeconds: null, stale: false },
  ]);
  const lines = text.trimEnd().split("\n");

  it("writes only valid exposition lines, each family once with HELP and TYPE first", () => {
    for (const l of lines) {
      if (l.startsWith("#")) expect(l).toMatch(/^# (HELP|TYPE) handshake_[a-z_]+ .+$/);
      else expect(l).toMatch(SAMPLE);
    }
    const types = lines.filter((l) => l.startsWith("# TYPE")).map((l) => l.split(" ")[2]);
    expect(new Set(types).size).toBe(types.length);
    // Samples of a family follow its TYPE line without interleaving.
    let family = "";
    for (const l of lines) {
      if (l.startsWith("# TYPE")) family = l.split(" ")[2]!;
      else if (!l.startsWith("#")) expect(l.startsWith(family)).toBe(true);
    }
    expect(text.endsWith("\n")).toBe(true);
  });

  it("exports certificate not-after as Unix seconds with escaped labels", () => {
    const rootLine = lines.find(
      (l) => l.startsWith("handshake_certificate_not_after_seconds") && l.includes('role="root"'),
    )!;
    expect(rootLine).toContain('subject="CN=Root \\"A\\"\\\\B\\nC"');
    expect(rootLine).toContain('cluster="demo"');
    expect(rootLine).toContain('namespace="istio-system"');
    expect(rootLine.endsWith(` ${Date.parse(withCerts.certificates[0]!.notAfter) / 1000}`)).toBe(true);
  });

  it("counts findings by code and severity and edges by every status", () => {
    const byCode = snap.findings.filter((f) => f.code === "edge.plaintext-to-strict").length;
    expect(lines).toContain(
      `handshake_findings{cluster="demo",code="edge.plaintext-to-strict",severity="error"} ${byCode}`,
    );
    const total = lines
      .filter((l) => l.startsWith("handshake_findings{"))
      .reduce((n, l) => n + Number(l.split(" ").pop()), 0);
    expect(total).toBe(snap.findings.length);
    for (const s of ["mtls", "plaintext", "broken", "mismatch", "unknown"])
      expect(lines.some((l) => l.startsWith(`handshake_edges{cluster="demo",status="${s}"}`))).toBe(true);
    const edges = lines
      .filter((l) => l.startsWith("handshake_edges{"))
      .reduce((n, l) => n + Number(l.split(" ").pop()), 0);
    expect(edges).toBe(snap.edges.length);
  });

  it("marks a cluster without snapshot down", () => {
    expect(lines).toContain('handshake_cluster_up{cluster="broken"} 0');
    expect(lines).toContain('handshake_cluster_up{cluster="demo"} 1');
    expect(lines.some((l) => l.includes('cluster="broken"') && !l.startsWith("handshake_cluster_up"))).toBe(
      false,
    );
  });

  it("escapes backslash, quote and newline", () => {
    expect(escapeLabelValue('a\\b"c\nd')).toBe('a\\\\b\\"c\\nd');
  });
});
