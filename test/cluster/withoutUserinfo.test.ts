// One user:password stripping for the kubeconfig server in messages and the Prometheus URL fetched
// (lib/server/withoutUserinfo.ts; reviews/readthrough2.md #11).
import { describe, expect, it } from "vitest";
import { prometheusEndpoint, type Fetch } from "../../lib/server/telemetry/prometheus";
import { withoutUserinfo } from "../../lib/server/withoutUserinfo";

describe("withoutUserinfo", () => {
  it.each([
    ["user and password", "https://admin:hunter2@api.example:6443", "https://api.example:6443"],
    ["user only", "https://admin@api.example:6443/", "https://api.example:6443"],
    ["password only", "https://:hunter2@api.example", "https://api.example"],
    ["a path, its trailing slashes trimmed", "http://r:s@prom.example/prom//", "http://prom.example/prom"],
    ["encoded characters", "http://r%40x:p%3As@prom.example:9090", "http://prom.example:9090"],
  ])("drops %s", (_, url, want) => {
    expect(withoutUserinfo(url)).toBe(want);
  });

  it.each([
    ["no credentials", "https://API.example:6443/"],
    ["a path without credentials", "http://prom.example/prom/"],
    ["not a URL", "api.example:6443 (no scheme)"],
    ["an at-sign in the path only", "https://api.example/a@b"],
  ])("near miss: %s is returned unchanged", (_, url) => {
    expect(withoutUserinfo(url)).toBe(url);
  });
});

describe("the Prometheus URL", () => {
  const endpointOf = (url: string) => {
    const asked: { url: string; auth: string | undefined }[] = [];
    const fetch: Fetch = async (u, init) => {
      asked.push({ url: u, auth: init.headers.Authorization });
      return new Response('{"status":"success"}');
    };
    return { asked, endpoint: prometheusEndpoint({ kind: "url", url }, { transport: null as never, fetch }) };
  };

  it.each([
    ["http://r:s@prom.example:9090", "http://prom.example:9090/api/v1/query", "r:s"],
    ["http://r%40x:p%3As@prom.example/prom/?x=1#/", "http://prom.example/prom/api/v1/query", "r@x:p:s"],
    ["http://prom.example/prom//?x=/", "http://prom.example/prom/api/v1/query", null],
  ])("%s is fetched as %s, its credentials sent as Basic auth", async (url, where, creds) => {
    const { asked, endpoint } = endpointOf(url);
    expect(endpoint.where).toBe(where);
    await endpoint.query("up", 1_000);
    expect(asked).toEqual([
      {
        url: `${where}?query=up`,
        auth: creds === null ? undefined : `Basic ${Buffer.from(creds).toString("base64")}`,
      },
    ]);
  });
});
