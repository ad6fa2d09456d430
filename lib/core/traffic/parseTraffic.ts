// Reads `--traffic FILE` (contract §2): Prometheus text exposition (0.0.4) or the JSON body of a
// Prometheus `/api/v1/query` answer. Only the two Istio series that reveal an edge and its TLS policy
// are kept (istio.md §7.1–7.2). Pure: the caller reads the file. Problems are collected, never
// thrown, so one bad line does not lose the rest of a scrape.
import { EDGE_LABELS, type InputProblem, type ParsedTraffic, type TrafficSample } from "../model/input";
import { isObj, shown, type Obj } from "../model/read";

const REQUESTS = "istio_requests_total";
const TCP_OPENED = "istio_tcp_connections_opened_total";

// Some exporters and recording setups drop the `_total` suffix of counters; both spellings name the
// same series, so they are folded into the one downstream code looks for.
const WANTED = new Map<string, string>([
  [REQUESTS, REQUESTS],
  ["istio_requests", REQUESTS],
  [TCP_OPENED, TCP_OPENED],
  ["istio_tcp_connections_opened", TCP_OPENED],
]);

export function parseTraffic(text: string, file: string): ParsedTraffic {
  const out: ParsedTraffic = { samples: [], problems: [] };
  let start = 0;
  // A BOM is invisible in editors yet would hide the `{` of a JSON file and break the first line.
  if (text.charCodeAt(0) === 0xfeff) start = 1;
  let first = start;
  while (first < text.length && isSpace(text.charCodeAt(first))) first++;
  const c = text[first];
  if (c === "{" || c === "[") parseJson(text.slice(start), file, out);
  else parseText(text, start, file, out);
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

function parseText(text: string, start: number, file: string, out: ParsedTraffic): void {
  const sc = new LineScanner(text);
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

  constructor(private readonly s: string) {}

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
      // A counter never goes below zero; a negative one is a broken exporter, not a request count.
      if (value < 0) return `negative value ${valueToken} for the counter ${quote(name)}`;
      samples.push({ metric, labels, value });
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

function parseJson(text: string, file: string, out: ParsedTraffic): void {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    out.problems.push(jsonSyntaxProblem(text, file));
    return;
  }
  readQueryAnswer(doc, file, out, undefined);
}

/**
 * An `/api/v1/query` answer already decoded (the server's Prometheus client has the JSON): its series,
 * with `metric` as the metric of series that carry no `__name__` (an aggregating query of that metric).
 */
export function parseQueryAnswer(doc: unknown, file: string, o: { metric?: string } = {}): ParsedTraffic {
  const out: ParsedTraffic = { samples: [], problems: [] };
  readQueryAnswer(doc, file, out, o.metric);
  return out;
}

function readQueryAnswer(
  doc: unknown,
  file: string,
  out: ParsedTraffic,
  defaultMetric: string | undefined,
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
  for (let k = 0; k < result.length; k++) {
    const field = `${resultPath}[${k}]`;
    const sample = readSeries(result[k], resultType, field, problem, values, defaultMetric);
    if (sample !== undefined) out.samples.push(sample);
  }
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
    metric = Object.hasOwn(metricObj, "response_code") ? REQUESTS : TCP_OPENED;
  } else {
    metric = typeof rawName === "string" ? WANTED.get(rawName) : undefined;
    if (metric === undefined) return undefined;
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
