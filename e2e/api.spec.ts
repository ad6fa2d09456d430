// The HTTP API of contract §3 over the running app: bad parameters are 400, an unknown cluster or
// namespace 404, always `{error:{code,message}}` JSON without a stack trace, and answers are no-store.
import { expect, test, type APIResponse } from "@playwright/test";

async function expectError(r: APIResponse, status: number, code: string, naming: string) {
  expect(r.status()).toBe(status);
  expect(r.headers()["content-type"]).toContain("application/json");
  expect(r.headers()["cache-control"]).toBe("no-store");
  const text = await r.text();
  expect(text).not.toMatch(/\n\s+at |\.tsx?:\d+|node_modules|Error:/);
  const body = JSON.parse(text) as { error: { code: string; message: string } };
  expect(Object.keys(body)).toEqual(["error"]);
  expect(body.error.code).toBe(code);
  expect(body.error.message).toContain(naming);
}

const ROUTES = ["/api/v1/findings", "/api/v1/certificates", "/api/v1/expiry.svg", "/api/v1/snapshot"];

test.describe("API errors", () => {
  for (const route of ROUTES) {
    test(`${route}: 404 on an unknown cluster or namespace, 400 on a malformed one`, async ({ request }) => {
      await expectError(
        await request.get(`${route}?cluster=no-such-cluster`),
        404,
        "unknown-cluster",
        "no-such-cluster",
      );
      await expectError(
        await request.get(`${route}?cluster=demo&namespace=no-such-ns`),
        404,
        "unknown-namespace",
        "no-such-ns",
      );
      await expectError(
        await request.get(`${route}?namespace=Not_A_Namespace`),
        400,
        "invalid-namespace",
        '"namespace"',
      );
      // A cluster name is any printable text (kubeconfig context names are free strings): one that
      // is not configured is unknown (404), one with a control character or a dot segment malformed.
      await expectError(
        await request.get(`${route}?cluster=${encodeURIComponent("prod (eu-west)")}`),
        404,
        "unknown-cluster",
        "prod (eu-west)",
      );
      for (const bad of ["a\nb", ".."])
        await expectError(
          await request.get(`${route}?cluster=${encodeURIComponent(bad)}`),
          400,
          "invalid-cluster",
          '"cluster"',
        );
      // One value per parameter: a repeated one is refused and named, never half-read.
      await expectError(
        await request.get(`${route}?cluster=demo&namespace=shop&namespace=billing`),
        400,
        "invalid-namespace",
        "given 2 times",
      );
      await expectError(
        await request.get(`${route}?cluster=demo&cluster=nope`),
        400,
        "invalid-cluster",
        "given 2 times",
      );
    });
  }

  test("findings: 400 on a bad severity", async ({ request }) => {
    await expectError(
      await request.get("/api/v1/findings?severity=fatal"),
      400,
      "invalid-severity",
      '"severity": "fatal"',
    );
    await expectError(
      await request.get("/api/v1/findings?severity=error,nope"),
      400,
      "invalid-severity",
      '"nope"',
    );
    // One comma separated list, as on the pages; a repeated parameter is refused, not half-read.
    await expectError(
      await request.get("/api/v1/findings?severity=error&severity=warning"),
      400,
      "invalid-severity",
      "given 2 times",
    );
  });

  test("a wrong method is a JSON 405 naming the allowed ones in Allow", async ({ request }) => {
    const cases: [string, string, string][] = [
      ["POST", "/api/v1/snapshot", "GET, HEAD, OPTIONS"],
      ["DELETE", "/api/v1/findings", "GET, HEAD, OPTIONS"],
      ["PUT", "/api/v1/certificates", "GET, HEAD, OPTIONS"],
      ["PATCH", "/api/v1/clusters", "GET, HEAD, OPTIONS"],
      ["POST", "/api/v1/expiry.svg", "GET, HEAD, OPTIONS"],
      ["GET", "/api/v1/snapshot/refresh", "POST, OPTIONS"],
      ["DELETE", "/metrics", "GET, HEAD, OPTIONS"],
      ["POST", "/healthz", "GET, HEAD, OPTIONS"],
      ["PUT", "/readyz", "GET, HEAD, OPTIONS"],
    ];
    for (const [method, path, allow] of cases) {
      const r = await request.fetch(path, { method });
      await expectError(r, 405, "method-not-allowed", method);
      expect(r.headers()["allow"], `${method} ${path}`).toBe(allow);
    }
    // Near miss: the allowed methods still answer.
    expect((await request.get("/api/v1/clusters")).status()).toBe(200);
    expect((await request.head("/api/v1/findings")).status()).toBe(200);
  });

  // reviews/http2.md #6, not fixable in the app: Next builds a fetch Request for the proxy (and for every
  // route) before any of our code runs, and undici refuses TRACE as a forbidden method, so Next answers its
  // bare 500 (docs/DECISIONS.md, "HTTP review, second round"). What must hold anyway: TRACE is never
  // served, and never echoes the request (cross-site tracing).
  test("TRACE is refused before any route and echoes nothing (a Next limitation, recorded)", async ({
    request,
  }) => {
    for (const path of ["/api/v1/snapshot", "/", "/embed/expiry"]) {
      const r = await request.fetch(path, { method: "TRACE", headers: { "X-Probe": "secret-probe-value" } });
      expect(r.status(), path).toBeGreaterThanOrEqual(400);
      expect(await r.text(), path).not.toContain("secret-probe-value");
    }
    // Near miss: the methods the routes refuse themselves are our JSON 405 with the usual headers.
    const r = await request.fetch("/api/v1/snapshot", { method: "PUT" });
    await expectError(r, 405, "method-not-allowed", "PUT");
    expect(r.headers()["x-content-type-options"]).toBe("nosniff");
  });

  test("a malformed percent-escape in the path is a JSON 400, never a 500", async ({ request }) => {
    for (const path of ["/api/v1/%", "/api/v1/certificates%", "/api/v1/%E0%A4", "/api/%zz"]) {
      const r = await request.get(path);
      await expectError(r, 400, "bad-path", "percent");
      expect(r.headers()["content-security-policy"], path).toContain("frame-ancestors 'none'");
      expect(r.headers()["x-content-type-options"], path).toBe("nosniff");
    }
    // Near miss: a well-formed escape of an unknown route is the API's 404, a bad query escape a 400 naming the parameter.
    await expectError(await request.get("/api/v1/no%20such"), 404, "not-found", "/api/v1/no%20such");
    await expectError(
      await request.get("/api/v1/snapshot?namespace=%"),
      400,
      "invalid-namespace",
      '"namespace"',
    );
  });

  test("unknown /api/v1 routes answer a JSON 404 for every method", async ({ request }) => {
    for (const path of ["/api/v1", "/api", "/api/v2/snapshot"])
      await expectError(await request.get(path), 404, "not-found", path);
    for (const method of ["GET", "POST", "PUT", "DELETE"] as const)
      await expectError(
        await request.fetch("/api/v1/no-such-route/x", { method }),
        404,
        "not-found",
        "/api/v1/no-such-route/x",
      );
    await expectError(await request.get("/api/v1/Findings"), 404, "not-found", "/api/v1/Findings");
  });

  test("certificates: 400 on a bad expiringWithin", async ({ request }) => {
    for (const v of ["soon", "30", "-1d", "all"])
      await expectError(
        await request.get(`/api/v1/certificates?expiringWithin=${v}`),
        400,
        "invalid-expiring-within",
        '"expiringWithin"',
      );
  });

  test("durations are read as given: a padded one is refused, not trimmed", async ({ request }) => {
    await expectError(await request.get("/api/v1/expiry.svg?window=%2030d"), 400, "invalid-window", '" 30d"');
    await expectError(
      await request.get("/api/v1/certificates?expiringWithin=30d%20"),
      400,
      "invalid-expiring-within",
      '"30d "',
    );
    await expectError(
      await request.get("/api/v1/expiry.svg?window=7d&window=bad"),
      400,
      "invalid-window",
      "given 2 times",
    );
    await expectError(
      await request.get("/api/v1/expiry.svg?theme=dark&theme=x"),
      400,
      "invalid-theme",
      "given 2 times",
    );
    expect((await request.get("/api/v1/expiry.svg?window=30d")).status()).toBe(200);
  });

  test("expiry.svg: 400 on a bad window or theme", async ({ request }) => {
    await expectError(
      await request.get("/api/v1/expiry.svg?window=forever"),
      400,
      "invalid-window",
      '"window": "forever"',
    );
    await expectError(await request.get("/api/v1/expiry.svg?theme=pink"), 400, "invalid-theme", '"theme"');
  });
});

test.describe("API answers", () => {
  test("findings filter by severity and namespace", async ({ request }) => {
    const all = await request.get("/api/v1/findings");
    expect(all.status()).toBe(200);
    expect(all.headers()["cache-control"]).toBe("no-store");
    const { findings } = (await all.json()) as {
      findings: { severity: string; resources: { namespace?: string }[] }[];
    };
    expect(findings.length).toBeGreaterThan(0);
    const errors = (await (await request.get("/api/v1/findings?severity=error")).json()) as {
      findings: { severity: string }[];
    };
    expect(errors.findings.length).toBe(findings.filter((f) => f.severity === "error").length);
    expect(errors.findings.every((f) => f.severity === "error")).toBe(true);
    const two = (await (await request.get("/api/v1/findings?severity=error,warning")).json()) as {
      findings: unknown[];
    };
    expect(two.findings.length).toBe(findings.filter((f) => f.severity !== "info").length);
  });

  test("certificates: expiringWithin keeps expired ones and those ending within it", async ({ request }) => {
    const snap = (await (await request.get("/api/v1/snapshot")).json()) as {
      now: string;
      certificates: { id: string; notAfter: string }[];
    };
    const r = await request.get("/api/v1/certificates?cluster=demo&expiringWithin=7d");
    expect(r.status()).toBe(200);
    const { certificates } = (await r.json()) as { certificates: { id: string; notAfter: string }[] };
    const limit = Date.parse(snap.now) + 7 * 86_400_000;
    expect(certificates.map((c) => c.id).sort()).toEqual(
      snap.certificates
        .filter((c) => Date.parse(c.notAfter) <= limit)
        .map((c) => c.id)
        .sort(),
    );
    expect(certificates.length).toBeLessThan(snap.certificates.length);
  });

  test("expiry.svg is an image naming the certificates that expire first", async ({ request }) => {
    const snap = (await (await request.get("/api/v1/snapshot?namespace=shop")).json()) as {
      certificates: { spiffeId: string | null; dnsNames: string[]; subject: string; notAfter: string }[];
    };
    const r = await request.get("/api/v1/expiry.svg?cluster=demo&namespace=shop&window=30d&theme=dark");
    expect(r.status()).toBe(200);
    expect(r.headers()["content-type"]).toContain("image/svg+xml");
    expect(r.headers()["cache-control"]).toBe("no-store");
    const svg = await r.text();
    expect(svg.startsWith("<svg")).toBe(true);
    expect(svg).toContain("Certificate expiry · demo / shop");
    const soonest = [...snap.certificates].sort(
      (a, b) => Date.parse(a.notAfter) - Date.parse(b.notAfter),
    )[0]!;
    expect(svg).toContain(soonest.spiffeId ?? soonest.dnsNames[0] ?? soonest.subject);
    expect(svg).toContain('fill="#111418"'); // dark background
  });

  test("expiry.svg stays as small as the 30d image for the longest window", async ({ request }) => {
    const size = async (w: string) =>
      (await (await request.get(`/api/v1/expiry.svg?cluster=demo&window=${w}`)).text()).length;
    const base = await size("30d");
    for (const w of ["999999y", "999999w", "all"]) expect(await size(w), w).toBeLessThan(base + 3_000);
  });

  test("/metrics is Prometheus text exposition", async ({ request }) => {
    const r = await request.get("/metrics");
    expect(r.status()).toBe(200);
    expect(r.headers()["content-type"]).toContain("text/plain; version=0.0.4");
    const text = await r.text();
    const snap = (await (await request.get("/api/v1/snapshot")).json()) as {
      certificates: unknown[];
      findings: unknown[];
    };
    const lines = text.trimEnd().split("\n");
    for (const l of lines)
      if (!l.startsWith("#")) expect(l).toMatch(/^[a-z_]+(\{[^}]*\})? [-+]?\d+(\.\d+)?(e[-+]?\d+)?$/);
    expect(lines.filter((l) => l.startsWith("handshake_certificate_not_after_seconds{"))).toHaveLength(
      snap.certificates.length,
    );
    const findings = lines
      .filter((l) => l.startsWith("handshake_findings{"))
      .reduce((n, l) => n + Number(l.split(" ").pop()), 0);
    expect(findings).toBe(snap.findings.length);
    expect(text).toContain('handshake_edges{cluster="demo",status="broken"}');
  });
});

test.describe("framing policy", () => {
  test("only the exact /embed paths may be framed; case variants and other pages may not", async ({
    request,
  }) => {
    const csp = async (path: string) => (await request.get(path)).headers()["content-security-policy"];
    expect(await csp("/embed/expiry?cluster=demo")).toBe("frame-ancestors http://wiki.allowed.test");
    for (const path of [
      "/",
      "/c/demo/ns/shop",
      "/EMBED/expiry?cluster=demo",
      "/Embed/expiry",
      "/embedded",
      "/api/v1/clusters",
    ])
      expect(await csp(path), path).toBe("frame-ancestors 'none'");
  });
});

test("no private key or Secret key material leaves the server, on any route or page", async ({ request }) => {
  // The demo serves kubernetes.io/tls Secrets with tls.key and CA Secrets with ca-key.pem (as a real
  // cluster does); none of it may reach an answer.
  const paths = [
    "/api/v1/snapshot?cluster=demo",
    "/api/v1/certificates?cluster=demo",
    "/api/v1/findings?cluster=demo",
    "/api/v1/expiry.svg?cluster=demo",
    "/metrics",
    "/",
    "/c/demo/ns/billing?view=certificates",
    "/c/demo/ns/shop",
    "/embed/expiry?cluster=demo",
  ];
  let certificatesSeen = 0;
  for (const path of paths) {
    const r = await request.get(path);
    expect(r.status(), path).toBe(200);
    const text = await r.text();
    expect(text, path).not.toMatch(
      /PRIVATE KEY|ca-key\.pem|"tls\.key"|LS0tLS1CRUdJTiBFQyBQUklWQVRF|LS0tLS1CRUdJTiBQUklWQVRF/,
    );
    if (path.startsWith("/api/v1/certificates"))
      certificatesSeen = (JSON.parse(text) as { certificates: unknown[] }).certificates.length;
  }
  // The answers did carry the certificates those Secrets hold (so the check above looked at real data).
  expect(certificatesSeen).toBeGreaterThan(10);
});
