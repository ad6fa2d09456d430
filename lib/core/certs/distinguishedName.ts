// RFC 4514 subject strings as readName (x509.ts) writes them: the escaping, and reading CN values back.
// Free of node:crypto, so that the view (lib/view/expiry, bundled for the browser) can read names too.

/** RFC 4514 §2.4 escaping of an attribute value. */
export function escapeDnValue(v: string): string {
  let s = v.replace(/[\\,+"<>;]/g, (c) => `\\${c}`).replace(/\0/g, "\\00");
  if (s.startsWith("#") || s.startsWith(" ")) s = `\\${s}`;
  if (v.length > 1 && v.endsWith(" ")) s = `${s.slice(0, -1)}\\ `;
  return s;
}

/**
 * The CN values of a name as readName writes it ("O=x,CN=a\\,b+UID=1" → ["a,b"]), unescaped: the
 * attributes split at unescaped "," and "+", each "\\00" back to NUL and any other "\\c" to c (the
 * inverse of escapeDnValue). A value readName wrote as "#hex" (not a string) stays as written.
 */
export function commonNames(subject: string): string[] {
  const out: string[] = [];
  let start = 0;
  for (let i = 0; i <= subject.length; i++) {
    const ch = subject[i];
    if (ch === "\\" && i + 1 < subject.length) i++;
    else if (ch === undefined || ch === "," || ch === "+") {
      if (subject.startsWith("CN=", start)) out.push(unescapeDnValue(subject.slice(start + 3, i)));
      start = i + 1;
    }
  }
  return out;
}

const unescapeDnValue = (v: string) => v.replace(/\\(00|[^])/g, (_, c: string) => (c === "00" ? "\0" : c));

/** One attribute of a distinguished name: its type as written ("CN", "2.5.4.3") and its value unescaped. */
export interface DnAttribute {
  type: string;
  value: string;
}

/**
 * The RDNs of an RFC 4514 string (§3), in string order, each a list of its attributes: RDNs split at
 * unescaped "," and ";", a multi-valued RDN's attributes at "+", as go-ldap `ParseDN` and cert-manager's
 * copy of it (pkg/util/pki/internal/dn.go) split them. The type and value are cut at the first "=",
 * spaces around either dropped (as LDAP parsers take "CN=a, O=b"), and the value unescaped: "\\XX" hex
 * pairs as UTF-8 bytes, any other "\\c" as c; a "#hex" value is the BER encoding of one element
 * (`berValue`). Null when an attribute has no "=", an empty type or a "#" value that is no BER element.
 * Reads readName's output (x509.ts) and a cert-manager spec.literalSubject alike.
 */
export function dnRdns(dn: string): DnAttribute[][] | null {
  const out: DnAttribute[][] = [];
  if (dn.trim() === "") return out;
  let rdn: DnAttribute[] = [];
  let start = 0;
  for (let i = 0; i <= dn.length; i++) {
    const ch = dn[i];
    if (ch === "\\" && i + 1 < dn.length) i++;
    else if (ch === undefined || ch === "," || ch === ";" || ch === "+") {
      const a = dnAttribute(dn.slice(start, i));
      if (a === null) return null;
      rdn.push(a);
      if (ch !== "+") {
        out.push(rdn);
        rdn = [];
      }
      start = i + 1;
    }
  }
  return out;
}

function dnAttribute(part: string): DnAttribute | null {
  const eq = part.indexOf("=");
  if (eq <= 0) return null;
  const type = part.slice(0, eq).trim();
  if (type === "") return null;
  // "#hex" only right after "=": cert-manager's internal/dn.go tests the untrimmed value's first
  // character and go-ldap ParseDN the one after "=", so "CN= #13…" is the text "#13…" (certs5 #5).
  const rest = part.slice(eq + 1);
  const raw = trimUnescaped(rest);
  const value = rest.startsWith("#") ? berValue(raw.slice(1)) : unescapeRfc4514(raw);
  return value === null ? null : { type, value };
}

/** Leading spaces, and trailing ones not escaped ("a\\ " keeps its space). */
function trimUnescaped(v: string): string {
  let s = v.replace(/^ +/, "");
  while (s.endsWith(" ") && !s.endsWith("\\ ")) s = s.slice(0, -1);
  return s;
}

function unescapeRfc4514(v: string): string {
  const bytes: number[] = [];
  const enc = new TextEncoder();
  for (let i = 0; i < v.length; i++) {
    const ch = v[i]!;
    if (ch === "\\" && i + 1 < v.length) {
      const hex = v.slice(i + 1, i + 3);
      if (/^[0-9a-fA-F]{2}$/.test(hex)) {
        bytes.push(parseInt(hex, 16));
        i += 2;
      } else {
        // A surrogate pair is one code point: take it whole.
        const cp = v.codePointAt(i + 1)!;
        bytes.push(...enc.encode(String.fromCodePoint(cp)));
        i += cp > 0xffff ? 2 : 1;
      }
    } else {
      const cp = v.codePointAt(i)!;
      bytes.push(...enc.encode(String.fromCodePoint(cp)));
      if (cp > 0xffff) i++;
    }
  }
  return new TextDecoder().decode(new Uint8Array(bytes));
}

/**
 * A "#hex" attribute value (RFC 4514 §2.4: the hex of one BER-encoded element), as the certificate
 * cert-manager writes from it shows it: go-ldap `decodeEncodedString` takes the element's content as the
 * string Go then marshals, and cert-manager's internal/dn.go keeps the element itself (asn1.RawValue).
 * Either way a string element reads back (x509.ts readString) as its text, and any other element as
 * readName writes it: "#" and its lower-case hex. Null when the hex or the element is malformed, has a
 * multi-byte tag or an indefinite length, or bytes follow it: both parsers refuse such a value. Null
 * too for a string element no certificate can carry as text (a UniversalString code point above
 * U+10FFFF or a surrogate: x509.ts refuses such a certificate), so the value links nothing (certs5 #2).
 */
function berValue(hex: string): string | null {
  if (hex.length === 0 || hex.length % 2 !== 0 || !/^[0-9a-fA-F]+$/.test(hex)) return null;
  const b = Uint8Array.from(hex.match(/../g)!, (h) => parseInt(h, 16));
  const tag = b[0]!;
  if ((tag & 0x1f) === 0x1f || b.length < 2) return null;
  let len = b[1]!;
  let at = 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4 || b.length < 2 + n) return null;
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + b[2 + i]!;
    at = 2 + n;
  }
  if (at + len !== b.length) return null;
  const text = berString(tag, b.subarray(at));
  return text === undefined ? `#${hex.toLowerCase()}` : text;
}

/**
 * A string element's text, read as x509.ts readString reads it; null when its content is no text
 * (an invalid UniversalString code point); undefined for any other tag. Loops, never spreads the
 * content into call arguments: a value may be megabytes long.
 */
function berString(tag: number, v: Uint8Array): string | null | undefined {
  switch (tag) {
    case 0x0c: // UTF8String
      return new TextDecoder().decode(v);
    case 0x12: // NumericString
    case 0x13: // PrintableString
    case 0x16: // IA5String
    case 0x1a: // VisibleString
    case 0x14: {
      // TeletexString, read as Latin-1
      let s = "";
      for (const x of v) s += String.fromCharCode(x);
      return s;
    }
    case 0x1e: {
      // BMPString: UTF-16BE
      let s = "";
      for (let i = 0; i + 1 < v.length; i += 2) s += String.fromCharCode((v[i]! << 8) | v[i + 1]!);
      return s;
    }
    case 0x1c: {
      // UniversalString: UTF-32BE
      let s = "";
      for (let i = 0; i + 3 < v.length; i += 4) {
        const cp = ((v[i]! << 24) | (v[i + 1]! << 16) | (v[i + 2]! << 8) | v[i + 3]!) >>> 0;
        if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return null;
        s += String.fromCodePoint(cp);
      }
      return s;
    }
    default:
      return undefined;
  }
}
