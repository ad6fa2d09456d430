// Every cell of istio.md §4 (sidecar and ambient tables) as a table-driven test.
import { describe, expect, it } from "vitest";
import type { ClientTls, Verdict } from "../snapshot/schema";
import { isHttpPort, isTlsPort, matrixVerdict, worseVerdict, type ServerAccept } from "./matrix";

const sidecar = (mode: ServerAccept["mode"], httpPort = false): ServerAccept => ({
  kind: "sidecar",
  mode,
  httpPort,
});
const ambient = (mode: ServerAccept["mode"]): ServerAccept => ({ kind: "ambient", mode, httpPort: false });
const none = (httpPort = false): ServerAccept => ({ kind: "none", mode: "PERMISSIVE", httpPort });

// [row, client, server column, server, expected]
const SIDECAR_TABLE: [string, ClientTls, string, ServerAccept, Verdict][] = [
  ["A no sidecar, plaintext app", "NONE", "sidecar STRICT", sidecar("STRICT"), "broken"],
  ["A no sidecar, plaintext app", "NONE", "sidecar PERMISSIVE", sidecar("PERMISSIVE"), "plaintext"],
  ["A no sidecar, plaintext app", "NONE", "sidecar DISABLE", sidecar("DISABLE"), "plaintext"],
  ["A no sidecar, plaintext app", "NONE", "no sidecar", none(), "plaintext"],
  ["B sidecar sending plaintext", "DISABLE", "sidecar STRICT", sidecar("STRICT"), "broken"],
  ["B sidecar sending plaintext", "DISABLE", "sidecar PERMISSIVE", sidecar("PERMISSIVE"), "plaintext"],
  ["B sidecar sending plaintext", "DISABLE", "sidecar DISABLE", sidecar("DISABLE"), "plaintext"],
  ["B sidecar sending plaintext", "DISABLE", "no sidecar", none(), "plaintext"],
  ["C sidecar ISTIO_MUTUAL", "ISTIO_MUTUAL", "sidecar STRICT", sidecar("STRICT"), "mtls"],
  ["C sidecar ISTIO_MUTUAL", "ISTIO_MUTUAL", "sidecar PERMISSIVE", sidecar("PERMISSIVE"), "mtls"],
  ["C sidecar ISTIO_MUTUAL", "ISTIO_MUTUAL", "sidecar DISABLE (forced by DR)", sidecar("DISABLE"), "broken"],
  ["C sidecar ISTIO_MUTUAL", "ISTIO_MUTUAL", "no sidecar (forced by DR)", none(), "broken"],
  ["D sidecar MUTUAL, own certs", "MUTUAL", "sidecar STRICT", sidecar("STRICT"), "broken"],
  [
    "D sidecar MUTUAL, own certs",
    "MUTUAL",
    "sidecar PERMISSIVE, HTTP port",
    sidecar("PERMISSIVE", true),
    "broken",
  ],
  ["D sidecar MUTUAL, own certs", "MUTUAL", "sidecar PERMISSIVE, TCP port", sidecar("PERMISSIVE"), "tls"],
  ["D sidecar MUTUAL, own certs", "MUTUAL", "sidecar DISABLE, HTTP port", sidecar("DISABLE", true), "broken"],
  ["D sidecar MUTUAL, own certs", "MUTUAL", "sidecar DISABLE, TCP port", sidecar("DISABLE"), "tls"],
  ["D sidecar MUTUAL, own certs", "MUTUAL", "no sidecar", none(), "tls"],
  ["E sidecar SIMPLE", "SIMPLE", "sidecar STRICT", sidecar("STRICT"), "broken"],
  ["E sidecar SIMPLE", "SIMPLE", "sidecar PERMISSIVE, HTTP port", sidecar("PERMISSIVE", true), "broken"],
  ["E sidecar SIMPLE", "SIMPLE", "sidecar PERMISSIVE, TCP port", sidecar("PERMISSIVE"), "tls"],
  ["E sidecar SIMPLE", "SIMPLE", "sidecar DISABLE, HTTP port", sidecar("DISABLE", true), "broken"],
  ["E sidecar SIMPLE", "SIMPLE", "sidecar DISABLE, TCP port", sidecar("DISABLE"), "tls"],
  ["E sidecar SIMPLE", "SIMPLE", "no sidecar", none(true), "tls"],
];

const AMBIENT_TABLE: [string, ClientTls, string, ServerAccept, Verdict][] = [
  ["no-mesh plaintext", "NONE", "ambient PERMISSIVE", ambient("PERMISSIVE"), "plaintext"],
  ["no-mesh plaintext", "NONE", "ambient STRICT", ambient("STRICT"), "broken"],
  ["ambient pod (ztunnel)", "HBONE", "ambient PERMISSIVE", ambient("PERMISSIVE"), "mtls"],
  ["ambient pod (ztunnel)", "HBONE", "ambient STRICT", ambient("STRICT"), "mtls"],
  ["sidecar (HBONE to ambient)", "HBONE", "ambient PERMISSIVE", ambient("PERMISSIVE"), "mtls"],
  ["sidecar (HBONE to ambient)", "HBONE", "ambient STRICT", ambient("STRICT"), "mtls"],
  ["ambient → sidecar with tunnel=http", "HBONE", "sidecar STRICT", sidecar("STRICT"), "mtls"],
  [
    "ambient → sidecar without tunnel (plaintext TCP)",
    "DISABLE",
    "sidecar STRICT",
    sidecar("STRICT"),
    "broken",
  ],
  [
    "ambient → sidecar without tunnel (plaintext TCP)",
    "DISABLE",
    "sidecar PERMISSIVE",
    sidecar("PERMISSIVE"),
    "plaintext",
  ],
];

describe("compatibility matrix, sidecar columns (istio.md §4)", () => {
  it.each(SIDECAR_TABLE)("%s × %s → %s", (_row, client, _col, server, expected) => {
    const cell = matrixVerdict(client, server);
    expect(cell.verdict).toBe(expected);
    expect(cell.symptom.length).toBeGreaterThan(5);
  });
});

describe("compatibility matrix, ambient columns (istio.md §4, §9.10)", () => {
  it.each(AMBIENT_TABLE)("%s × %s → %s", (_row, client, _col, server, expected) => {
    expect(matrixVerdict(client, server).verdict).toBe(expected);
  });
});

// Gateways (routers) take what their Gateway servers' tls sets, which Handshake does not read;
// waypoints take HBONE only (buildConnectTerminateListener). PeerAuthentication reaches neither
// (resolver GATEWAY_DECISION, WAYPOINT_DECISION), so `mode` is ignored: the same verdict whatever it says.
const gateway = (mode: ServerAccept["mode"]): ServerAccept => ({ kind: "gateway", mode, httpPort: true });
const waypoint = (mode: ServerAccept["mode"]): ServerAccept => ({ kind: "waypoint", mode, httpPort: false });
const GATEWAY_TABLE: [ClientTls, string, (mode: ServerAccept["mode"]) => ServerAccept, Verdict][] = [
  ["NONE", "gateway", gateway, "plaintext"],
  ["DISABLE", "gateway", gateway, "plaintext"],
  ["ISTIO_MUTUAL", "gateway", gateway, "unknown"],
  ["SIMPLE", "gateway", gateway, "tls"],
  ["MUTUAL", "gateway", gateway, "tls"],
  ["HBONE", "gateway", gateway, "unknown"],
  ["LINKERD", "gateway", gateway, "plaintext"],
  ["NONE", "waypoint", waypoint, "broken"],
  ["DISABLE", "waypoint", waypoint, "broken"],
  ["ISTIO_MUTUAL", "waypoint", waypoint, "unknown"],
  ["SIMPLE", "waypoint", waypoint, "unknown"],
  ["MUTUAL", "waypoint", waypoint, "unknown"],
  ["HBONE", "waypoint", waypoint, "mtls"],
];

describe("gateways and waypoints: what their proxy type accepts, whatever PeerAuthentication says", () => {
  it.each(GATEWAY_TABLE)("%s × %s → %s", (client, _col, server, expected) => {
    for (const mode of ["STRICT", "PERMISSIVE", "DISABLE"] as const) {
      const cell = matrixVerdict(client, server(mode));
      expect(cell.verdict).toBe(expected);
      expect(cell.symptom).not.toMatch(/STRICT|PERMISSIVE|DISABLE/);
    }
  });

  // A gateway port declared TLS (https, tls): Istio forwards the caller's bytes as they come, so the
  // application's own TLS reaches the Gateway server, which Handshake does not read.
  it.each<[ClientTls, Verdict]>([
    ["NONE", "unknown"],
    ["DISABLE", "unknown"],
    ["LINKERD", "unknown"],
    ["ISTIO_MUTUAL", "unknown"],
    ["SIMPLE", "tls"],
    ["HBONE", "unknown"],
  ])("%s × gateway, port declared TLS → %s", (client, expected) => {
    const cell = matrixVerdict(client, {
      kind: "gateway",
      mode: "PERMISSIVE",
      httpPort: false,
      tlsPort: true,
    });
    expect(cell.verdict).toBe(expected);
  });

  it("near miss: a TLS-declared port of a workload without a proxy stays the matrix's plaintext", () => {
    expect(
      matrixVerdict("DISABLE", { kind: "none", mode: "PERMISSIVE", httpPort: false, tlsPort: true }).verdict,
    ).toBe("plaintext");
  });

  it("near miss: a sidecar under the same modes does follow them", () => {
    expect(matrixVerdict("DISABLE", sidecar("STRICT")).verdict).toBe("broken");
    expect(matrixVerdict("DISABLE", sidecar("PERMISSIVE")).verdict).toBe("plaintext");
    expect(matrixVerdict("ISTIO_MUTUAL", sidecar("DISABLE")).verdict).toBe("broken");
  });
});

describe("Linkerd", () => {
  it("Linkerd to Linkerd is mTLS; Istio mTLS into a Linkerd pod breaks", () => {
    expect(matrixVerdict("LINKERD", { kind: "linkerd", mode: "PERMISSIVE", httpPort: false }).verdict).toBe(
      "mtls",
    );
    expect(
      matrixVerdict("ISTIO_MUTUAL", { kind: "linkerd", mode: "PERMISSIVE", httpPort: false }).verdict,
    ).toBe("broken");
  });

  // Linkerd's STRICT: an inbound policy admitting only meshed clients (linkerdInbound.ts).
  const linkerd = (mode: "STRICT" | "PERMISSIVE", undecided = false) => ({
    kind: "linkerd" as const,
    mode,
    httpPort: true,
    undecided,
  });
  it.each([
    ["NONE", "STRICT", false, "broken"],
    ["DISABLE", "STRICT", false, "broken"],
    ["SIMPLE", "STRICT", false, "broken"],
    ["MUTUAL", "STRICT", false, "broken"],
    ["LINKERD", "STRICT", false, "mtls"],
    ["NONE", "STRICT", true, "unknown"],
    ["SIMPLE", "PERMISSIVE", true, "unknown"],
    ["NONE", "PERMISSIVE", false, "plaintext"],
    ["SIMPLE", "PERMISSIVE", false, "tls"],
    ["ISTIO_MUTUAL", "STRICT", false, "broken"],
  ] as const)("%s → Linkerd %s (undecided %s): %s", (client, mode, undecided, verdict) => {
    expect(matrixVerdict(client, linkerd(mode, undecided)).verdict).toBe(verdict);
  });
});

describe("worst endpoint order", () => {
  it("broken > plaintext > unknown > tls > mtls", () => {
    const order: Verdict[] = ["broken", "plaintext", "unknown", "tls", "mtls"];
    for (let i = 0; i < order.length; i++)
      for (let j = 0; j < order.length; j++) expect(worseVerdict(order[i]!, order[j]!)).toBe(i < j);
  });
});

describe("port protocol", () => {
  it.each([
    [{ name: "http" }, true],
    [{ name: "http2-web" }, true],
    [{ name: "grpc" }, true],
    [{ name: "grpc-web" }, true],
    [{ name: "https" }, false],
    [{ name: "tcp-db" }, false],
    [{ name: "tls" }, false],
    [{ appProtocol: "http" }, true],
    [{ name: "web", appProtocol: "grpc" }, true],
    [{}, false],
  ])("%j is HTTP: %s", (port, expected) => {
    expect(isHttpPort(port)).toBe(expected);
  });
});

describe("isTlsPort (Istio protocol HTTPS or TLS)", () => {
  it.each([
    [{ name: "https" }, true],
    [{ name: "https-web" }, true],
    [{ name: "tls-passthrough" }, true],
    [{ name: "TLS" }, true],
    [{ name: "http", appProtocol: "https" }, true],
    [{ name: "https", appProtocol: "http" }, false],
    [{ name: "http2" }, false],
    [{ name: "tcp-tls" }, false],
    [{ name: "httpsx" }, false],
    [{}, false],
  ])("%o → %s", (port, expected) => {
    expect(isTlsPort(port)).toBe(expected);
  });
});
