import { URGENCY_NOTE, URGENCY_RULES } from "./urgency";
import { describe, expect, it } from "vitest";
import { cert, expiringFindings, FIXTURE_NOW, root } from "../__fixtures__/certificate";
import { embedFrameAncestors, parseEmbedOrigins } from "./frameAncestors";
import { dashboardUrl, iframeSnippet, markdownImageSnippet, svgUrl } from "./embedCode";
import { textEm } from "./format";
import { escapeXml, renderExpirySvg } from "./svg";

const certs = [
  root(1, { from: -24 * 365, to: 24 * 3650 }, { subject: `CN=Root <"&'> CA` }),
  cert(2, { from: -48, to: -2 }, { role: "leaf", spiffeId: null, dnsNames: ["expired.shop.svc"] }),
  cert(3, { from: -2, to: 22 }),
];

describe("renderExpirySvg", () => {
  const opts = {
    title: "demo / shop",
    now: FIXTURE_NOW,
    window: "30d",
    theme: "light" as const,
    findings: expiringFindings(certs),
  };

  it("is deterministic and independent of input order", () => {
    const a = renderExpirySvg(certs, opts);
    expect(renderExpirySvg([...certs].reverse(), opts)).toBe(a);
  });

  it("escapes every text and stays well-formed XML", () => {
    const s = renderExpirySvg(certs, { ...opts, title: 'a<b & "c"' });
    expect(s).not.toMatch(/<b &/);
    expect(s).toContain("a&lt;b &amp; &quot;c&quot;");
    expect(s).toContain("Root &lt;&quot;&amp;&#39;&gt; CA");
    expect(s.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    // Every element opened is closed (tags balance once self-closing ones are removed).
    const opened = (s.match(/<[a-z][^>]*?(?<!\/)>/g) ?? []).length;
    const closed = (s.match(/<\/[a-z]+>/g) ?? []).length;
    expect(opened).toBe(closed);
  });

  it("shows the certificates, urgency cues and counts", () => {
    const s = renderExpirySvg(certs, opts);
    expect(s).toContain("expired.shop.svc");
    expect(s).toContain("✕ expired 2h ago");
    expect(s).toContain("spiffe://cluster.local/ns/shop/sa/web-3");
    expect(s).toContain("✕ expired: 1");
    expect(s).toContain("3 certificates · window 30d · as of 2026-11-27 12:00 UTC");
  });

  it("names the legend buckets by meaning, with the rule, never by a time a short-lived row contradicts", () => {
    const s = renderExpirySvg(certs, opts);
    for (const label of ["! critical:", "▲ soon:", "◆ watch:", "● healthy:"]) expect(s).toContain(label);
    expect(s).not.toMatch(/&lt; 24 h:|&lt; 7 d:|later:/);
    // The rule note, wrapped over lines of its own.
    const texts = [...s.matchAll(/<text [^>]*>([^<]*)<\/text>/g)].map((m) => m[1]!);
    const first = texts.findIndex((t) => t.startsWith("Buckets go by"));
    expect(texts.slice(first, first + 3).join(" ")).toContain(escapeXml(URGENCY_NOTE));
    expect(s).toContain(escapeXml(`healthy: ${URGENCY_RULES.ok}`));
  });

  it("uses the dark palette for theme=dark and a fixed size", () => {
    const light = renderExpirySvg(certs, opts);
    const dark = renderExpirySvg(certs, { ...opts, theme: "dark" });
    expect(light).toContain('fill="#ffffff"');
    expect(dark).toContain('fill="#111418"');
    expect(dark).not.toContain('fill="#ffffff"');
    expect(/width="880"/.test(light)).toBe(true);
  });

  it("stays as small as the 30d image for any window and a notAfter of 9999-12-31", () => {
    const base = renderExpirySvg(certs, opts).length;
    const forever = root(9, {
      from: -1,
      to: (Date.parse("9999-12-31T23:59:59Z") - Date.parse(FIXTURE_NOW)) / 3_600_000,
    });
    for (const [window, list] of [
      ["999999y", certs],
      ["999999w", certs],
      ["all", [...certs, forever]],
    ] as const) {
      const s = renderExpirySvg([...list], { ...opts, window, findings: expiringFindings([...list]) });
      const labels = s.match(/text-anchor="middle"/g) ?? [];
      expect(labels.length, window).toBeLessThanOrEqual(10);
      expect(s.length, window).toBeLessThan(base + 3_000);
    }
  });

  /**
   * Every <text>'s extent at a generous 0.62 em per character (system-ui averages about 0.5 em; a
   * browser check of the real glyphs is in e2e/panels.spec.ts): [left, right] in px.
   */
  const extents = (svg: string) =>
    [...svg.matchAll(/<text x="([\d.]+)"[^>]*?font-size="(\d+)"([^>]*)>([^<]*)<\/text>/g)].map(
      ([, x, size, rest, body]) => {
        const text = body!.replace(/&(amp|lt|gt|quot|#39);/g, "_");
        const w = text.length * 0.62 * Number(size);
        const left = /text-anchor="middle"/.test(rest!) ? Number(x) - w / 2 : Number(x);
        return { text, left, right: left + w };
      },
    );

  it("keeps every text inside the image at any width: the rule note wraps, the legend wraps, the title is cut", () => {
    const long = {
      ...opts,
      title: `Certificate expiry · ${"prod-cluster-with-a-long-context-name-".repeat(6)} / shop · demo data`,
    };
    for (const width of [480, 880, 2000]) {
      const s = renderExpirySvg(certs, { ...long, width });
      const over = extents(s).filter((t) => t.left < 0 || t.right > width);
      expect(over, `width ${width}`).toEqual([]);
      const height = Number(/height="(\d+)"/.exec(s)![1]);
      const lastY = Math.max(...[...s.matchAll(/<text x="[\d.]+" y="([\d.]+)"/g)].map((m) => Number(m[1])));
      expect(lastY, `width ${width}`).toBeLessThan(height);
    }
    // The whole note is still there, in order, across its lines.
    const lines = extents(renderExpirySvg(certs, opts)).map((t) => t.text);
    const start = lines.findIndex((l) => l.startsWith("Buckets go by"));
    expect(start).toBeGreaterThan(-1);
    expect(lines.slice(start, start + 3).join(" ")).toContain(URGENCY_NOTE.replace(/'/g, "_"));
  });

  // reviews/readthrough.md #12: the legend and the rule note are measured as the title is (textEm, an
  // upper bound per character), not at a flat 0.62 em per UTF-16 unit, which under-estimates the legend's
  // glyphs (✕ ▲ ◆ ●, 1.3 em) and wide letters (m, w, most lower-case at 0.74 em).
  const legendAndNote = (svg: string) => {
    const rows = [
      ...svg.matchAll(/<text x="([\d.]+)" y="[\d.]+" font-size="(11|12)" fill="[^"]+">([^<]*)<\/text>/g),
    ];
    return rows
      .map(([, x, size, body]) => ({ x: Number(x), size: Number(size), text: unescape(body!) }))
      .filter((t) => /^(✕|!|▲|◆|●) [a-z]+: \d+$/.test(t.text) || URGENCY_NOTE.includes(t.text));
  };
  const unescape = (s: string) =>
    s.replace(
      /&(amp|lt|gt|quot|#39);/g,
      (_, e: string) => ({ amp: "&", lt: "<", gt: ">", quot: '"', "#39": "'" })[e]!,
    );

  const many = Array.from({ length: 1200 }, (_, i) => cert(100 + i, { from: -48, to: -2 }));
  const atWidths = (check: (texts: ReturnType<typeof legendAndNote>, width: number) => void) => {
    for (const list of [certs, [...certs, ...many]])
      for (let width = 480; width <= 1000; width += 10)
        check(
          legendAndNote(renderExpirySvg(list, { ...opts, width, findings: expiringFindings(list) })),
          width,
        );
  };
  const inside = (t: { x: number; size: number; text: string }, width: number) =>
    expect(t.x + textEm(t.text) * t.size, `width ${width}: ${t.text}`).toBeLessThanOrEqual(width - 16);

  it("keeps every legend item inside the image by the per-character measure, at any width and count", () => {
    atWidths((texts, width) => {
      const legend = texts.filter((t) => t.size === 12);
      expect(legend).toHaveLength(5);
      for (const t of legend) inside(t, width);
    });
  });

  it("wraps the rule note by the per-character measure: every line inside the image, the whole note in order", () => {
    atWidths((texts, width) => {
      const note = texts.filter((t) => t.size === 11);
      for (const t of note) inside(t, width);
      expect(note.map((t) => t.text).join(" "), `width ${width}`).toBe(URGENCY_NOTE);
    });
  });

  it("near miss: a short title is not cut, and a 2000 px image has the note on one line", () => {
    const s = renderExpirySvg(certs, { ...opts, width: 2000 });
    expect(s).toContain(">demo / shop</text>");
    expect(s).toContain(`>${escapeXml(URGENCY_NOTE)}</text>`);
  });

  // reviews/http2.md #4. What the title's characters really take in bold (em, measured in Chromium with
  // DejaVu Sans Bold, the widest common sans-serif; an emoji glyph is about 1.2 em in colour emoji fonts,
  // a CJK ideograph 1 em): the title must fit at these widths, not at an average.
  const BOLD_EM: Record<string, number> = {
    W: 1.1,
    m: 1.04,
    M: 1.0,
    a: 0.67,
    x: 0.65,
    "-": 0.42,
    Ш: 1.24,
    中: 1.0,
    "🚀": 1.2,
    "👩": 1.2,
    "💻": 1.2,
    "🇫": 1.2,
    "🇷": 1.2,
    é: 0.68,
    e: 0.68,
    "\u0301": 0,
    "\u200d": 0,
    "…": 1.0,
    " ": 0.35,
    "·": 0.4,
  };
  const boldWidth = (text: string) => Array.from(text).reduce((w, c) => w + (BOLD_EM[c] ?? NaN), 0) * 16;
  const titleOf = (svg: string) => /font-size="16" font-weight="700"[^>]*>([^<]*)</.exec(svg)![1]!;
  const lone = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
  const graphemes = (s: string) =>
    [...new Intl.Segmenter(undefined, { granularity: "grapheme" }).segment(s)].map((g) => g.segment);

  it.each([
    ["W", "W".repeat(253)],
    ["m", "m".repeat(253)],
    ["a", "a".repeat(253)],
    ["Cyrillic", "Ш".repeat(253)],
    ["CJK", "中".repeat(253)],
    ["emoji", "🚀".repeat(200)],
    ["ZWJ emoji", "👩\u200d💻".repeat(100)],
    ["flags", "🇫🇷".repeat(100)],
    ["combining accents", "e\u0301".repeat(253)],
    ["emoji at the cut", "x".repeat(62) + "🚀".repeat(20)],
  ])("cuts a title of %s to what fits in bold, between whole characters", (_, name) => {
    for (const width of [480, 880]) {
      const title = titleOf(renderExpirySvg(certs, { ...opts, title: name, width }));
      expect(title.endsWith("…"), `${width}`).toBe(true);
      expect(boldWidth(title), `${width}: ${title}`).toBeLessThanOrEqual(width - 32);
      expect(title).not.toMatch(lone);
      // A prefix of whole graphemes: no accent without its letter, no half of a ZWJ sequence or a flag.
      const kept = graphemes(title.slice(0, -1));
      expect(kept, `${width}`).toEqual(graphemes(name).slice(0, kept.length));
      // Not cut far shorter than needed: at least 70 % of the width it could take.
      expect(boldWidth(title), `${width}: ${title}`).toBeGreaterThan(0.7 * (width - 32) - 2 * 1.3 * 16);
    }
  });

  it("near miss: a title that fits is not cut, whatever its characters", () => {
    for (const title of [
      "Certificate expiry · demo / shop · demo data",
      "équipe / 中文 / 🚀",
      "👩\u200d💻-dev / shop",
    ])
      expect(titleOf(renderExpirySvg(certs, { ...opts, title }))).toBe(escapeXml(title));
  });

  it("says so when there is nothing to show", () => {
    expect(renderExpirySvg([], opts)).toContain("No certificates in this scope.");
  });

  it("drops characters XML forbids", () => {
    expect(escapeXml("a\u0001b")).toBe("ab");
  });
});

describe("parseEmbedOrigins", () => {
  it("keeps http(s) origins, space or comma separated, and reports the rest", () => {
    const r = parseEmbedOrigins(
      " https://wiki.example.com, http://wiki.allowed.test:8080  https://*.corp.example/ javascript:alert(1) * https://a.b/path ftp://x.y 'self'",
    );
    expect(r.origins).toEqual([
      "https://wiki.example.com",
      "http://wiki.allowed.test:8080",
      "https://*.corp.example",
    ]);
    expect(r.invalid.map((i) => i.entry)).toEqual([
      "javascript:alert(1)",
      "*",
      "https://a.b/path",
      "ftp://x.y",
      "'self'",
    ]);
  });

  it("rejects hosts that could smuggle CSP syntax", () => {
    expect(parseEmbedOrigins("https://a;script-src").origins).toEqual([]);
    expect(parseEmbedOrigins("https://a.*.b").origins).toEqual([]);
    expect(parseEmbedOrigins("https://a:99999").origins).toEqual([]);
  });

  it("builds frame-ancestors, 'none' when nobody is allowed", () => {
    expect(embedFrameAncestors([])).toBe("frame-ancestors 'none'");
    expect(embedFrameAncestors(parseEmbedOrigins(undefined).origins)).toBe("frame-ancestors 'none'");
    expect(embedFrameAncestors(["https://a.b", "http://c.d"])).toBe("frame-ancestors https://a.b http://c.d");
  });
});

describe("embed snippets", () => {
  const t = {
    baseUrl: "https://handshake.example.com/",
    cluster: "prod-eu",
    namespace: "shop",
    window: "30d",
    theme: "dark" as const,
  };

  it("points the iframe at /embed/expiry and the image at the SVG route", () => {
    expect(iframeSnippet(t)).toBe(
      '<iframe src="https://handshake.example.com/embed/expiry?cluster=prod-eu&amp;namespace=shop&amp;window=30d&amp;theme=dark" title="Certificate expiry: prod-eu/shop" width="900" height="520" style="border:0" loading="lazy"></iframe>',
    );
    expect(svgUrl(t)).toBe(
      "https://handshake.example.com/api/v1/expiry.svg?cluster=prod-eu&namespace=shop&window=30d&theme=dark",
    );
    expect(markdownImageSnippet(t)).toBe(
      "[![Certificate expiry prod-eu/shop (30d)](https://handshake.example.com/api/v1/expiry.svg?cluster=prod-eu&namespace=shop&window=30d&theme=dark)](https://handshake.example.com/c/prod-eu/ns/shop?view=certificates&window=30d)",
    );
  });

  // reviews/http2.md #2. CommonMark §6.3: a link destination (not in <…>) ends at a space or control
  // character, takes parentheses only balanced or backslash-escaped, and a backslash before ASCII
  // punctuation escapes it; §6.2 entity references (&copy;) in it are decoded.
  const DESTINATION = /^[A-Za-z0-9\-._~:/?#@!$&'*+,;=%]+$/;
  const snippetParts = (md: string) => /^\[!\[((?:\\.|[^\\\]])*)\]\(([^()\s]*)\)\]\(([^()\s]*)\)$/.exec(md);
  it.each([
    "a)b",
    "x(y",
    "a\\b",
    "a\\",
    "prod (eu-west)",
    "a b",
    "équipe",
    "<script>x",
    "a&copy;b",
    "q?x#y",
    "100%",
    "a]b[",
    "😀-dev",
  ])("the Markdown snippet for cluster %j points at that cluster in both destinations", (cluster) => {
    const md = markdownImageSnippet({ ...t, cluster, namespace: "sh op" });
    const m = snippetParts(md);
    expect(m, md).not.toBeNull();
    const [, alt, image, link] = m!;
    for (const dest of [image!, link!]) {
      expect(dest, md).toMatch(DESTINATION);
      expect(dest, md).not.toMatch(/&[A-Za-z][A-Za-z0-9]*;|&#/);
    }
    const img = new URL(image!);
    expect(img.pathname).toBe("/api/v1/expiry.svg");
    expect([img.searchParams.get("cluster"), img.searchParams.get("namespace")]).toEqual([cluster, "sh op"]);
    const [, c, ns] = /^\/c\/([^/]+)\/ns\/([^/]+)$/.exec(new URL(link!).pathname)!;
    expect([decodeURIComponent(c!), decodeURIComponent(ns!)]).toEqual([cluster, "sh op"]);
    // The alt text is the name as given: characters that start markup (a bracket ends the text, `<` raw
    // HTML, `&` an entity, `*` `_` emphasis, a backtick code) are escaped, not dropped.
    expect(alt!.replace(/\\(.)/g, "")).not.toMatch(/[\\[\]<&*_`]/);
    expect(alt!.replace(/\\(.)/g, "$1")).toBe(`Certificate expiry ${cluster}/sh op (30d)`);
  });

  it("near miss: the iframe's src is an HTML attribute, where parentheses need nothing", () => {
    expect(iframeSnippet({ ...t, cluster: "a)b" })).toContain(
      'src="https://handshake.example.com/embed/expiry?cluster=a)b&amp;',
    );
  });

  it("links a whole-cluster image to the overview", () => {
    expect(dashboardUrl({ ...t, namespace: null })).toBe("https://handshake.example.com/");
    expect(svgUrl({ ...t, namespace: null })).not.toContain("namespace=");
  });
});

describe("palette", () => {
  it("matches the expiry panel's CSS, so the image and the page agree", async () => {
    const { readFile } = await import("node:fs/promises");
    const { PALETTES } = await import("./palette");
    const css = await readFile(new URL("../../../components/expiry/expiry.css", import.meta.url), "utf8");
    for (const theme of ["light", "dark"] as const) {
      const block =
        new RegExp(`\\.expiry-panel\\[data-theme="${theme}"\\] \\{([^}]*)\\}`).exec(css)?.[1] ?? "";
      for (const [u, colour] of Object.entries(PALETTES[theme].urgency))
        expect(block).toContain(`--urg-${u}: ${colour};`);
      expect(block).toContain(`--bg: ${PALETTES[theme].bg};`);
    }
  });
});
