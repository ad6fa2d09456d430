// IP address literals as two parsers read them: Go's net/netip for Istio, Rust's std::net (and the
// ipnet crate) for Linkerd's policy controller. Both read the same dotted-quad IPv4 and the same IPv6
// (8 groups of 1-4 hex digits, or fewer around one `::` standing for at least one group; a trailing
// dotted quad taking the last two groups); they differ in two points, the IpSyntax: IPv4 octets with
// leading zeros, and IPv6 zones. One character loop, as Go's parseIPv6 is one (net/netip/netip.go):
// no regular expression, no split, nothing allocated per address.

export interface IpSyntax {
  /** An octet with leading zeros ("010") is read as decimal; else the address is refused. */
  readonly leadingZeros: boolean;
  /** An IPv6 address may end in a non-empty zone ("fe80::1%eth0"), which is no part of its value. */
  readonly zone: boolean;
}

/**
 * Go's netip.ParseAddr, which Istio's admission uses (istio/istio pkg/util/net/ip.go
 * IsValidIPAddress): parseIPv4Fields refuses an octet with a leading zero; parseIPv6 splits off a
 * zone first and refuses an empty one.
 */
export const NETIP: IpSyntax = { leadingZeros: false, zone: true };

/**
 * Linkerd's Cidr::from_str (linkerd/linkerd2 policy-controller/k8s/api/src/policy/network.rs): an
 * ipnet IpNet, else a std IpAddr; std's Ipv6Addr has no zone. Octets with leading zeros are read as
 * decimal: Rust's std parser refuses them, the ipnet crate's own parser may not, and reading them is
 * the side that never reports wrongly.
 */
export const LINKERD_CIDR: IpSyntax = { leadingZeros: true, zone: false };

const DOT = 46;
const COLON = 58;
const ZERO = 48;

/** A dotted-quad IPv4 address, s[start, end), as its number (0 … 2^32-1), or -1 when it is none. */
function ipv4Value(s: string, syntax: IpSyntax, start = 0, end = s.length): number {
  let value = 0;
  let i = start;
  for (let octet = 0; octet < 4; octet++) {
    if (octet > 0) {
      if (i >= end || s.charCodeAt(i) !== DOT) return -1;
      i++;
    }
    const first = i;
    let n = 0;
    for (; i < end; i++) {
      const d = s.charCodeAt(i) - ZERO;
      if (d < 0 || d > 9) break;
      if (i - first > 2) return -1;
      n = n * 10 + d;
    }
    if (i === first || n > 255) return -1;
    if (!syntax.leadingZeros && i - first > 1 && s.charCodeAt(first) === ZERO) return -1;
    value = value * 256 + n;
  }
  return i === end ? value : -1;
}

function hexDigit(c: number): number {
  if (c >= 48 && c <= 57) return c - 48; // 0-9
  if (c >= 97 && c <= 102) return c - 87; // a-f
  if (c >= 65 && c <= 70) return c - 55; // A-F
  return -1;
}

/** The groups of the address readIpv6 last read: scratch, so that a check allocates nothing. */
const groups = new Uint16Array(8);

/** Whether `s` is an IPv6 address (its groups left in `groups`): Go's parseIPv6, step for step. */
function readIpv6(s: string, syntax: IpSyntax): boolean {
  let end = s.length;
  if (syntax.zone) {
    const zone = s.indexOf("%");
    if (zone === end - 1) return false;
    if (zone >= 0) end = zone;
  }
  let i = 0;
  let n = 0;
  let ellipsis = -1; // the group the `::` stands before
  if (end >= 2 && s.charCodeAt(0) === COLON && s.charCodeAt(1) === COLON) {
    ellipsis = 0;
    i = 2;
    if (i === end) {
      groups.fill(0);
      return true;
    }
  }
  while (n < 8) {
    const start = i;
    let acc = 0;
    for (; i < end; i++) {
      const d = hexDigit(s.charCodeAt(i));
      if (d < 0) break;
      if (i - start > 3) return false;
      acc = acc * 16 + d;
    }
    if (i === start) return false;
    if (i < end && s.charCodeAt(i) === DOT) {
      // A dotted quad, only as the last two groups.
      if ((ellipsis < 0 && n !== 6) || n + 2 > 8) return false;
      const v4 = ipv4Value(s, syntax, start, end);
      if (v4 < 0) return false;
      groups[n++] = Math.floor(v4 / 65536);
      groups[n++] = v4 % 65536;
      i = end;
      break;
    }
    groups[n++] = acc;
    if (i === end) break;
    if (s.charCodeAt(i) !== COLON || i + 1 === end) return false;
    i++;
    if (s.charCodeAt(i) === COLON) {
      if (ellipsis >= 0) return false;
      ellipsis = n;
      i++;
      if (i === end) break;
    }
  }
  if (i !== end) return false;
  if (n === 8) return ellipsis < 0; // `::` must stand for at least one group
  if (ellipsis < 0) return false;
  const gap = 8 - n;
  for (let j = n - 1; j >= ellipsis; j--) groups[j + gap] = groups[j]!;
  groups.fill(0, ellipsis, ellipsis + gap);
  return true;
}

/** An IPv4 or IPv6 address as its number (an IPv6 zone left out), or null when it is none. */
export function ipValue(s: string, syntax: IpSyntax): bigint | null {
  if (!s.includes(":")) {
    const v4 = ipv4Value(s, syntax);
    return v4 < 0 ? null : BigInt(v4);
  }
  if (!readIpv6(s, syntax)) return null;
  let n = 0n;
  for (const g of groups) n = (n << 16n) | BigInt(g);
  return n;
}

/** Whether `s` is an IPv4 or IPv6 address (Go's ParseAddr by default, as Istio's admission reads one). */
export function isIpAddress(s: string, syntax: IpSyntax = NETIP): boolean {
  return s.includes(":") ? readIpv6(s, syntax) : ipv4Value(s, syntax) >= 0;
}
