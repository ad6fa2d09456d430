import { describe, expect, it } from "vitest";
import { CertificateSchema } from "../../core/snapshot/schema";
import { cert, expiringFindings, FIXTURE_NOW, root } from "../__fixtures__/certificate";
import { formatDuration, formatOffset, formatTimeLeft, textEm, wrapWords } from "./format";
import { layerOf } from "./layer";
import { axisTicks, buildExpiryModel, expiringWithin, windowDomain } from "./timeline";
import { DEFAULT_CERT_THRESHOLDS } from "../../core/certs/thresholds";
import {
  expiringVerdicts,
  URGENCY_LABELS,
  URGENCY_RULES,
  urgencyOf as urgencyWith,
  urgencyRules,
  type Urgency,
} from "./urgency";
import { parseManifestText } from "../../core/load/parseManifests";
import { mergeParsed } from "../../core/load/mergeParsed";
import { analyze } from "../../core/snapshot/analyze";
import { MeshSnapshotSchema } from "../../core/snapshot/schema";
import { summarizeCluster } from "../overview/summary";
import { makePki, PKI_NOW } from "../../../test/pki";
import type { Certificate } from "../../core/snapshot/schema";
import type { CertThresholds } from "../../core/certs/thresholds";

const now = Date.parse(FIXTURE_NOW);
const DAY = 24;

/** urgencyOf with the cert.expiring finding the analysis gives a certificate free of rotation facts. */
const urgencyOf = (c: Certificate, nowMs: number, t?: CertThresholds) =>
  urgencyWith(c, nowMs, expiringVerdicts(expiringFindings([c], new Date(nowMs).toISOString(), t)), t);

describe("layerOf", () => {
  it("reads the layer from role and source", () => {
    expect(layerOf(root(1, { from: -1000, to: 80_000 }))).toBe("root");
    expect(layerOf(root(2, { from: -10, to: 9000 }, { role: "intermediate" }))).toBe("intermediate");
    expect(layerOf(cert(3, { from: -1, to: 23 }))).toBe("workload");
    expect(layerOf(cert(4, { from: -1, to: 23 }, { role: "leaf", spiffeId: null }))).toBe("workload");
    // Linkerd: anchor/issuer roles, the identity objects, or a Linkerd identity name.
    expect(layerOf(root(5, { from: -1, to: 9000 }, { role: "trust-anchor" }))).toBe("linkerd");
    expect(layerOf(root(6, { from: -1, to: 9000 }, { role: "issuer" }))).toBe("linkerd");
    expect(
      layerOf(
        cert(
          7,
          { from: -1, to: 23 },
          { dnsNames: ["web.shop.serviceaccount.identity.linkerd.cluster.local"] },
        ),
      ),
    ).toBe("linkerd");
    // SPIRE's bundle; cert-manager: a Certificate source or a cert-manager renewalTime on a non-workload.
    expect(
      layerOf(
        root(
          8,
          { from: -1, to: 9000 },
          { source: { kind: "ConfigMap", namespace: "spire", name: "spire-bundle" }, sources: [] },
        ),
      ),
    ).toBe("spire");
    expect(
      layerOf(
        cert(
          9,
          { from: -1, to: 2000 },
          {
            role: "leaf",
            renewalTime: "2026-12-20T00:00:00Z",
            source: { kind: "Secret", namespace: "shop", name: "web-tls" },
          },
        ),
      ),
    ).toBe("cert-manager");
    // An Istio workload certificate's expected rotation point does not make it cert-manager's.
    expect(layerOf(cert(10, { from: -1, to: 23 }, { renewalTime: "2026-11-27T23:00:00Z" }))).toBe("workload");
  });
});

describe("urgencyOf", () => {
  it("buckets by time left for long-lived certificates", () => {
    const leaf = (toHours: number) => cert(1, { from: -90 * DAY, to: toHours }, { role: "leaf" });
    expect(urgencyOf(leaf(-1), now)).toBe("expired");
    expect(urgencyOf(leaf(0), now)).toBe("expired");
    expect(urgencyOf(leaf(5), now)).toBe("critical");
    expect(urgencyOf(leaf(2 * DAY), now)).toBe("critical"); // < 3 d is cert.expiring error for leaves
    expect(urgencyOf(leaf(10 * DAY), now)).toBe("soon"); // < 14 d is cert.expiring warning
    expect(urgencyOf(leaf(4 * DAY), now)).toBe("soon");
    expect(urgencyOf(leaf(20 * DAY), now)).toBe("upcoming");
    expect(urgencyOf(leaf(60 * DAY), now)).toBe("ok");
  });

  it("is at least as urgent as cert.expiring for CAs", () => {
    const ca = (toDays: number) => root(2, { from: -3650 * DAY, to: toDays * DAY });
    expect(urgencyOf(ca(10), now)).toBe("critical"); // < 14 d: error
    expect(urgencyOf(ca(45), now)).toBe("soon"); // < 60 d: warning
    expect(urgencyOf(ca(400), now)).toBe("ok");
  });

  it("judges short-lived workload certificates by the fraction of lifetime left", () => {
    // A 24 h Istio certificate always has < 24 h left; it is not critical for that.
    expect(urgencyOf(cert(3, { from: -2, to: 22 }), now)).toBe("ok");
    expect(urgencyOf(cert(3, { from: -19, to: 5 }), now)).toBe("soon"); // 21 % left
    expect(urgencyOf(cert(3, { from: -22, to: 2 }), now)).toBe("critical"); // 8 % left
  });

  it("labels buckets by meaning, and the rules say what a 2 h-left healthy workload certificate means", () => {
    // A 4 h certificate with 2 h left (50 %) is healthy: the label must not claim a time like "< 24 h".
    const u = urgencyOf(cert(3, { from: -2, to: 2 }), now);
    expect(u).toBe("ok");
    expect(URGENCY_LABELS).toEqual({
      expired: "expired",
      critical: "critical",
      soon: "soon",
      upcoming: "watch",
      ok: "healthy",
    });
    expect(URGENCY_RULES.critical).toBe(
      "less than 3 d left (CAs: less than 14 d); short-lived workload certificates (lifetime ≤ 7 d): less than 10 % of their lifetime left",
    );
    expect(URGENCY_RULES.soon).toContain("less than 14 d left (CAs: less than 60 d)");
    expect(URGENCY_RULES.soon).toContain("less than 25 % of their lifetime left");
    // The rules follow the thresholds urgencyOf uses.
    const t = { ...DEFAULT_CERT_THRESHOLDS, leafErrorDays: 5, shortLivedErrorFraction: 0.2 };
    expect(urgencyRules(t).critical).toContain("less than 5 d left");
    expect(urgencyRules(t).critical).toContain("less than 20 % of their lifetime left");
    const leaf = (toHours: number) => cert(1, { from: -90 * DAY, to: toHours }, { role: "leaf" });
    expect(urgencyOf(leaf(4 * DAY), now, t)).toBe("critical");
    expect(urgencyOf(leaf(4 * DAY), now)).toBe("soon");
  });
});

describe("format", () => {
  it("renders durations coarse far out and precise near expiry", () => {
    expect(formatDuration(59)).toBe("0m");
    expect(formatDuration(42 * 60)).toBe("42m");
    expect(formatDuration(5 * 3600 + 59)).toBe("5h");
    expect(formatDuration(3 * 86_400 + 4 * 3600)).toBe("3d 4h");
    expect(formatDuration(120 * 86_400)).toBe("120d");
    expect(formatDuration(365 * 86_400)).toBe("1y");
    expect(formatDuration(1.55 * 365 * 86_400)).toBe("1.5y");
    expect(formatTimeLeft(-7200)).toBe("expired 2h ago");
    expect(formatTimeLeft(7200)).toBe("2h left");
    expect(formatOffset(0)).toBe("now");
    expect(formatOffset(-86_400 * 7)).toBe("−7d");
  });
});

describe("wrapWords", () => {
  it("breaks between words within the em budget (textEm), keeping every word in order", () => {
    // the quick = 5.83 em, + brown = 10.13; brown fox = 6.31, + jumps = 10.51.
    expect(wrapWords("the quick brown fox jumps", 7)).toEqual(["the quick", "brown fox", "jumps"]);
    expect(wrapWords("a  b\tc", 2)).toEqual(["a b", "c"]);
    // A word wider than a line is cut across lines rather than overflowing (abcd = 2.96 em, efgh = 2.75).
    expect(wrapWords("abcdefghij x", 3)).toEqual(["abcd", "efgh", "ij x"]);
  });

  it("measures wide letters and non-ASCII text by their width, not their count (reviews/readthrough.md #12)", () => {
    // 12 characters each: by count both would share a width; m and Ш take 1.12 and 1.3 em.
    expect(wrapWords("mmmmm mmmmmm", 7)).toEqual(["mmmmm", "mmmmmm"]);
    expect(wrapWords("iiiii iiiiii", 7)).toEqual(["iiiii iiiiii"]);
    expect(wrapWords("ШШШШ ШШ", 6)).toEqual(["ШШШШ", "ШШ"]);
    for (const line of wrapWords("中文 中文字 中文字符 ✕ ▲ ◆ ● expired critical", 4))
      expect(textEm(line)).toBeLessThanOrEqual(4);
  });

  it("cuts between graphemes, never inside one; a grapheme wider than a line has a line of its own", () => {
    expect(wrapWords("👩\u200d💻👩\u200d💻👩\u200d💻", 3)).toEqual([
      "👩\u200d💻",
      "👩\u200d💻",
      "👩\u200d💻",
    ]);
    expect(wrapWords("e\u0301e\u0301e\u0301", 1.5)).toEqual(["e\u0301e\u0301", "e\u0301"]);
    expect(wrapWords("中", 0.5)).toEqual(["中"]);
  });

  it("near miss: text that fits stays one line; empty text is no line", () => {
    expect(wrapWords("fits exactly", textEm("fits exactly"))).toEqual(["fits exactly"]);
    expect(wrapWords("", 10)).toEqual([]);
  });
});

describe("buildExpiryModel", () => {
  const certs = [
    root(1, { from: -DAY * 365, to: DAY * 3650 }),
    cert(2, { from: -DAY * 90, to: -3 }, { role: "leaf", spiffeId: null, dnsNames: ["old.shop.svc"] }),
    cert(3, { from: -12, to: 12 }),
    cert(4, { from: -2, to: 22 }, { renewalTime: "2026-11-27T22:00:00Z" }),
  ];

  it("makes every certificate valid snapshot data (fixture sanity)", () => {
    for (const c of certs) expect(CertificateSchema.safeParse(c).success).toBe(true);
  });

  it("groups bars by layer, clamps them to the window and keeps the rotation marker", () => {
    const m = buildExpiryModel(certs, { now: FIXTURE_NOW, window: "24h", findings: expiringFindings(certs) });
    expect(m.domain).toEqual([-6 * 3600, 24 * 3600]);
    expect(m.groups.map((g) => g.layer)).toEqual(["root", "workload"]);
    const rootBar = m.groups[0]!.bars[0]!;
    expect(rootBar).toMatchObject({ start: -6 * 3600, end: 24 * 3600, clippedStart: true, clippedEnd: true });
    const w = m.groups[1]!.bars;
    expect(w.map((b) => b.name)).toEqual([
      "old.shop.svc",
      "spiffe://cluster.local/ns/shop/sa/web-3",
      "spiffe://cluster.local/ns/shop/sa/web-4",
    ]);
    expect(w[0]).toMatchObject({ urgency: "expired", end: -3 * 3600, leftText: "expired 3h ago" });
    expect(w[2]!.renewal).toBe(10 * 3600);
    expect(m.counts).toEqual({ expired: 1, critical: 0, soon: 0, upcoming: 0, ok: 3 });
  });

  it("sorts the table by soonest expiry", () => {
    const m = buildExpiryModel([...certs].reverse(), {
      now: FIXTURE_NOW,
      window: "30d",
      findings: expiringFindings(certs),
    });
    expect(m.table.map((r) => r.id.slice(-1))).toEqual(["2", "3", "4", "1"]);
    expect(m.table[3]).toMatchObject({
      layerLabel: "Roots",
      owner: "ConfigMap istio-system/istio-ca-root-cert",
      verified: true,
    });
  });

  it("aggregates large layers: the N soonest as bars, the rest counted", () => {
    const many = Array.from({ length: 10_000 }, (_, i) => cert(100 + i, { from: -2, to: 1 + (i % 20) }));
    const m = buildExpiryModel(many, {
      now: FIXTURE_NOW,
      window: "7d",
      maxBarsPerLayer: 10,
      findings: expiringFindings(many),
    });
    const g = m.groups[0]!;
    expect(g.bars).toHaveLength(10);
    expect(g.hidden).toBe(9_990);
    expect(g.total).toBe(10_000);
    expect(Object.values(g.hiddenByUrgency).reduce((a, b) => a + b, 0)).toBe(9_990);
    expect(g.bars.every((b) => b.secondsLeft <= 3600)).toBe(true);
    expect(m.table).toHaveLength(10_000);
  });

  it("falls back to the default window on a bad one and says so", () => {
    const m = buildExpiryModel(certs, { now: FIXTURE_NOW, window: "soon", findings: [] });
    expect(m.windowValid).toBe(false);
    expect(m.domain).toEqual([-7.5 * 86_400, 30 * 86_400]);
  });

  it("covers every certificate with window=all", () => {
    const { domain } = windowDomain("all", certs, now);
    expect(domain[0]).toBeLessThan(-365 * 86_400);
    expect(domain[1]).toBeGreaterThan(3650 * 86_400);
  });
});

describe("axisTicks", () => {
  it("puts now on a tick and keeps 5-10 ticks for hours and years alike", () => {
    for (const d of [
      [-6 * 3600, 24 * 3600],
      [-7.5 * 86_400, 30 * 86_400],
      [-400 * 86_400, 3700 * 86_400],
    ] as [number, number][]) {
      const t = axisTicks(d);
      expect(t).toContain(0);
      expect(t.length).toBeGreaterThanOrEqual(4);
      expect(t.length).toBeLessThanOrEqual(10);
      expect(t.every((x) => x >= d[0] && x <= d[1])).toBe(true);
    }
  });

  const YEAR = 365 * 86_400;
  it("stays at 10 ticks or fewer past 25 years: window=999999y, and a notAfter of 9999-12-31", () => {
    // parseWindow's largest window (999999y) and window=all over a certificate that never expires in
    // practice (RFC 5280 §4.1.2.5's 99991231235959Z), issued today.
    const nineNines = (Date.parse("9999-12-31T23:59:59Z") - now) / 1000;
    for (const d of [
      [(-999_999 * YEAR) / 4, 999_999 * YEAR],
      [-0.02 * nineNines, 1.02 * nineNines],
      [-30 * YEAR, 120 * YEAR],
      [-1e9 * YEAR, 1e9 * YEAR],
    ] as [number, number][]) {
      const t = axisTicks(d);
      expect(t.length, `domain ${d.map((x) => x / YEAR).join("..")}y`).toBeGreaterThanOrEqual(4);
      expect(t.length).toBeLessThanOrEqual(10);
      expect(t).toContain(0);
      expect(t.every((x) => x >= d[0] && x <= d[1])).toBe(true);
    }
  });

  it("near miss: a 25-year span keeps its whole-year steps as before", () => {
    const t = axisTicks([-5 * YEAR, 20 * YEAR]);
    expect(t).toEqual([-5, 0, 5, 10, 15, 20].map((y) => y * YEAR));
  });

  it("gives no ticks for a domain that is not finite (an unparsable date), instead of looping", () => {
    expect(axisTicks([Number.NaN, 86_400])).toEqual([]);
    expect(axisTicks([0, Number.POSITIVE_INFINITY])).toEqual([]);
  });
});

describe("expiringWithin", () => {
  it("keeps expired certificates and those ending within the window", () => {
    const certs = [
      cert(1, { from: -5, to: -1 }),
      cert(2, { from: -5, to: 24 }),
      cert(3, { from: -5, to: 25 }),
    ];
    expect(expiringWithin(certs, FIXTURE_NOW, 24 * 3600).map((c) => c.id.slice(-1))).toEqual(["1", "2"]);
  });
});

describe("displayName", () => {
  it("prefers the SPIFFE ID, then a DNS name, then the subject's CN", async () => {
    const { displayName, commonName } = await import("./layer");
    expect(displayName(cert(1, { from: -1, to: 1 }))).toBe("spiffe://cluster.local/ns/shop/sa/web-1");
    expect(
      displayName(root(2, { from: -1, to: 1 }, { subject: "O=Example Corp,CN=Example Corp Internal CA" })),
    ).toBe("Example Corp Internal CA");
    expect(commonName("CN=a\\,b,O=x")).toBe("a,b");
    expect(commonName("O=x")).toBeNull();
  });
});

describe("shortName", () => {
  it("keeps a SPIFFE ID's tail and other names' head", async () => {
    const { shortName } = await import("./format");
    expect(shortName("spiffe://cluster.local/ns/shop/sa/frontend", 20)).toBe(
      "…l/ns/shop/sa/frontend".slice(-20).replace(/^./, "…"),
    );
    expect(shortName("spiffe://cluster.local/ns/shop/sa/frontend", 20)).toHaveLength(20);
    expect(shortName("payments.shop.example.com", 10)).toBe("payments.…");
    expect(shortName("short", 10)).toBe("short");
  });
});

describe("urgency follows cert.expiring's decision, through the real analysis", () => {
  // The same 48 h SPIRE CA (test/pki.ts spireCa48h: 20 h left at PKI_NOW, SPIRE activates its
  // successor 8 h before its end) seen through SPIRE, and, as a near miss, as an Istio root that
  // nothing rotates by itself.
  const spireBundle = (pem: string) => ({
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: "spire-bundle", namespace: "spire" },
    data: { "bundle.crt": pem },
  });
  const istioRoot = (pem: string) => ({
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: "istio-ca-root-cert", namespace: "shop" },
    data: { "root-cert.pem": pem },
  });
  const cases: [string, (pem: string) => object, number, "error" | "warning" | null, Urgency][] = [
    [
      "a SPIRE CA with 20 h left of 48 h, before SPIRE activates the next: healthy, no finding",
      spireBundle,
      0,
      null,
      "ok",
    ],
    [
      "the same SPIRE CA 14 h later (6 h left), past activation with no successor: the finding's error",
      spireBundle,
      14,
      "error",
      "critical",
    ],
    [
      "the same certificate as an Istio root with 20 h left: no SPIRE rotation, critical",
      istioRoot,
      0,
      "error",
      "critical",
    ],
  ];
  it.each(cases)("%s", async (_what, place, hoursLater, severity, urgency) => {
    const pki = await makePki();
    const at = new Date(PKI_NOW.getTime() + hoursLater * 3_600_000);
    const parsed = mergeParsed([
      parseManifestText(
        JSON.stringify({ apiVersion: "v1", kind: "List", items: [place(pki.spireCa48h)] }),
        "mesh.json",
      ),
    ]);
    const s = MeshSnapshotSchema.parse(analyze(parsed, { now: at, source: { type: "manifests" } }));
    const c = s.certificates.find((x) => x.spiffeId === "spiffe://cluster.local")!;
    expect(c.lifetimeSeconds).toBe(48 * 3600);
    expect(
      s.findings.filter((f) => f.code === "cert.expiring" && f.certificate === c.id).map((f) => f.severity),
    ).toEqual(severity ? [severity] : []);
    // Every place the dashboard shows it agrees: the row, the timeline counts, the overview.
    expect(urgencyWith(c, at.getTime(), expiringVerdicts(s.findings))).toBe(urgency);
    const m = buildExpiryModel(s.certificates, { now: s.now, window: "7d", findings: s.findings });
    expect(m.table.find((r) => r.id === c.id)!.urgency).toBe(urgency);
    expect(summarizeCluster(s).soonest.find((x) => x.id === c.id)!.urgency).toBe(urgency);
  });

  it("a CA the finding is silent on although its day thresholds would fire (a replaced root) is not raised by time left", () => {
    // What analyzeCerts' `successor` does to cert.expiring, seen from the snapshot: no finding.
    const old = root(5, { from: -3650 * DAY, to: 10 * DAY });
    expect(urgencyWith(old, now, expiringVerdicts([]))).toBe("ok");
    expect(urgencyWith(old, now, expiringVerdicts(expiringFindings([old])))).toBe("critical");
  });

  it.each([
    // A 48 h issuer renewed by cert-manager after 23 h (Linkerd's): judged by the share of lifetime.
    ["renewal due in 3 h, 42 % of its life left: no finding, healthy", "2026-11-27T15:00:00Z", "ok"],
    ["renewal time passed: the CA day thresholds, critical", "2026-11-27T09:00:00Z", "critical"],
  ] as const)("a 48 h issuer with 20 h left, %s", (_what, renewalTime, urgency) => {
    const issuer = root(6, { from: -28, to: 20 }, { role: "issuer", renewalTime });
    expect(urgencyOf(issuer, now)).toBe(urgency);
  });
});
