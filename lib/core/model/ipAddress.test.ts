// IP address literals as Go's net/netip reads them (Istio's admission) and as Linkerd's Cidr reads
// them (Rust std::net / ipnet, leading zeros read as decimal): one parser, two IpSyntax values. Each
// row says what each side makes of one string: its value, or null when refused.
import { describe, expect, it } from "vitest";
import { ipValue, isIpAddress, LINKERD_CIDR, NETIP } from "./ipAddress";

const v4 = (a: number, b: number, c: number, d: number) => BigInt(((a * 256 + b) * 256 + c) * 256 + d);
const v6 = (...groups: number[]) => groups.reduce((n, g) => (n << 16n) | BigInt(g), 0n);

describe("ipValue: netip (Istio) and Linkerd's Cidr side by side", () => {
  it.each([
    // IPv4
    { s: "10.0.0.5", netip: v4(10, 0, 0, 5), linkerd: v4(10, 0, 0, 5) },
    { s: "0.0.0.0", netip: 0n, linkerd: 0n },
    { s: "255.255.255.255", netip: v4(255, 255, 255, 255), linkerd: v4(255, 255, 255, 255) },
    { s: "10.0.0.05", netip: null, linkerd: v4(10, 0, 0, 5) },
    { s: "010.0.0.1", netip: null, linkerd: v4(10, 0, 0, 1) },
    { s: "10.00.0.1", netip: null, linkerd: v4(10, 0, 0, 1) },
    { s: "10.0.0.0005", netip: null, linkerd: null },
    { s: "256.0.0.1", netip: null, linkerd: null },
    { s: "10.0.0", netip: null, linkerd: null },
    { s: "10.0.0.1.", netip: null, linkerd: null },
    { s: "10..0.1", netip: null, linkerd: null },
    { s: "1.2.3.4%eth0", netip: null, linkerd: null },
    { s: " 10.0.0.1", netip: null, linkerd: null },
    // IPv6
    { s: "::", netip: 0n, linkerd: 0n },
    { s: "::1", netip: 1n, linkerd: 1n },
    { s: "1::", netip: v6(1, 0, 0, 0, 0, 0, 0, 0), linkerd: v6(1, 0, 0, 0, 0, 0, 0, 0) },
    { s: "fd00::5", netip: v6(0xfd00, 0, 0, 0, 0, 0, 0, 5), linkerd: v6(0xfd00, 0, 0, 0, 0, 0, 0, 5) },
    {
      s: "2001:DB8:0:0:0:0:0:1",
      netip: v6(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1),
      linkerd: v6(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1),
    },
    { s: "1:2:3::7:8", netip: v6(1, 2, 3, 0, 0, 0, 7, 8), linkerd: v6(1, 2, 3, 0, 0, 0, 7, 8) },
    // A trailing dotted quad: the last two groups; the leading-zero rule applies inside it too.
    {
      s: "::ffff:10.0.0.5",
      netip: v6(0, 0, 0, 0, 0, 0xffff, 0x0a00, 5),
      linkerd: v6(0, 0, 0, 0, 0, 0xffff, 0x0a00, 5),
    },
    {
      s: "1:2:3:4:5:6:1.2.3.4",
      netip: v6(1, 2, 3, 4, 5, 6, 0x0102, 0x0304),
      linkerd: v6(1, 2, 3, 4, 5, 6, 0x0102, 0x0304),
    },
    { s: "::ffff:10.0.0.05", netip: null, linkerd: v6(0, 0, 0, 0, 0, 0xffff, 0x0a00, 5) },
    { s: "1:2:3:4:5:1.2.3.4", netip: null, linkerd: null },
    { s: "1::2:3:4:5:6:1.2.3.4", netip: null, linkerd: null },
    { s: "1.2.3.4::", netip: null, linkerd: null },
    { s: "::1.2.3", netip: null, linkerd: null },
    // Zones: netip only, and never empty.
    { s: "fe80::1%eth0", netip: v6(0xfe80, 0, 0, 0, 0, 0, 0, 1), linkerd: null },
    { s: "::ffff:1.2.3.4%2", netip: v6(0, 0, 0, 0, 0, 0xffff, 0x0102, 0x0304), linkerd: null },
    { s: "fe80::1%", netip: null, linkerd: null },
    { s: "%eth0", netip: null, linkerd: null },
    // Bad ones
    { s: "2001:db8:0:0:0:0:1", netip: null, linkerd: null },
    { s: "1:2:3:4:5:6:7:8:9", netip: null, linkerd: null },
    { s: "1:2:3:4:5:6:7::8", netip: null, linkerd: null },
    { s: "1:2:3:4:5:6:7:8::", netip: null, linkerd: null },
    { s: "1:2:3::4:5::6", netip: null, linkerd: null },
    { s: ":::", netip: null, linkerd: null },
    { s: ":1::", netip: null, linkerd: null },
    { s: "1::2:", netip: null, linkerd: null },
    { s: "12345::", netip: null, linkerd: null },
    { s: "g::1", netip: null, linkerd: null },
    { s: "[::1]", netip: null, linkerd: null },
    { s: "vm1.corp.example", netip: null, linkerd: null },
    { s: "", netip: null, linkerd: null },
  ])("$s", ({ s, netip, linkerd }) => {
    expect(ipValue(s, NETIP)).toBe(netip);
    expect(ipValue(s, LINKERD_CIDR)).toBe(linkerd);
    expect(isIpAddress(s, NETIP)).toBe(netip !== null);
    expect(isIpAddress(s, LINKERD_CIDR)).toBe(linkerd !== null);
  });

  it("reads Go's ParseAddr by default (Istio's callers)", () => {
    expect(isIpAddress("10.0.0.05")).toBe(false);
    expect(isIpAddress("fe80::1%eth0")).toBe(true);
  });
});
