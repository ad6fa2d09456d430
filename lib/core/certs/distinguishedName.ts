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
 * The attributes of an RFC 4514 string (§3), in string order, multi-valued RDNs flattened: split at
 * unescaped "," and "+", the type and value around the first "=", spaces around either dropped (as LDAP
 * parsers take "CN=a, O=b"), and the value unescaped: "\\XX" hex pairs as UTF-8 bytes, any other "\\c" as
 * c. A "#hex" value (BER) stays as written. Null when an attribute has no "=" or an empty type. Reads
 * readName's output (x509.ts) and a cert-manager spec.literalSubject alike.
 */
export function dnAttributeList(dn: string): DnAttribute[] | null {
  const out: DnAttribute[] = [];
  if (dn.trim() === "") return out;
  let start = 0;
  for (let i = 0; i <= dn.length; i++) {
    const ch = dn[i];
    if (ch === "\\" && i + 1 < dn.length) i++;
    else if (ch === undefined || ch === "," || ch === "+") {
      const part = dn.slice(start, i);
      const eq = part.indexOf("=");
      if (eq <= 0) return null;
      const type = part.slice(0, eq).trim();
      if (type === "") return null;
      out.push({ type, value: unescapeRfc4514(trimUnescaped(part.slice(eq + 1))) });
      start = i + 1;
    }
  }
  return out;
}

/** Leading spaces, and trailing ones not escaped ("a\\ " keeps its space). */
function trimUnescaped(v: string): string {
  let s = v.replace(/^ +/, "");
  while (s.endsWith(" ") && !s.endsWith("\\ ")) s = s.slice(0, -1);
  return s;
}

function unescapeRfc4514(v: string): string {
  if (v.startsWith("#")) return v;
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
