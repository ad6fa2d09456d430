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
