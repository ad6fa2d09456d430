// Reads `--traffic FILE` (contract §2): Prometheus text exposition (0.0.4) or the JSON body of a
// Prometheus `/api/v1/query` answer. Only the series that reveal an edge and its TLS policy are kept:
// Istio's two (istio.md §7.1–7.2), and Linkerd's two proxy counters, normalised to the labels the edge
// builder reads (other-meshes.md §1.2, §1.5; addLinkerd below). Pure: the caller reads the file.
// Problems are collected, never thrown, so one bad line does not lose the rest of a scrape.
import {
  EDGE_LABELS,
  LINKERD_CONNECTIONS,
  LINKERD_JOB_CALLER,
  LINKERD_METRICS,
  LINKERD_PORT_KEY,
  LINKERD_REQUESTS,
  type InputProblem,
  type ParsedTraffic,
  type TrafficSample,
} from "../model/input";
import { isObj, shown, type Obj } from "../model/read";

const REQUESTS = "istio_requests_total";
const TCP_OPENED = "istio_tcp_connections_opened_total";

// Some exporters and recording setups drop the `_total` suffix of counters; both spellings name the
// same series, so they are folded into the one downstream code looks for. (Not for Linkerd's names:
// `request` or `tcp_open` alone would be anyone's.)
const WANTED = new Map<string, string>([
  [REQUESTS, REQUESTS],
  ["istio_requests", REQUESTS],
  [TCP_OPENED, TCP_OPENED],
  ["istio_tcp_connections_opened", TCP_OPENED],
  // Linkerd's proxy: HTTP requests and opened transport connections (proxy-metrics.md). Generic
  // names, so a series is only taken as Linkerd's when it carries Linkerd's labels (linkerdOwn).
  [LINKERD_REQUESTS, LINKERD_REQUESTS],
  [LINKERD_CONNECTIONS, LINKERD_CONNECTIONS],
]);

export function parseTraffic(text: string, file: string): ParsedTraffic {
  const out: ParsedTraffic = { samples: [], problems: [] };
  const seen: LinkerdSeen = { requests: false, connections: false, callerless: 0, targets: null };
  let start = 0;
  // A BOM is invisible in editors yet would hide the `{` of a JSON file and break the first line.
  if (text.charCodeAt(0) === 0xfeff) start = 1;
  let first = start;
  while (first < text.length && isSpace(text.charCodeAt(first))) first++;
  const c = text[first];
  if (c === "{" || c === "[") parseJson(text.slice(start), file, out, seen);
  else parseText(text, start, file, out, seen);
  finishLinkerd(file, out, seen);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Text exposition

/**
 * Malformed lines named one by one, per file. A file that is not exposition text at all (a binary or
 * a YAML file passed by mistake) would otherwise give one finding per line and bury everything else;
 * past this many, the rest are counted in one problem that names the first of them.
 */
export const MAX_LINE_PROBLEMS = 20;

function parseText(text: string, start: number, file: string, out: ParsedTraffic, seen: LinkerdSeen): void {
  const sc = new LineScanner(text, seen);
  let pos = start;
  let lineNo = 0;
  let bad = 0;
  let firstUnlisted = 0;
  for (;;) {
    let end = text.indexOf("\n", pos);
    const last = end === -1;
    if (last) end = text.length;
    lineNo++;
    const lineEnd = end > pos && text.charCodeAt(end - 1) === 13 ? end - 1 : end;
    const error = sc.parseLine(pos, lineEnd, out.samples);
    if (error !== undefined) {
      bad++;
      if (bad <= MAX_LINE_PROBLEMS) out.problems.push({ file, line: lineNo, message: error });
      else if (bad === MAX_LINE_PROBLEMS + 1) firstUnlisted = lineNo;
    }
    if (last) break;
    pos = end + 1;
  }
  if (bad > MAX_LINE_PROBLEMS) {
    const more = bad - MAX_LINE_PROBLEMS;
    out.problems.push({
      file,
      line: firstUnlisted,
      message: `${more} more malformed line${more === 1 ? "" : "s"} from here on, not listed one by one (is this Prometheus text exposition?)`,
    });
  }
}

// One reusable cursor over the whole text, so a 20k-line scrape costs no per-line substring or
// closure allocations beyond the names and values actually kept.
class LineScanner {
  private i = 0;
  private end = 0;
  private quoteAt = -1;
  private slashAt = -1;
  private readonly names: string[] = [];
  /** Whether the label name at the same position is one of EDGE_LABELS, whose values are shared. */
  private readonly sharedAt: boolean[] = [];
  private readonly values = new ValueTable();

  constructor(
    private readonly s: string,
    private readonly seen: LinkerdSeen,
  ) {}

  /** Returns an error message for a malformed line; pushes the sample when it is one we keep. */
  parseLine(from: number, to: number, samples: TrafficSample[]): string | undefined {
    const s = this.s;
    this.i = from;
    this.end = to;
    this.skipBlanks();
    if (this.i === to || s.charCodeAt(this.i) === 35 /* # */) return undefined;

    const nameStart = this.i;
    if (!isNameStart(s.charCodeAt(this.i), true)) return `expected a metric name, found ${this.peekToken()}`;
    this.i++;
    while (this.i < to && isNameChar(s.charCodeAt(this.i), true)) this.i++;
    const name = s.slice(nameStart, this.i);

    // Built even for metrics we drop: a syntax error must be reported whichever metric it hits.
    const labels: Record<string, string> = {};
    this.skipBlanks();
    if (this.i < to && s.charCodeAt(this.i) === 123 /* { */) {
      this.i++;
      const error = this.parseLabels(labels);
      if (error !== undefined) return error;
      this.skipBlanks();
    } else if (this.i < to && this.i === nameStart + name.length) {
      return `unexpected ${JSON.stringify(s[this.i])} in metric name ${quote(name)}`;
    }

    if (this.i === to) return `missing value for ${quote(name)}`;
    const valueToken = this.token();
    const value = parseNumber(valueToken);
    if (value === undefined) return `invalid value ${quote(valueToken)}`;

    this.skipBlanks();
    // `#` after the value opens an OpenMetrics exemplar, which says nothing about the edge.
    if (this.i < to && s.charCodeAt(this.i) !== 35) {
      const ts = this.token();
      if (!Number.isFinite(parseNumber(ts) ?? NaN)) return `invalid timestamp ${quote(ts)}`;
      this.skipBlanks();
      if (this.i < to && s.charCodeAt(this.i) !== 35)
        return `unexpected text after the timestamp: ${this.peekToken()}`;
    }

    const metric = WANTED.get(name);
    // NaN/Inf counters are what a broken exporter or a `rate()` over a reset emits; they carry no
    // request count, so they are dropped without a problem.
    if (metric !== undefined && Number.isFinite(value)) {
      const l5d = LINKERD_METRICS.has(metric);
      // Another exporter's `request_total` is none of ours: not read, not judged.
      if (l5d && !linkerdOwn(labels)) return undefined;
      // A counter never goes below zero; a negative one is a broken exporter, not a request count.
      if (value < 0) return `negative value ${valueToken} for the counter ${quote(name)}`;
      if (!l5d) samples.push(istioSample(metric, labels, value));
      else addLinkerd(metric, labels, value, this.values, this.seen, samples);
    }
    return undefined;
  }

  private parseLabels(labels: Record<string, string>): string | undefined {
    const s = this.s;
    const to = this.end;
    let k = 0;
    for (;;) {
      this.skipBlanks();
      if (this.i === to) return "unterminated label set";
      if (s.charCodeAt(this.i) === 125 /* } */) {
        this.i++;
        return undefined;
      }
      const nameStart = this.i;
      if (!isNameStart(s.charCodeAt(this.i), false))
        return `expected a label name or "}", found ${this.peekToken()}`;
      // Series in a scrape repeat the same label names in the same order; reusing the previous
      // line's string at this position saves a slice (and its garbage) per label.
      let name = this.names[k];
      if (
        name !== undefined &&
        s.startsWith(name, nameStart) &&
        !isNameChar(s.charCodeAt(nameStart + name.length), false)
      ) {
        this.i = nameStart + name.length;
      } else {
        this.i++;
        while (this.i < to && isNameChar(s.charCodeAt(this.i), false)) this.i++;
        name = s.slice(nameStart, this.i);
        this.names[k] = name;
        this.sharedAt[k] = EDGE_LABELS.has(name);
      }
      const shareValue = this.sharedAt[k]!;
      k++;
      this.skipBlanks();
      if (this.i === to || s.charCodeAt(this.i) !== 61 /* = */)
        return `expected "=" after label name ${quote(name)}`;
      this.i++;
      this.skipBlanks();
      if (this.i === to || s.charCodeAt(this.i) !== 34 /* " */)
        return `expected a quoted value for label ${quote(name)}`;
      this.i++;
      let value = this.labelValue();
      if (value === undefined) return `unterminated label value for ${quote(name)}`;
      if (shareValue) value = this.values.shared(value);
      if (Object.hasOwn(labels, name)) return `duplicate label ${quote(name)}`;
      // The series name is the metric itself, never a label downstream should see.
      if (name !== "__name__") setOwn(labels, name, value);
      this.skipBlanks();
      if (this.i === to) return "unterminated label set";
      const c = s.charCodeAt(this.i);
      if (c === 44 /* , */) this.i++;
      else if (c !== 125) return `expected "," or "}" after the value of label ${quote(name)}`;
    }
  }

  /** Reads up to and past the closing quote; undefined when the line ends first. */
  private labelValue(): string | undefined {
    const s = this.s;
    const to = this.end;
    let i = this.i;
    let v = "";
    for (;;) {
      // indexOf is far faster than a char loop, but unbounded by the line; remembering the next
      // quote and backslash keeps the whole file's searches linear as the cursor only moves on.
      if (this.quoteAt < i) this.quoteAt = indexOrEnd(s, '"', i);
      if (this.slashAt < i) this.slashAt = indexOrEnd(s, "\\", i);
      const q = this.quoteAt;
      const b = this.slashAt;
      if (q < b) {
        if (q >= to) return undefined;
        this.i = q + 1;
        return v + s.slice(i, q);
      }
      if (b + 1 >= to) return undefined;
      const e = s[b + 1];
      // Other escapes are kept verbatim, as Prometheus' own scrape parser does, rather than
      // rejecting a sample over a label we may not even read.
      v += s.slice(i, b) + (e === "n" ? "\n" : e === "\\" || e === '"' ? e : "\\" + e);
      i = b + 2;
    }
  }

  private skipBlanks(): void {
    while (this.i < this.end) {
      const c = this.s.charCodeAt(this.i);
      if (c !== 32 && c !== 9) break;
      this.i++;
    }
  }

  private token(): string {
    const from = this.i;
    while (this.i < this.end) {
      const c = this.s.charCodeAt(this.i);
      if (c === 32 || c === 9) break;
      this.i++;
    }
    return this.s.slice(from, this.i);
  }

  private peekToken(): string {
    const from = this.i;
    const t = this.token();
    this.i = from;
    return t === "" ? "end of line" : quote(t);
  }
}

/** One string per distinct value of the EDGE_LABELS (see there for why). */
class ValueTable {
  private readonly seen = new Map<string, string>();

  shared(value: string): string {
    const hit = this.seen.get(value);
    if (hit !== undefined) return hit;
    this.seen.set(value, value);
    return value;
  }
}

// [a-zA-Z_:] for metric names, [a-zA-Z_] for label names (no colon).
function isNameStart(c: number, colon: boolean): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || (colon && c === 58);
}

function isNameChar(c: number, colon: boolean): boolean {
  return isNameStart(c, colon) || (c >= 48 && c <= 57);
}

function indexOrEnd(s: string, ch: string, from: number): number {
  const at = s.indexOf(ch, from);
  return at === -1 ? s.length : at;
}

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13;
}

const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

// Go's ParseFloat grammar as Prometheus writes it; `Number()` alone would also take "", "0x1f"
// and " 1 ", which no exporter emits and which more likely mean a broken line.
function parseNumber(token: string): number | undefined {
  if (DECIMAL.test(token)) return Number(token);
  const sign = token[0] === "-" ? -1 : 1;
  const body = (token[0] === "-" || token[0] === "+" ? token.slice(1) : token).toLowerCase();
  if (body === "inf" || body === "infinity") return sign * Infinity;
  if (body === "nan") return NaN;
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// /api/v1/query JSON

function parseJson(text: string, file: string, out: ParsedTraffic, seen: LinkerdSeen): void {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    out.problems.push(jsonSyntaxProblem(text, file));
    return;
  }
  readQueryAnswer(doc, file, out, undefined, seen);
}

/**
 * An `/api/v1/query` answer already decoded (the server's Prometheus client has the JSON): its series,
 * with `metric` as the metric of series that carry no `__name__` (an aggregating query of that metric).
 */
export function parseQueryAnswer(doc: unknown, file: string, o: { metric?: string } = {}): ParsedTraffic {
  return readAnswers([{ doc, file, metric: o.metric }], file, true).out;
}

/** One decoded `/api/v1/query` answer among several (parseQueryAnswers). */
export interface QueryAnswer {
  doc: unknown;
  /** Names the answer in its own problems. */
  file: string;
  /** The metric of its series without `__name__` (the query's, as parseQueryAnswer's `metric`). */
  metric?: string | undefined;
}

/** parseQueryAnswers' result: the traffic, and how many of Linkerd's outbound series named no caller. */
export interface QueryAnswersRead extends ParsedTraffic {
  callerless: number;
}

/**
 * Several answers read as one input, in the order given: the live reader asks one query per metric, so
 * one call's Linkerd requests and connections come in two answers and are matched across them
 * (preferRequests) as within one saved answer, and series naming no caller are reported once, under
 * `file`. Istio's series are read per answer exactly as parseQueryAnswer reads each. With
 * `reportCallerless: false` those series are only counted (`callerless`): the live reader words them
 * itself, for what it queried is a Prometheus, not a file.
 */
export function parseQueryAnswers(
  answers: readonly QueryAnswer[],
  file: string,
  o: { reportCallerless?: boolean } = {},
): QueryAnswersRead {
  const { out, callerless } = readAnswers(answers, file, o.reportCallerless ?? true);
  return { ...out, callerless };
}

function readAnswers(
  answers: readonly QueryAnswer[],
  file: string,
  reportCallerless: boolean,
): { out: ParsedTraffic; callerless: number } {
  const out: ParsedTraffic = { samples: [], problems: [] };
  const seen: LinkerdSeen = { requests: false, connections: false, callerless: 0, targets: null };
  for (const a of answers) readQueryAnswer(a.doc, a.file, out, a.metric, seen);
  finishLinkerd(file, out, seen, reportCallerless);
  return { out, callerless: seen.callerless };
}

function readQueryAnswer(
  doc: unknown,
  file: string,
  out: ParsedTraffic,
  defaultMetric: string | undefined,
  seen: LinkerdSeen,
): void {
  const problem = (message: string, field?: string): void => {
    out.problems.push(field === undefined ? { file, message } : { file, field, message });
  };

  let data: unknown = doc;
  // Problem fields are paths into the file as written, so they depend on how much was wrapped.
  let base = "";
  if (isObj(doc)) {
    if (doc.status === "error") {
      const kind = typeof doc.errorType === "string" && doc.errorType !== "" ? ` (${doc.errorType})` : "";
      const detail = typeof doc.error === "string" && doc.error !== "" ? `: ${oneLine(doc.error)}` : "";
      problem(`Prometheus query failed${kind}${detail}`);
      return;
    }
    const window = findWindow(doc);
    if (window !== undefined) out.window = window;
    if ("data" in doc) {
      data = doc.data;
      base = "data.";
    }
  }

  let result: unknown;
  let resultType: unknown;
  let resultPath = "";
  if (Array.isArray(data)) {
    result = data;
  } else if (isObj(data) && "result" in data) {
    result = data.result;
    resultType = data.resultType;
    resultPath = base + "result";
  } else {
    problem('not a Prometheus query answer: no "data.result"');
    return;
  }
  if (resultType !== undefined && resultType !== "vector" && resultType !== "matrix") {
    problem(
      `resultType ${shown(resultType)} holds no series; expected "vector" or "matrix"`,
      base + "resultType",
    );
    return;
  }
  if (!Array.isArray(result)) {
    problem("result is not an array", resultPath);
    return;
  }

  const values = new ValueTable();
  const unnamed: UnnamedLinkerd = { withPeer: false, withoutPeer: [] };
  for (let k = 0; k < result.length; k++) {
    const field = `${resultPath}[${k}]`;
    const sample = readSeries(result[k], resultType, field, problem, values, defaultMetric);
    if (sample === undefined) continue;
    if (LINKERD_METRICS.has(sample.metric))
      addAnswerLinkerd(result[k] as Obj, sample, defaultMetric, values, seen, out.samples, unnamed);
    else {
      // readSeries made the sample: its labels are checked in place, no second object per series.
      neutralizeProtocol(sample.labels);
      out.samples.push(sample);
    }
  }
  if (unnamed.withPeer) requestsWithoutPeer(unnamed.withoutPeer, seen);
}

function readSeries(
  item: unknown,
  resultType: unknown,
  field: string,
  problem: (message: string, field?: string) => void,
  values: ValueTable,
  defaultMetric: string | undefined,
): TrafficSample | undefined {
  if (!isObj(item) || !isObj(item.metric)) {
    problem('series has no "metric" object', field);
    return undefined;
  }
  const metricObj = item.metric;
  const rawName = metricObj.__name__;
  let metric: string | undefined;
  if (rawName === undefined && defaultMetric !== undefined) {
    metric = WANTED.get(defaultMetric);
    if (metric === undefined) return undefined;
  } else if (rawName === undefined) {
    // Queries that aggregate (`sum by (...) (rate(istio_requests_total[5m]))`) drop `__name__`.
    // Only HTTP/gRPC series carry `response_code` (istio.md §7.1), so its presence tells the two
    // kept metrics apart; anything else is taken as TCP opens, the only other series we read.
    // A series with Linkerd's labels and without Istio's `reporter` is Linkerd's (linkerdOwn); which of
    // its two counters it was is gone with the name, so it counts as connections (no protocol told).
    if (!Object.hasOwn(metricObj, "reporter") && linkerdOwn(metricObj)) metric = LINKERD_CONNECTIONS;
    else metric = Object.hasOwn(metricObj, "response_code") ? REQUESTS : TCP_OPENED;
  } else {
    metric = typeof rawName === "string" ? WANTED.get(rawName) : undefined;
    if (metric === undefined) return undefined;
    // Another exporter's `request_total` is none of ours: not read, not judged.
    if (LINKERD_METRICS.has(metric) && !linkerdOwn(metricObj)) return undefined;
  }

  const labels: Record<string, string> = {};
  for (const key of Object.keys(metricObj)) {
    if (key === "__name__") continue;
    const v = metricObj[key];
    if (typeof v !== "string") {
      problem(`label ${quote(key)} is not a string`, `${field}.metric.${key}`);
      return undefined;
    }
    setOwn(labels, key, EDGE_LABELS.has(key) ? values.shared(v) : v);
  }

  const useValues = resultType === "matrix" || (resultType === undefined && !("value" in item));
  const key = useValues ? "values" : "value";
  let point: unknown = item[key];
  if (useValues && Array.isArray(point)) {
    // A series with no points in the range carries no traffic; nothing is wrong with the file.
    if (point.length === 0) return undefined;
    // A matrix ends at the query time, so its last point is the current counter value.
    point = point[point.length - 1];
  }
  if (!Array.isArray(point) || point.length !== 2) {
    problem(`series has no "${key}" as [timestamp, "number"]`, `${field}.${key}`);
    return undefined;
  }
  const raw: unknown = point[1];
  const value = typeof raw === "number" ? raw : typeof raw === "string" ? parseNumber(raw) : undefined;
  if (value === undefined) {
    const shown = typeof raw === "string" ? quote(raw) : String(JSON.stringify(raw));
    problem(`value ${shown} is not a number`, `${field}.${key}`);
    return undefined;
  }
  if (!Number.isFinite(value)) return undefined;
  if (value < 0) {
    problem(
      `value ${typeof raw === "string" ? quote(raw) : String(raw)} is negative; a counter never is`,
      `${field}.${key}`,
    );
    return undefined;
  }
  return { metric, labels, value };
}

const DURATION = /^(?:\d+(?:ms|[smhdwy]))+$/;
const RANGE = /\[\s*((?:\d+(?:ms|[smhdwy]))+)\s*(?::[^\]]*)?\]/;

// The Prometheus API answer itself never states the query; a window is only known when whoever
// saved the file wrapped it with a `window` field or kept the `query` (its first `[5m]` range, or
// a subquery's range). Guessing from matrix timestamps would confuse scrape spacing with intent.
function findWindow(doc: Obj): string | undefined {
  if (typeof doc.window === "string" && DURATION.test(doc.window.trim())) return doc.window.trim();
  if (typeof doc.query === "string") return RANGE.exec(doc.query)?.[1];
  return undefined;
}

// Node 20's JSON.parse often omits the offset ("Unexpected token '}', ... is not valid JSON"), so
// the position comes from a small validator run only on failure; its wording is also stable across
// Node versions, which the engine's is not.
function jsonSyntaxProblem(text: string, file: string): InputProblem {
  let found: { offset: number; reason: string } | undefined;
  try {
    found = locateJsonError(text);
  } catch {
    found = undefined;
  }
  if (found === undefined) return { file, message: "malformed JSON" };
  let line = 1;
  let lineStart = 0;
  for (let p = text.indexOf("\n"); p !== -1 && p < found.offset; p = text.indexOf("\n", p + 1)) {
    line++;
    lineStart = p + 1;
  }
  return {
    file,
    line,
    message: `malformed JSON at line ${line}, column ${found.offset - lineStart + 1}: ${found.reason}`,
  };
}

const JSON_NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

/** First offset where `s` stops being JSON (RFC 8259); iterative so deep nesting cannot overflow. */
function locateJsonError(s: string): { offset: number; reason: string } | undefined {
  let i = 0;
  const stack: number[] = []; // open brackets: 123 "{" or 91 "["
  const ws = (): void => {
    while (i < s.length && isSpace(s.charCodeAt(i))) i++;
  };
  const fail = (reason?: string): { offset: number; reason: string } => ({
    offset: i,
    reason: reason ?? (i >= s.length ? "unexpected end of input" : `unexpected ${JSON.stringify(s[i])}`),
  });
  const string = (): boolean => {
    i++; // opening quote
    while (i < s.length) {
      const c = s.charCodeAt(i);
      if (c === 34) {
        i++;
        return true;
      }
      if (c < 32) return false;
      if (c === 92) {
        const e = s[i + 1];
        if (e === "u") {
          if (!/^[0-9a-fA-F]{4}$/.test(s.slice(i + 2, i + 6))) return false;
          i += 6;
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) i += 2;
        else return false;
        continue;
      }
      i++;
    }
    return false;
  };
  const key = (): boolean => {
    ws();
    if (s.charCodeAt(i) !== 34 || !string()) return false;
    ws();
    if (s.charCodeAt(i) !== 58 /* : */) return false;
    i++;
    return true;
  };

  for (;;) {
    // Expecting a value.
    ws();
    const c = s.charCodeAt(i);
    let closed = false;
    if (c === 123 || c === 91) {
      i++;
      ws();
      if (s.charCodeAt(i) === (c === 123 ? 125 : 93)) {
        i++;
        closed = true;
      } else {
        stack.push(c);
        if (c === 123 && !key()) return fail();
        continue;
      }
    }
    if (!closed) {
      if (c === 34) {
        if (!string())
          return fail(
            i >= s.length ? "unterminated string" : "invalid escape or control character in string",
          );
      } else if (s.startsWith("true", i) || s.startsWith("null", i)) i += 4;
      else if (s.startsWith("false", i)) i += 5;
      else {
        JSON_NUMBER.lastIndex = i;
        if (!JSON_NUMBER.test(s)) return fail();
        i = JSON_NUMBER.lastIndex;
      }
    }
    // After a value: close containers or move to the next element.
    for (;;) {
      ws();
      const top = stack[stack.length - 1];
      if (top === undefined) return i < s.length ? fail("unexpected text after the JSON value") : undefined;
      const d = s.charCodeAt(i);
      if (d === 44 /* , */) {
        i++;
        if (top === 123 && !key()) return fail();
        break;
      }
      if (d === (top === 123 ? 125 : 93)) {
        i++;
        stack.pop();
        continue;
      }
      return fail();
    }
  }
}

/**
 * An Istio series as read, except a request_protocol that would pass for a Linkerd sample's port key
 * (LINKERD_PORT_KEY, buildEdges `portsFor`): the label is the user's to set (a Telemetry tagOverride),
 * so such a value is no protocol Istio reports and reads as one unknown ("unknown": every port a candidate).
 * One check per series on a label only Istio's parse reaches; Istio's own values are kept as they are.
 */
function istioSample(metric: string, labels: Record<string, string>, value: number): TrafficSample {
  neutralizeProtocol(labels);
  return { metric, labels, value };
}

function neutralizeProtocol(labels: Record<string, string>): void {
  const proto = labels.request_protocol;
  if (proto !== undefined && proto.startsWith(LINKERD_PORT_KEY)) labels.request_protocol = "unknown";
}

// ---------------------------------------------------------------------------------------------
// Linkerd's proxy counters (docs/DECISIONS.md, "Linkerd's proxy metrics as observed traffic")

/** Which of Linkerd's two counters a parse kept, so preferRequests runs only when it has work. */
interface LinkerdSeen {
  requests: boolean;
  connections: boolean;
  /** Outbound series not read for want of the caller's labels (addLinkerd), reported once per file. */
  callerless: number;
  /**
   * A Linkerd sample's endpoint port key (`linkerd:target:N`) where its request_protocol is the
   * authority's (`linkerd:port:N`): preferRequests matches a call's two counters by either. Made at the
   * first such sample; Istio's samples never reach it.
   */
  targets: Map<TrafficSample, string> | null;
}

/** After the whole input: requests over connections per edge, and one report for the series that named no caller. */
function finishLinkerd(file: string, out: ParsedTraffic, seen: LinkerdSeen, reportCallerless = true): void {
  if (seen.requests && seen.connections) preferRequests(out.samples, seen.targets);
  if (seen.callerless === 0 || !reportCallerless) return;
  // Nothing usable at all (a proxy's raw /metrics page): the file cannot be used as traffic, a problem.
  // Some series among usable ones (a statically scraped VM proxy in a Prometheus export): the rest of
  // the file was read, so it is noted, not raised as input.invalid (findings.md: a file that does not parse).
  if (out.samples.length === 0) out.problems.push({ file, message: callerlessMessage(seen.callerless) });
  else (out.skipped ??= []).push({ file, message: callerlessNote(seen.callerless) });
}

/** "deployment, statefulset, … or pod": the caller's labels as the messages name them. */
export const callerLabels = (): string =>
  OWNER_LABELS.slice(0, -1).join(", ") + " or " + OWNER_LABELS[OWNER_LABELS.length - 1];

/**
 * Series a proxy's own /metrics page holds (Prometheus adds the caller's labels at scrape time): the
 * file parses, but names no caller for any edge, and the analysis would otherwise be silently empty.
 * A problem (input.invalid, and a completeness entry), as for an answer whose resultType holds no series:
 * this input cannot be used as traffic, and the table output and exit status show problems, not notes.
 */
function callerlessMessage(n: number): string {
  return `${n} of Linkerd's outbound series name no caller (no namespace and no ${callerLabels()} label, which Prometheus' linkerd-proxy scrape job adds): they were not read. A proxy's own /metrics page lacks them; export the series from Prometheus instead.`;
}

/** The same series among usable ones: a completeness entry saying what was left out and that the rest was read. */
function callerlessNote(n: number): string {
  return `${n} of Linkerd's outbound series name no caller (no namespace and no ${callerLabels()} label, which Prometheus' linkerd-proxy scrape job adds) and were not read; the file's other series were read.`;
}

/** An answer's series without __name__ taken as Linkerd's (readSeries), until the whole answer is read. */
interface UnnamedLinkerd {
  /** Some such series has `peer`, which only tcp_open_total carries (transport labels). */
  withPeer: boolean;
  /** The samples made from such series without `peer`. */
  withoutPeer: TrafficSample[];
}

/** One Linkerd series of an answer, noting (UnnamedLinkerd) whether a nameless one has `peer`. */
function addAnswerLinkerd(
  item: Obj,
  series: TrafficSample,
  defaultMetric: string | undefined,
  values: ValueTable,
  seen: LinkerdSeen,
  samples: TrafficSample[],
  unnamed: UnnamedLinkerd,
): void {
  const before = samples.length;
  addLinkerd(series.metric, series.labels, series.value, values, seen, samples);
  if (defaultMetric !== undefined || Object.hasOwn(item.metric as Obj, "__name__")) return;
  if (series.labels.peer !== undefined) unnamed.withPeer = true;
  else if (samples.length > before) unnamed.withoutPeer.push(samples[before]!);
}

/**
 * One nameless answer holding both counters (`increase({__name__=~"request_total|tcp_open_total"}[1h])`
 * drops the name, not the labels): `peer` is a transport label (linkerd2-proxy linkerd/app/core/src/
 * transport/labels.rs `Key::fmt_labels` writes it on every transport series), never on request_total's
 * endpoint labels (metrics.rs `OutboundEndpointLabels`), so where some of
 * its series have it, those without are request_total's, and counted as requests (not twice).
 */
function requestsWithoutPeer(samples: TrafficSample[], seen: LinkerdSeen): void {
  for (const s of samples) s.metric = LINKERD_REQUESTS;
  if (samples.length > 0) seen.requests = true;
}

/**
 * The labels only Linkerd's proxy puts on these names: `direction` always (linkerd2-proxy
 * metrics.rs `EndpointLabels`, transport/labels.rs `Key`), the TLS labels of `TlsConnect`, and the
 * destination's `dst_*`; an aggregating query may keep only some of them.
 */
function linkerdOwn(labels: Obj | Record<string, string>): boolean {
  return (
    Object.hasOwn(labels, "direction") ||
    Object.hasOwn(labels, "tls") ||
    Object.hasOwn(labels, "no_tls_reason") ||
    Object.hasOwn(labels, "server_id") ||
    Object.hasOwn(labels, "dst_service")
  );
}

/**
 * The source workload's label, in Prometheus' names for the `linkerd.io/proxy-<kind>` pod label the
 * injector sets for the pod's top owner (linkerd2 pkg/inject/inject.go, the `linkerd-proxy` scrape
 * job's labelmap; `job` becomes `k8s_job`); a bare pod has only `pod`.
 */
const OWNER_LABELS: readonly string[] = [
  "deployment",
  "statefulset",
  "daemonset",
  "cronjob",
  "k8s_job",
  "replicaset",
  "replicationcontroller",
  "pod",
];

/**
 * The caller's name: an owner label above, else the Job named by the pod labels Kubernetes' Job
 * controller sets (`batch.kubernetes.io/job-name`, and `job-name` before 1.27), which the scrape job
 * copies with every pod label (viz charts/linkerd-viz/templates/prometheus.yaml, `labelmap
 * __tmp_pod_label_(.+)`), else the pod. A CronJob's pod has no owner label: the webhook resolves its
 * owner to the CronJob (controller/k8s/metadata_api.go `GetOwnerKindAndName` walks Job → its one
 * owner) and inject.go's Pod switch has no CronJob case. buildEdges `jobClientEntry` takes such a Job's
 * name to its CronJob.
 */
export const CALLER_LABELS: readonly string[] = [
  ...OWNER_LABELS.slice(0, -1),
  "batch_kubernetes_io_job_name",
  "job_name",
  "pod",
];

/**
 * Whether CALLER_LABELS' label at the same index names a Job (the sample is then marked
 * LINKERD_JOB_CALLER): inject.go's Pod switch labels a pod with its real owner's kind, so only these
 * say the caller is a Job, and so perhaps a CronJob's run; `deployment=x-29361045` is a Deployment.
 */
const JOB_CALLER: readonly boolean[] = CALLER_LABELS.map(
  (k) => k === "k8s_job" || k === "batch_kubernetes_io_job_name" || k === "job_name",
);

/**
 * Every label the Linkerd path reads (linkerdOwn, addLinkerd, linkerdPolicy, portKey, addAnswerLinkerd's
 * `peer`): an aggregating query of Linkerd's counters must keep exactly these for its answer to read as
 * the raw series do (lib/server/telemetry/prometheus.ts groups by them, `pod` kept for bare pods only
 * and `target_addr` as ":<port>", all these read of them). Others (`instance`, `job`, `dst_pod`,
 * `client_id`, …) change no sample.
 */
export const LINKERD_LABELS: readonly string[] = [
  "direction",
  "peer",
  "tls",
  "no_tls_reason",
  "server_id",
  "namespace",
  "workload_ns",
  ...CALLER_LABELS,
  "dst_service",
  "dst_namespace",
  "authority",
  "target_addr",
];

/**
 * What buildEdges reads as the edge's evidence (contract.md §1.1): for Istio the destination proxy's
 * report. For Linkerd it is the source proxy's outbound connection, whose `tls` label is the TLS that
 * connection completed: the transport metrics wrap the connection only once `tls::Client` has done its
 * handshake (linkerd2-proxy linkerd/app/outbound/src/tcp/connect.rs, `push_tcp_endpoint`), and
 * `linkerd viz edges` reads the outbound side for the same reason (viz/metrics-api/edges.go).
 */
const EVIDENCE = "destination";

/**
 * One Linkerd series as the edge builder's labels, pushed when it is evidence of an edge: the source
 * proxy's outbound view only (`direction="outbound"`; for connections `peer="dst"`, the proxy's own
 * connection to the destination, not the application's loopback one to the proxy). Inbound series are
 * the same traffic seen again by the destination's proxy, and are not read.
 */
function addLinkerd(
  metric: string,
  L: Record<string, string>,
  value: number,
  values: ValueTable,
  seen: LinkerdSeen,
  samples: TrafficSample[],
): void {
  // An aggregated answer may have summed these away (its query chose them): absent is accepted.
  if (L.direction !== undefined && L.direction !== "outbound") return;
  if (L.peer !== undefined && L.peer !== "dst") return;
  const srcNs = L.namespace || L.workload_ns;
  let src: string | undefined;
  let at = 0;
  for (; at < CALLER_LABELS.length; at++) {
    src = L[CALLER_LABELS[at]!];
    if (src) break;
  }
  // Without Prometheus' scrape labels (a raw /metrics page) the caller is unknown; an unknown caller
  // would be predicted as proxy-less, and this proxy's mTLS would then contradict it.
  if (!srcNs || !src) {
    seen.callerless++;
    return;
  }
  const svc = L.dst_service;
  const svcNs = L.dst_namespace;
  const byName = !!svc && !!svcNs;
  // dst_service is the Service the connection went to (a TrafficSplit's leaf); `authority` is the
  // logical name called (linkerd2-proxy #300, #454), left in current proxies' endpoint labels only
  // where nothing better names the destination (an external host).
  const host = byName ? `${svc}.${svcNs}.svc.cluster.local` : L.authority ? hostOf(L.authority) : "";
  // An IP address (older proxies, ingress mode: "10.42.0.10:4191") names no service: no edge to key on.
  if (!host || (!byName && isIpHost(host))) return;
  const labels: Record<string, string> = {
    reporter: EVIDENCE,
    source_workload: values.shared(src),
    source_workload_namespace: values.shared(srcNs),
    destination_service: values.shared(host),
    connection_security_policy: linkerdPolicy(L),
  };
  if (byName) {
    labels.destination_service_name = values.shared(svc);
    labels.destination_service_namespace = values.shared(svcNs);
  }
  const key = portKey(L, byName ? svc! : null, svcNs, srcNs);
  labels.request_protocol = values.shared(key);
  if (JOB_CALLER[at] === true) labels[LINKERD_JOB_CALLER] = "true";
  if (metric === LINKERD_REQUESTS) seen.requests = true;
  else seen.connections = true;
  const sample = { metric, labels, value };
  samples.push(sample);
  // The authority's port was used: keep target_addr's too, which the call's other counter may carry alone.
  if (byName && key.startsWith("port:", LINKERD_PORT_KEY.length) && L.target_addr) {
    const target = portOf(L.target_addr);
    if (target !== null) (seen.targets ??= new Map()).set(sample, `${LINKERD_PORT_KEY}target:${target}`);
  }
}

/**
 * The outbound TLS labels as Istio's connection_security_policy (linkerd2-proxy transport/labels.rs
 * `TlsConnect`: `tls="true",server_id=…`, `tls="disabled"`, or `tls="no_identity",no_tls_reason=…`).
 * `loopback` is a pod calling itself through a Service: it never leaves the pod, so it is neither mTLS
 * nor plaintext on the wire. Without `tls` (an answer grouped as `linkerd viz edges` groups, by
 * no_tls_reason and server_id), a reason means no TLS and a server_id means TLS, as viz reads it.
 */
function linkerdPolicy(L: Record<string, string>): string {
  const reason = L.no_tls_reason;
  const tls = L.tls;
  if (tls === "true") return "mutual_tls";
  if (reason === "loopback") return "unknown";
  if (tls === "disabled" || tls === "no_identity") return "none";
  if (tls !== undefined) return "unknown";
  if (reason) return "none";
  return L.server_id ? "mutual_tls" : "unknown";
}

/**
 * What the series says of the Service port, as LINKERD_PORT_KEY. Linkerd gives port names no meaning
 * (its proxy detects the protocol), so Istio's "HTTP samples are about ports named http or grpc" does not
 * apply. The outbound endpoint labels (linkerd2-proxy linkerd/app/core/src/metrics.rs
 * `OutboundEndpointLabels`: `authority`, then `target_addr`, the TLS labels and the `dst_*`) give it:
 * the authority's port is the Service port called, when the authority names the Service the series
 * went to (a TrafficSplit's apex is another Service, whose port need not be the leaf's); otherwise
 * target_addr's is the endpoint's port, which a Service port's targetPort leads to. Neither (an
 * aggregated answer): nothing said, every port is a candidate.
 */
function portKey(
  L: Record<string, string>,
  svc: string | null,
  svcNs: string | undefined,
  srcNs: string,
): string {
  const authority = L.authority;
  if (authority && (svc === null || namesService(hostOf(authority), svc, svcNs!, srcNs))) {
    const port = portOf(authority);
    if (port !== null) return `${LINKERD_PORT_KEY}port:${port}`;
  }
  const target = svc !== null && L.target_addr ? portOf(L.target_addr) : null;
  return target !== null ? `${LINKERD_PORT_KEY}target:${target}` : LINKERD_PORT_KEY;
}

/** Whether an authority's host is the Service `svc.ns` (its cluster-local forms, or the short name from its own namespace). */
function namesService(host: string, svc: string, ns: string, srcNs: string): boolean {
  if (host === svc) return ns === srcNs;
  if (!host.startsWith(svc) || host.charCodeAt(svc.length) !== 46 /* . */) return false;
  const rest = host.slice(svc.length + 1);
  return rest === ns || rest === `${ns}.svc` || rest.startsWith(`${ns}.svc.`);
}

/** "host:port" → port, null when there is none or it is no port number. */
function portOf(address: string): number | null {
  const colon = address.lastIndexOf(":");
  if (colon <= address.lastIndexOf("]")) return null;
  const digits = address.slice(colon + 1);
  if (!/^\d{1,5}$/.test(digits)) return null;
  const n = Number(digits);
  return n > 0 && n <= 65535 ? n : null;
}

const IPV4 = /^\d{1,3}(?:\.\d{1,3}){3}$/;

/**
 * An authority's host that is an IP address: dotted IPv4, or a bracketed IPv6. Looks, not validity
 * (ipAddress.ts checks that): any dotted quad of digits or bracketed host names no service either way.
 */
function isIpHost(host: string): boolean {
  return host.charCodeAt(0) === 91 /* [ */ || IPV4.test(host);
}

/** "host:port" → "host" ("[v6]:port" → "[v6]"). */
function hostOf(authority: string): string {
  const colon = authority.lastIndexOf(":");
  return colon > authority.lastIndexOf("]") ? authority.slice(0, colon) : authority;
}

/**
 * A caller's HTTP requests to a service also open connections, so a call with both counters would be
 * counted twice, in two units. As Istio counts (requests on HTTP chains, connections on TCP ones), a
 * call keeps its requests when it has any, and its connections otherwise (opaque TCP, or an input that
 * kept only tcp_open_total). A call is (caller, host, port key): connections to another port of the
 * same Service (an opaque port beside an HTTP one) are other calls and kept. Where a series names no
 * port (the bare LINKERD_PORT_KEY, an aggregated answer), it is matched by (caller, host) alone, as
 * nothing tells its port apart. The port keys of one call may differ in kind (the authority's on one
 * counter, target_addr's alone on the other), so a sample's target key (`targets`) matches too.
 * Requests counted at zero (an idle series: the live reader's `increase()` answers 0) say no request was
 * made, so they hide no connection, as `linkerd viz edges` skips zero samples (linkerd/linkerd2
 * viz/metrics-api/edges.go `Edges`: `if sample.Value == 0.0 { continue }`). Any count above zero is a
 * request (a saved `rate()` answer is fractional; `increase()` of a counter that moved is at least 1, its
 * extrapolation factor never below 1: prometheus/prometheus promql/functions.go `extrapolatedRate`).
 * In place, keeping order; only for input that held both.
 */
function preferRequests(samples: TrafficSample[], targets: Map<TrafficSample, string> | null): void {
  // source namespace → source workload → destination host → the port keys of its requests; keyed by the shared strings.
  const asked = new Map<string, Map<string, Map<string, Set<string>>>>();
  for (const s of samples) {
    if (s.metric !== LINKERD_REQUESTS || !(s.value > 0)) continue;
    const L = s.labels;
    let byWl = asked.get(L.source_workload_namespace!);
    if (!byWl) asked.set(L.source_workload_namespace!, (byWl = new Map()));
    let hosts = byWl.get(L.source_workload!);
    if (!hosts) byWl.set(L.source_workload!, (hosts = new Map()));
    let keys = hosts.get(L.destination_service!);
    if (!keys) hosts.set(L.destination_service!, (keys = new Set()));
    keys.add(L.request_protocol!);
    const target = targets?.get(s);
    if (target !== undefined) keys.add(target);
  }
  let w = 0;
  for (const s of samples) {
    if (!(s.metric === LINKERD_CONNECTIONS && sameCall(s, asked, targets))) samples[w++] = s;
  }
  samples.length = w;
}

/** Whether a connection sample is a call that also has requests (preferRequests). */
function sameCall(
  s: TrafficSample,
  asked: Map<string, Map<string, Map<string, Set<string>>>>,
  targets: Map<TrafficSample, string> | null,
): boolean {
  const L = s.labels;
  const keys = asked.get(L.source_workload_namespace!)?.get(L.source_workload!)?.get(L.destination_service!);
  if (keys === undefined) return false;
  const key = L.request_protocol!;
  if (key === LINKERD_PORT_KEY || keys.has(LINKERD_PORT_KEY) || keys.has(key)) return true;
  const target = targets?.get(s);
  return target !== undefined && keys.has(target);
}

// ---------------------------------------------------------------------------------------------

// `labels.__proto__ = v` would set the prototype instead of a label; define it as an own property.
function setOwn(labels: Record<string, string>, key: string, value: string): void {
  if (key === "__proto__")
    Object.defineProperty(labels, key, { value, enumerable: true, writable: true, configurable: true });
  else labels[key] = value;
}

function quote(s: string): string {
  return JSON.stringify(s.length > 60 ? s.slice(0, 57) + "..." : s);
}

function oneLine(s: string): string {
  return s.replace(/\s*[\r\n]+\s*/g, " ").trim();
}
