// Lists of the kinds the core reads: discovery picks the API version, pages of 500 follow `continue`,
// and a 403 on a cluster-wide list falls back to one list per namespace, so one forbidden namespace
// costs only that namespace. A list the API server cannot answer now (unreachable, timeout, 5xx, 429)
// fails the whole read (isReadFailure). Every item goes through the core loader (and its secret scrubbing) as
// soon as its page is decoded.
import "server-only";
import { emptyParsed, mergeParsed } from "../../core/load/mergeParsed";
import { loadObject } from "../../core/load/parseManifests";
import type { ParsedInputs } from "../../core/model/input";
import type { Completeness } from "../../core/snapshot/schema";
import { cachedDenial, type ForbiddenCache } from "./forbiddenCache";
import { listPath, type KindSpec } from "./kinds";
import { mapBounded } from "./mapBounded";
import { KubeError, type KubeTransport } from "./transport";

export interface ListOptions {
  pageSize: number;
  timeoutMs: number;
  /** Per-namespace lists in flight after a 403 on a cluster-wide list. */
  concurrency: number;
  /** Per-namespace denials kept between reads of this cluster, and the read's clock (epoch ms). */
  denials?: { cache: ForbiddenCache; now: number };
}

export interface KindRead {
  inputs: ParsedInputs;
  completeness: Completeness[];
  /** The API version read, or null when the kind is not installed. */
  version: string | null;
}

/** Served versions per API group, from `/apis` (the core group is always there). */
export type Discovery = Map<string, Set<string>>;

export async function discover(t: KubeTransport, timeoutMs: number): Promise<Discovery> {
  const body = (await t.get("/apis", timeoutMs)) as {
    groups?: { name?: string; versions?: { version?: string }[] }[];
  };
  const out: Discovery = new Map([["", new Set(["v1"])]]);
  for (const g of body.groups ?? []) {
    if (typeof g.name !== "string") continue;
    out.set(
      g.name,
      new Set((g.versions ?? []).map((v) => v.version).filter((v): v is string => typeof v === "string")),
    );
  }
  return out;
}

/**
 * The namespaces to list one by one after a cluster-wide 403: `all` of them (from the Namespace list), or
 * only the context's namespace when the namespaces themselves may not be listed (`all: false`), in which
 * case the cluster-wide 403 stays reported: the other namespaces were not read.
 */
export interface NamespaceScope {
  names: string[];
  all: boolean;
}

export async function readKind(
  t: KubeTransport,
  spec: KindSpec,
  discovery: Discovery,
  namespaces: NamespaceScope | null,
  o: ListOptions,
): Promise<KindRead> {
  const served = discovery.get(spec.group);
  const versions = spec.versions.filter((v) => served?.has(v));
  // A group or CRD that is not installed is simply absent: nothing of that kind exists.
  if (versions.length === 0) return { inputs: emptyParsed(), completeness: [], version: null };
  for (const version of versions) {
    try {
      return { inputs: await listUnion(t, spec, version, undefined, o), completeness: [], version };
    } catch (e) {
      const err = asKubeError(e);
      // Discovery can be stale (a CRD version just removed): try the next version.
      if (err.reason === "not-found") continue;
      if (isReadFailure(err)) throw readFailure(spec, undefined, err);
      if (err.reason === "forbidden" && spec.namespaced && namespaces !== null) {
        const part = await perNamespace(t, spec, version, namespaces.names, o);
        if (namespaces.all) return { ...part, version };
        // Only the context's namespace was tried: the kind stays forbidden cluster-wide, and a 403 there
        // too adds nothing to that.
        return {
          inputs: part.inputs,
          completeness: [
            entry(spec, undefined, err),
            ...part.completeness.filter((c) => c.reason !== "forbidden"),
          ],
          version,
        };
      }
      return { inputs: emptyParsed(), completeness: [entry(spec, undefined, err)], version };
    }
  }
  return { inputs: emptyParsed(), completeness: [], version: null };
}

async function perNamespace(
  t: KubeTransport,
  spec: KindSpec,
  version: string,
  namespaces: string[],
  o: ListOptions,
): Promise<Omit<KindRead, "version">> {
  const parts = await mapBounded(namespaces, o.concurrency, async (ns) => {
    const key = `${spec.plural}.${spec.group}/${ns}`;
    const denied = o.denials && cachedDenial(o.denials.cache, key, o.denials.now);
    if (denied) return { inputs: emptyParsed(), completeness: [denied] };
    try {
      return { inputs: await listUnion(t, spec, version, ns, o), completeness: [] as Completeness[] };
    } catch (e) {
      const err = asKubeError(e);
      // The namespace went away between the two lists: nothing to report.
      if (err.reason === "not-found") return { inputs: emptyParsed(), completeness: [] };
      if (isReadFailure(err)) throw readFailure(spec, ns, err);
      const c = entry(spec, ns, err);
      if (o.denials && err.reason === "forbidden")
        o.denials.cache.entries.set(key, { at: o.denials.now, entry: c });
      return { inputs: emptyParsed(), completeness: [c] };
    }
  });
  return {
    inputs: mergeParsed(parts.map((p) => p.inputs)),
    completeness: parts.flatMap((p) => p.completeness),
  };
}

/**
 * The kind's list, or the union of its field-selected lists (KindSpec.fieldSelectors), one after the
 * other. An object two selectors both match (a TLS Secret named cacerts) is kept once, and so is a
 * problem with it.
 */
async function listUnion(
  t: KubeTransport,
  spec: KindSpec,
  version: string,
  namespace: string | undefined,
  o: ListOptions,
): Promise<ParsedInputs> {
  if (!spec.fieldSelectors) return listAll(t, spec, version, namespace, o);
  const out = emptyParsed();
  const seen = new Set<string>();
  for (const selector of spec.fieldSelectors) {
    let part: ParsedInputs;
    try {
      part = await listAll(t, spec, version, namespace, o, selector);
    } catch (e) {
      // An API server (or a proxy in front of it) that refuses the field selector (400): the whole
      // list, filtered here by `keep`, as before field selectors were used.
      if (e instanceof KubeError && e.status === 400) return listAll(t, spec, version, namespace, o);
      throw e;
    }
    for (const x of part.objects) {
      const key = `${x.object.metadata.namespace ?? ""}/${x.object.metadata.name}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.objects.push(x);
    }
    for (const p of part.problems) {
      const key = `problem ${p.file} ${p.message}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.problems.push(p);
    }
  }
  // In the one list's order (the API server lists by key: namespace, then name).
  const keyOf = (x: ParsedInputs["objects"][number]) =>
    `${x.object.metadata.namespace ?? ""}\u0000${x.object.metadata.name}`;
  out.objects.sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : keyOf(a) > keyOf(b) ? 1 : 0));
  return out;
}

/** Every page of one list. A page that fails fails the list (a partial list would hide objects silently). */
async function listAll(
  t: KubeTransport,
  spec: KindSpec,
  version: string,
  namespace: string | undefined,
  o: ListOptions,
  fieldSelector?: string,
): Promise<ParsedInputs> {
  const path = listPath(spec, version, namespace);
  const apiVersion = spec.group === "" ? version : `${spec.group}/${version}`;
  const selector = fieldSelector !== undefined ? `&fieldSelector=${encodeURIComponent(fieldSelector)}` : "";
  const parts: ParsedInputs[] = [];
  let token: string | undefined;
  let restarted = false;
  for (;;) {
    const query = `?limit=${o.pageSize}${selector}${token ? `&continue=${encodeURIComponent(token)}` : ""}`;
    let page: { items?: unknown; metadata?: { continue?: unknown } };
    try {
      page = (await t.get(path + query, o.timeoutMs)) as typeof page;
    } catch (e) {
      // 410 Gone: the continue token expired (the list took longer than etcd keeps its revision). Start over once.
      if (e instanceof KubeError && e.status === 410 && !restarted) {
        restarted = true;
        parts.length = 0;
        token = undefined;
        continue;
      }
      throw e;
    }
    const items = Array.isArray(page.items) ? page.items : [];
    const out = emptyParsed();
    for (let i = 0; i < items.length; i++) {
      const item: unknown = items[i];
      if (spec.keep && isRecord(item) && !spec.keep(item)) continue;
      const at = { file: itemLocation(spec, version, item, namespace, i) };
      const loaded = loadObject(item, at, { kind: spec.kind, apiVersion });
      for (const x of loaded.objects) out.objects.push(x);
      for (const p of loaded.problems) out.problems.push(p);
    }
    parts.push(out);
    const next = page.metadata?.continue;
    if (typeof next !== "string" || next === "") break;
    token = next;
  }
  return mergeParsed(parts);
}

/** Where an object came from, as its API path (what `kubectl get --raw` takes), so problems name it. */
function itemLocation(
  spec: KindSpec,
  version: string,
  item: unknown,
  namespace: string | undefined,
  index: number,
): string {
  const meta = isRecord(item) && isRecord(item.metadata) ? item.metadata : undefined;
  const name = typeof meta?.name === "string" && meta.name !== "" ? meta.name : undefined;
  if (!name) return `${listPath(spec, version, namespace)} (item ${index + 1})`;
  const ns = typeof meta?.namespace === "string" ? meta.namespace : namespace;
  return `${listPath(spec, version, ns)}/${name}`;
}

/**
 * Failures that say nothing about what this identity may see, only that the API server could not answer
 * now: unreachable, timed out, 5xx, 429 (throttled), 401 (credentials expired), credentials not obtained
 * (an exec plugin that failed or hung). They fail the whole read,
 * so the service keeps serving the last good snapshot (stale, with the error) instead of storing an empty
 * "fresh" one. A 403 is a fact about access (a completeness entry); a 404 means "not installed".
 */
export function isReadFailure(err: KubeError): boolean {
  if (err.reason === "unreachable" || err.reason === "timeout" || err.reason === "credentials") return true;
  const s = err.status;
  return s !== undefined && (s >= 500 || s === 429 || s === 401);
}

function readFailure(spec: KindSpec, namespace: string | undefined, err: KubeError): KubeError {
  const what = `listing ${spec.plural}${namespace !== undefined ? ` in ${namespace}` : ""} failed`;
  return new KubeError(err.reason, `${what}: ${err.message}`, err.status);
}

function entry(spec: KindSpec, namespace: string | undefined, err: KubeError): Completeness {
  // Only a 403 reaches here as itself (other list failures fail the read); anything else is an error.
  const reason = err.reason === "forbidden" ? "forbidden" : "error";
  const c: Completeness = { kind: spec.kind, reason, message: err.message };
  if (namespace !== undefined) c.namespace = namespace;
  return c;
}

export function asKubeError(e: unknown): KubeError {
  return e instanceof KubeError ? e : new KubeError("error", e instanceof Error ? e.message : String(e));
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
