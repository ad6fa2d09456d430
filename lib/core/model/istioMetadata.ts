// The metadata every Istio object is read with: its revision (istio.io/rev) and its creation time,
// which orders objects of one scope.
import { FieldError } from "./fieldError";
import type { LoadedObject } from "./input";
import { shown, strMap } from "./read";

/**
 * The istio.io/rev label, as an optional field (absent on most objects), AS WRITTEN: istiod's config
 * store reads an object labelled with its own revision only, comparing the raw label with no revision
 * tag resolved (istio/istio pilot/pkg/config/kube/crdclient/client.go, `addCRD` composes
 * `cl.inRevision` = `config.LabelsInRevision(labels, cl.revision)`; `LabelsInRevisionOrTags` serves
 * the Gateway API controllers only). So an object labelled with a tag, or with `default` while the
 * default tag names a revision, is read by no istiod (mesh.ts `inRevision` finds no proxy revision
 * equal to it). Namespaces and pods, which the injection webhooks select, do resolve tags (revisions.ts).
 */
export function revisionOf(o: LoadedObject): { revision?: string } {
  const rev = strMap(o.object.metadata.labels)["istio.io/rev"];
  return rev === undefined ? {} : { revision: rev };
}

/**
 * time.RFC3339 ("2006-01-02T15:04:05Z07:00"), the only form metav1.Time reads (its UnmarshalJSON calls
 * time.Parse(time.RFC3339, …)): the layout's "T" and "Z" are literal, so upper case only; fractional
 * seconds are accepted after the seconds (Go accepts them though the layout has none); an offset is ±hh:mm.
 */
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(?:Z|[+-](\d{2}):(\d{2}))$/;

/**
 * Whether the fields are in range as time.Parse checks them: a real calendar day (no 2024-02-30, which
 * Date.parse would roll over into March), hour < 24, minute and second < 60 (no leap second 60), offset
 * hours < 24 and minutes < 60. The date is checked by a round trip through UTC fields.
 */
function rfc3339InRange(m: RegExpExecArray): boolean {
  const n = (i: number) => Number(m[i]);
  if (n(4) > 23 || n(5) > 59 || n(6) > 59) return false;
  if (m[7] !== undefined && (n(7) > 23 || n(8) > 59)) return false;
  const date = new Date(0);
  date.setUTCFullYear(n(1), n(2) - 1, n(3));
  return date.getUTCFullYear() === n(1) && date.getUTCMonth() === n(2) - 1 && date.getUTCDate() === n(3);
}

/**
 * metadata.creationTimestamp, which orders same-scope objects (compareByAge): absent is "" (the oldest,
 * as Go's zero time, and null/"" as metav1.Time's UnmarshalJSON reads them); one time.Parse(time.RFC3339)
 * would refuse (lower-case t/z, 2024-02-30, T24:00:00Z, not a string) is refused, since the order it
 * would give is a guess.
 */
export function creationTimestamp(o: LoadedObject): string {
  const t: unknown = o.object.metadata.creationTimestamp;
  if (t === undefined || t === null || t === "") return "";
  const m = typeof t === "string" ? RFC3339.exec(t) : null;
  if (m === null || !rfc3339InRange(m))
    throw new FieldError(
      "metadata.creationTimestamp",
      `must be an RFC 3339 time such as 2024-01-01T00:00:00Z, not ${shown(t)}`,
    );
  return t as string;
}
